-- Per target: its size, whether it reaches the platform minimum, and the run its deltas are computed against
-- (the latest successful run that recorded a platform state for it).
CREATE OR REPLACE TABLE staging_plan AS
WITH size AS (
    SELECT platform, audience, count(DISTINCT customer_id) AS customers, count(*) AS "values"
    FROM staging_member GROUP BY platform, audience
), base AS (
    SELECT x.platform, x.audience, arg_max(x.run_id, r.started_at) AS base_run_id
    FROM audience_export x JOIN run r USING (run_id)
    WHERE r.status = 'succeeded'
    GROUP BY x.platform, x.audience
)
SELECT t.platform, t.audience, t.condition, t.minimum,
       coalesce(s.customers, 0) AS customers, coalesce(s."values", 0) AS "values",
       CASE WHEN coalesce(s.customers, 0) >= t.minimum THEN 'exported' ELSE 'held_back' END AS status,
       b.base_run_id
FROM staging_target t
LEFT JOIN size s USING (platform, audience)
LEFT JOIN base b USING (platform, audience);

CREATE OR REPLACE TABLE staging_base AS
SELECT m.platform, m.audience, m.customer_id, m.identifier, m.id_type, m.sha256, m.event_id
FROM membership m
JOIN staging_plan p ON m.run_id = p.base_run_id AND m.platform = p.platform AND m.audience = p.audience;

-- Deltas by value: add = now but not in the base state (exported targets only); remove = in the base state but
-- not now. A removed value the platform received unhashed is looked up in sent_unhashed (or today's staging).
CREATE OR REPLACE TABLE staging_delta AS
SELECT 'add' AS op, m.platform, m.audience, m.customer_id, m.identifier, m.id_type, m.value, m.sha256, m.event_id
FROM staging_member m JOIN staging_plan p USING (platform, audience)
WHERE p.status = 'exported' AND NOT EXISTS (
    SELECT 1 FROM staging_base b
    WHERE b.platform = m.platform AND b.audience = m.audience AND b.id_type = m.id_type AND b.sha256 = m.sha256)
UNION ALL
SELECT 'remove' AS op, b.platform, b.audience, b.customer_id, b.identifier, b.id_type,
       coalesce(u.value, (SELECT any_value(i.value) FROM staging_identifier i
                          WHERE i.platform = b.platform AND i.sha256 = b.sha256), b.sha256) AS value,
       b.sha256, b.event_id
FROM staging_base b
LEFT JOIN sent_unhashed u ON u.platform = b.platform AND u.sha256 = b.sha256
WHERE NOT EXISTS (
    SELECT 1 FROM staging_member m
    WHERE m.platform = b.platform AND m.audience = b.audience AND m.id_type = b.id_type AND m.sha256 = b.sha256);

-- What the platform holds once this run's files are applied: the current members of an exported target; the
-- base state minus the removals for a held-back one.
CREATE OR REPLACE TABLE staging_state AS
SELECT m.platform, m.audience, m.customer_id, m.identifier, m.id_type, m.sha256, m.event_id
FROM staging_member m JOIN staging_plan p USING (platform, audience)
WHERE p.status = 'exported'
UNION ALL
SELECT b.platform, b.audience, b.customer_id, b.identifier, b.id_type, b.sha256, b.event_id
FROM staging_base b JOIN staging_plan p USING (platform, audience)
WHERE p.status = 'held_back' AND EXISTS (
    SELECT 1 FROM staging_member m
    WHERE m.platform = b.platform AND m.audience = b.audience AND m.id_type = b.id_type AND m.sha256 = b.sha256);
