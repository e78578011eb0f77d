-- delta-base: every target of run $run_id computed its deltas against the last successful run before it that
-- recorded a platform state for that target (none for the first): a run marked failed afterwards, or skipped, shows.
WITH targets AS (
    SELECT x.platform, x.audience, x.base_run_id,
           (SELECT arg_max(px.run_id, pr.started_at) FROM audience_export px JOIN run pr USING (run_id)
            WHERE pr.status = 'succeeded' AND px.platform = x.platform AND px.audience = x.audience
              AND pr.started_at < r.started_at) AS latest
    FROM audience_export x JOIN run r USING (run_id)
    WHERE x.run_id = $run_id
), bad AS (
    SELECT platform, audience,
           'deltas against ' || coalesce(base_run_id, 'no run') || ', but the last successful run before it is '
           || coalesce(latest, 'none') AS why
    FROM targets WHERE base_run_id IS DISTINCT FROM latest
)
SELECT (SELECT count(*) FROM targets) AS checked, (SELECT count(*) FROM bad) AS failed,
       (SELECT list(platform || '/' || audience || ': ' || why) FROM (SELECT * FROM bad ORDER BY ALL LIMIT 3))
           AS examples
