-- minimum-size: every target run $run_id exported has at least the platform minimum of customers, as its lineage
-- shows; a held-back target has no full or add file.
WITH targets AS (
    SELECT x.*, (SELECT count(DISTINCT m.customer_id) FROM membership m
                 WHERE m.run_id = x.run_id AND m.platform = x.platform AND m.audience = x.audience) AS held
    FROM audience_export x WHERE x.run_id = $run_id
), bad AS (
    SELECT platform, audience, 'exported with ' || held || ' customers, below the minimum of ' || minimum AS why
    FROM targets WHERE status = 'exported' AND (held < minimum OR customers < minimum)
    UNION ALL
    SELECT t.platform, t.audience, 'held back but has ' || f.op || ' files'
    FROM targets t JOIN export_file f
      ON f.run_id = t.run_id AND f.platform = t.platform AND f.audience = t.audience AND f.op IN ('full', 'add')
    WHERE t.status = 'held_back'
    GROUP BY ALL
)
SELECT (SELECT count(*) FROM targets) AS checked, (SELECT count(*) FROM bad) AS failed,
       (SELECT list(platform || '/' || audience || ': ' || why) FROM (SELECT * FROM bad ORDER BY ALL LIMIT 3))
           AS examples
