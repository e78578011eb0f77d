-- Check the rows of a platform's match report (registered as match_input: source_row and the CSV's columns as
-- text) and return each row's problem, if any: the target must be one a successful run exported; counts whole and
-- matched <= uploaded; or a known Google match-rate range (match_range: name, rate_low, rate_high).
WITH typed AS (
    SELECT i.source_row, trim(i.run_id) AS run_id, lower(trim(i.platform)) AS platform, trim(i.audience) AS audience,
           TRY_CAST(nullif(trim(i.uploaded), '') AS BIGINT) AS uploaded,
           TRY_CAST(nullif(trim(i.matched), '') AS BIGINT) AS matched,
           nullif(trim(i.uploaded), '') IS NOT NULL AS has_uploaded,
           nullif(trim(i.matched), '') IS NOT NULL AS has_matched,
           upper(nullif(trim(i.match_rate_range), '')) AS match_rate_range
    FROM match_input i
)
SELECT t.source_row, t.run_id, t.platform, t.audience, t.uploaded, t.matched, t.match_rate_range,
       coalesce(g.rate_low, t.matched::DOUBLE / nullif(t.uploaded, 0)) AS rate_low,
       coalesce(g.rate_high, t.matched::DOUBLE / nullif(t.uploaded, 0)) AS rate_high,
       CASE
           WHEN coalesce(t.run_id, '') = '' THEN 'run_id'
           WHEN coalesce(t.platform, '') = '' THEN 'platform'
           WHEN coalesce(t.audience, '') = '' THEN 'audience'
           WHEN x.run_id IS NULL THEN 'run_id'
           WHEN t.has_uploaded AND (t.uploaded IS NULL OR t.uploaded < 0) THEN 'uploaded'
           WHEN t.has_matched AND (t.matched IS NULL OR t.matched < 0) THEN 'matched'
           WHEN t.match_rate_range IS NOT NULL AND g.name IS NULL THEN 'match_rate_range'
           WHEN t.match_rate_range IS NULL AND NOT (t.has_uploaded AND t.has_matched) THEN 'matched'
           WHEN t.match_rate_range IS NULL AND t.uploaded = 0 THEN 'uploaded'
           WHEN t.matched > t.uploaded THEN 'matched'
       END AS bad_column,
       CASE
           WHEN coalesce(t.run_id, '') = '' OR coalesce(t.platform, '') = '' OR coalesce(t.audience, '') = ''
               THEN 'empty; every row names the run, platform and audience the platform matched'
           WHEN x.run_id IS NULL
               THEN 'no successful run exported this platform and audience under this run id; check all three'
           WHEN t.has_uploaded AND (t.uploaded IS NULL OR t.uploaded < 0)
               THEN 'not a whole number of records'
           WHEN t.has_matched AND (t.matched IS NULL OR t.matched < 0)
               THEN 'not a whole number of records'
           WHEN t.match_rate_range IS NOT NULL AND g.name IS NULL
               THEN 'not a Google match-rate range (MATCH_RANGE_LESS_THAN_20, MATCH_RANGE_20_TO_30, … MATCH_RANGE_91_TO_100)'
           WHEN t.match_rate_range IS NULL AND NOT (t.has_uploaded AND t.has_matched)
               THEN 'give uploaded and matched, or match_rate_range'
           WHEN t.match_rate_range IS NULL AND t.uploaded = 0
               THEN 'zero records uploaded: no rate to keep'
           WHEN t.matched > t.uploaded THEN 'more matched than uploaded'
       END AS reason
FROM typed t
LEFT JOIN match_range g ON g.name = t.match_rate_range
LEFT JOIN audience_export x
  ON x.run_id = t.run_id AND x.platform = t.platform AND x.audience = t.audience AND x.status = 'exported'
 AND EXISTS (SELECT 1 FROM run r WHERE r.run_id = x.run_id AND r.status = 'succeeded')
ORDER BY t.source_row
