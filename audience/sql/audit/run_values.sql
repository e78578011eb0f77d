-- What run (or erasure) $run_id sent, per op, computed by the audit itself from the platform states lineage
-- records (membership): full = the state of an exported target; add = in it but not in the state the run started
-- from (the target's base run); remove = in that base state but not in the run's; an erasure's removals as listed.
CREATE OR REPLACE TEMP TABLE audit_run_value AS
WITH targets AS (
    SELECT x.platform, x.audience, x.status, x.base_run_id
    FROM audience_export x JOIN run r USING (run_id)
    WHERE x.run_id = $run_id AND r.status = 'succeeded'
), held AS (
    SELECT m.platform, m.audience, t.status, m.customer_id, m.identifier, m.id_type, m.sha256, m.event_id
    FROM membership m JOIN targets t USING (platform, audience)
    WHERE m.run_id = $run_id
), base AS (
    SELECT m.platform, m.audience, m.customer_id, m.identifier, m.id_type, m.sha256, m.event_id
    FROM membership m JOIN targets t ON m.run_id = t.base_run_id AND m.platform = t.platform
                                    AND m.audience = t.audience
)
SELECT platform, audience, 'full' AS op, customer_id, identifier, id_type, sha256, event_id
FROM held WHERE status = 'exported'
UNION ALL
SELECT h.platform, h.audience, 'add', h.customer_id, h.identifier, h.id_type, h.sha256, h.event_id
FROM held h ANTI JOIN base b USING (platform, audience, id_type, sha256)
WHERE h.status = 'exported'
UNION ALL
SELECT b.platform, b.audience, 'remove', b.customer_id, b.identifier, b.id_type, b.sha256, b.event_id
FROM base b ANTI JOIN held h USING (platform, audience, id_type, sha256)
WHERE NOT EXISTS (
    SELECT 1 FROM erasure_value v JOIN erasure e USING (erasure_id)
    WHERE e.recorded_at < $started_at AND v.platform = b.platform AND v.audience = b.audience
      AND v.id_type = b.id_type AND v.sha256 = b.sha256)
UNION ALL
SELECT platform, audience, 'remove', NULL, NULL, id_type, sha256, NULL FROM erasure_value WHERE erasure_id = $run_id;
