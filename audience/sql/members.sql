-- Each target's (platform, audience) base: the latest successful run that recorded a platform state for it.
CREATE OR REPLACE TEMP TABLE staging_base_run AS
SELECT t.platform, t.audience, b.base_run_id
FROM staging_target t
LEFT JOIN (
    SELECT x.platform, x.audience, arg_max(x.run_id, r.started_at) AS base_run_id
    FROM audience_export x JOIN run r USING (run_id)
    WHERE r.status = 'succeeded'
    GROUP BY x.platform, x.audience
) b USING (platform, audience);

-- What each platform holds for each target after the base run.
CREATE OR REPLACE TEMP TABLE staging_base AS
SELECT m.platform, m.audience, m.customer_id, m.identifier, m.id_type, m.sha256, m.event_id
FROM membership m
JOIN staging_base_run b ON m.run_id = b.base_run_id AND m.platform = b.platform AND m.audience = b.audience;

-- Who each target holds now (the rows of current_members.sql, or of the files partitions wrote with it), with SHA-256
-- as lowercase hex from here on; `is_new` marks values the base state lacks (the add delta, by value).
CREATE OR REPLACE TEMP TABLE staging_member AS
SELECT *, NOT EXISTS (
           SELECT 1 FROM staging_base b
           WHERE b.platform = m.platform AND b.audience = m.audience AND b.id_type = m.id_type AND b.sha256 = m.sha256
       ) AS is_new
FROM (
    SELECT platform, audience, customer_id, identifier, id_type, lower(hex(sha256)) AS sha256, unhashed, event_id
    FROM (/*@current*/)
) m;

-- Values of the base state that the target no longer holds (the remove delta, by value). A value the platform
-- received unhashed is taken from sent_unhashed: the input may no longer have it. One that `audience forget` already
-- removed (listed in erasure_value, its raw form deleted) is `erased`: gone from the platform, but in no file.
CREATE OR REPLACE TEMP TABLE staging_removal AS
SELECT b.platform, b.audience, b.customer_id, b.identifier, b.id_type, b.sha256, u.value AS unhashed, b.event_id,
       u.value IS NULL AND EXISTS (
           SELECT 1 FROM erasure_value e
           WHERE e.platform = b.platform AND e.audience = b.audience AND e.id_type = b.id_type AND e.sha256 = b.sha256
       ) AS erased
FROM staging_base b
LEFT JOIN sent_unhashed u ON u.platform = b.platform AND u.sha256 = b.sha256
WHERE NOT EXISTS (
    SELECT 1 FROM staging_member m
    WHERE m.platform = b.platform AND m.audience = b.audience AND m.id_type = b.id_type AND m.sha256 = b.sha256);
