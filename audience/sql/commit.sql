-- A run's lineage, recorded in the transaction that marks it successful ($run_id, $finished_at).
INSERT INTO membership
SELECT $run_id, platform, audience, customer_id, identifier, id_type, sha256, event_id FROM staging_state;

INSERT INTO audience_export
SELECT $run_id, p.platform, p.audience, p.condition, p.customers, p."values", p.minimum, p.status, p.base_run_id,
       CASE WHEN p.status = 'exported' THEN p."values" ELSE 0 END,
       count(*) FILTER (WHERE d.op = 'add'), count(*) FILTER (WHERE d.op = 'remove')
FROM staging_plan p LEFT JOIN staging_delta d USING (platform, audience)
GROUP BY ALL;

UPDATE run SET status = 'succeeded', finished_at = $finished_at WHERE run_id = $run_id;

-- Keep only the unhashed values some platform still holds, so that a later run can remove them.
CREATE OR REPLACE TEMP TABLE live AS
WITH latest AS (
    SELECT x.platform, x.audience, arg_max(x.run_id, r.started_at) AS run_id
    FROM audience_export x JOIN run r USING (run_id)
    WHERE r.status = 'succeeded'
    GROUP BY x.platform, x.audience
)
SELECT DISTINCT m.platform, m.sha256 FROM membership m JOIN latest USING (platform, audience, run_id);
DELETE FROM sent_unhashed u WHERE NOT EXISTS (
    SELECT 1 FROM live l WHERE l.platform = u.platform AND l.sha256 = u.sha256);
INSERT OR IGNORE INTO sent_unhashed
SELECT DISTINCT m.platform, m.sha256, m.value FROM staging_member m
WHERE m.value <> m.sha256 AND EXISTS (SELECT 1 FROM live l WHERE l.platform = m.platform AND l.sha256 = m.sha256);
DROP TABLE live;
