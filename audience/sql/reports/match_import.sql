-- Check the rows of a platform's match report (registered as match_input: source_row and the CSV's columns as
-- text) and return each row's problem, if any, in the first column that has one: the target must be one a
-- successful run exported; either whole counts (matched <= uploaded <= the values the run exported to the target)
-- or, for Google, a known match-rate range (match_range: name, rate_low, rate_high), not both. Of the good rows
-- for one target, the last is kept.
WITH typed AS (
    SELECT i.source_row, trim(i.run_id) AS run_id, lower(trim(i.platform)) AS platform, trim(i.audience) AS audience,
           nullif(trim(i.uploaded), '') AS uploaded_text,
           nullif(trim(i.matched), '') AS matched_text,
           upper(nullif(trim(i.match_rate_range), '')) AS match_rate_range
    FROM match_input i
), counted AS (
    SELECT *,
           CASE WHEN regexp_full_match(uploaded_text, '[0-9]{1,18}') THEN uploaded_text::BIGINT END AS uploaded,
           CASE WHEN regexp_full_match(matched_text, '[0-9]{1,18}') THEN matched_text::BIGINT END AS matched
    FROM typed
), problems AS (
    SELECT t.*, x."values" AS exported_values, g.rate_low AS range_low, g.rate_high AS range_high,
        CASE
            WHEN coalesce(t.run_id, '') = '' OR coalesce(t.platform, '') = '' OR coalesce(t.audience, '') = ''
                THEN struct_pack(c := CASE WHEN coalesce(t.run_id, '') = '' THEN 'run_id'
                                           WHEN coalesce(t.platform, '') = '' THEN 'platform' ELSE 'audience' END,
                                 r := 'empty; every row names the run, platform and audience the platform matched')
            WHEN t.platform NOT IN ('google', 'meta', 'tiktok')
                THEN struct_pack(c := 'platform', r := 'not one of google, meta, tiktok')
            WHEN NOT EXISTS (SELECT 1 FROM run r WHERE r.run_id = t.run_id AND r.status = 'succeeded')
                THEN struct_pack(c := 'run_id', r := 'no successful run has this id; check it (the output '
                                                    'directory''s names)')
            WHEN x.run_id IS NULL
                THEN struct_pack(c := 'audience', r := 'the run has no such audience for this platform; check it')
            WHEN x.status <> 'exported'
                THEN struct_pack(c := 'audience', r := 'the run held this audience back below the platform '
                                                       'minimum, so nothing of it was uploaded')
            WHEN t.match_rate_range IS NOT NULL AND (t.uploaded_text IS NOT NULL OR t.matched_text IS NOT NULL)
                THEN struct_pack(c := 'match_rate_range', r := 'give uploaded and matched, or match_rate_range, '
                                                               'not both')
            WHEN t.match_rate_range IS NOT NULL AND t.platform <> 'google'
                THEN struct_pack(c := 'match_rate_range', r := 'a match-rate range is Google''s; give uploaded and '
                                                               'matched for this platform')
            WHEN t.match_rate_range IS NOT NULL AND g.name IS NULL
                THEN struct_pack(c := 'match_rate_range', r := 'not a Google match-rate range '
                                 '(MATCH_RANGE_LESS_THAN_20, MATCH_RANGE_20_TO_30, … MATCH_RANGE_91_TO_100)')
            WHEN t.match_rate_range IS NOT NULL THEN NULL
            WHEN t.uploaded_text IS NULL OR t.matched_text IS NULL
                THEN struct_pack(c := CASE WHEN t.uploaded_text IS NULL THEN 'uploaded' ELSE 'matched' END,
                                 r := 'missing; give uploaded and matched, or match_rate_range')
            WHEN t.uploaded IS NULL
                THEN struct_pack(c := 'uploaded', r := 'not a whole number of records (digits only)')
            WHEN t.matched IS NULL
                THEN struct_pack(c := 'matched', r := 'not a whole number of records (digits only)')
            WHEN t.uploaded = 0 THEN struct_pack(c := 'uploaded', r := 'zero records uploaded: no rate to keep')
            WHEN t.uploaded > x."values"
                THEN struct_pack(c := 'uploaded', r := 'more records than the values the run exported to this '
                                                       'audience; check the run id')
            WHEN t.matched > t.uploaded THEN struct_pack(c := 'matched', r := 'more matched than uploaded')
        END AS problem
    FROM counted t
    LEFT JOIN match_range g ON g.name = t.match_rate_range
    LEFT JOIN audience_export x ON x.run_id = t.run_id AND x.platform = t.platform AND x.audience = t.audience
)
, superseded AS (
    SELECT *, problem IS NULL AND count(*) FILTER (WHERE problem IS NULL) OVER (
        PARTITION BY run_id, platform, audience ORDER BY source_row
        ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) > 0 AS given_later
    FROM problems
)
SELECT source_row, run_id, platform, audience, uploaded, matched, match_rate_range,
       coalesce(range_low, matched::DOUBLE / nullif(uploaded, 0)) AS rate_low,
       coalesce(range_high, matched::DOUBLE / nullif(uploaded, 0)) AS rate_high,
       CASE WHEN given_later THEN 'run_id' ELSE problem.c END AS bad_column,
       CASE WHEN given_later THEN 'given again on a later row, which is kept instead' ELSE problem.r END AS reason
FROM superseded
ORDER BY source_row
