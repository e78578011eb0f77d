-- Everything runs sent for the customers of trace_prepare.sql: per run, platform, audience and op
-- (full, add, remove, or `kept` for a held-back audience the platform still holds them in), the value's id type and
-- hash, and the consent event lineage names for it; `unhashed` (an advertising ID the platform received as it is,
-- while the workspace still holds it) only to find the files, never shown; `purged` whether retention deleted the
-- run's directory (a file missing otherwise is reported as such). Ops follow the deltas by value: a value
-- is added when the target's base state lacked it, removed when the run's state no longer has it (unless an
-- erasure before the run already removed it).
WITH mine AS (
    SELECT * FROM trace_mine
), targets AS (
    SELECT x.run_id, x.platform, x.audience, x.status, x.base_run_id, r.started_at
    FROM audience_export x JOIN run r USING (run_id) WHERE r.status = 'succeeded'
), sent AS (
    SELECT t.run_id, m.platform, m.audience, CASE t.status WHEN 'exported' THEN 'full' ELSE 'kept' END AS op,
           m.customer_id, m.identifier, m.id_type, m.sha256, m.event_id
    FROM mine m JOIN targets t USING (run_id, platform, audience)
    UNION ALL
    SELECT t.run_id, m.platform, m.audience, 'add', m.customer_id, m.identifier, m.id_type, m.sha256, m.event_id
    FROM mine m JOIN targets t USING (run_id, platform, audience)
    WHERE t.status = 'exported' AND NOT EXISTS (
        SELECT 1 FROM trace_same b WHERE b.run_id = t.base_run_id AND b.platform = m.platform
           AND b.audience = m.audience AND b.id_type = m.id_type AND b.sha256 = m.sha256)
    UNION ALL
    SELECT t.run_id, b.platform, b.audience, 'remove', b.customer_id, b.identifier, b.id_type, b.sha256, b.event_id
    FROM mine b JOIN targets t ON b.run_id = t.base_run_id AND b.platform = t.platform AND b.audience = t.audience
    WHERE NOT EXISTS (
        SELECT 1 FROM trace_same m WHERE m.run_id = t.run_id AND m.platform = b.platform
           AND m.audience = b.audience AND m.id_type = b.id_type AND m.sha256 = b.sha256)
      AND NOT EXISTS (
        SELECT 1 FROM erasure_value v JOIN erasure e USING (erasure_id)
        WHERE e.recorded_at < t.started_at AND v.platform = b.platform AND v.audience = b.audience
          AND v.id_type = b.id_type AND v.sha256 = b.sha256)
)
SELECT s.run_id, r.as_of, r.started_at, r.out_dir, s.platform, s.audience, s.op, s.customer_id, s.identifier,
       s.id_type, s.sha256, s.event_id, e.action, e.platform AS scope, e.effective_at, e.recorded_at,
       u.value AS unhashed, pr.run_id IS NOT NULL AS purged
FROM sent s
JOIN run r ON r.run_id = s.run_id
LEFT JOIN purged_run pr ON pr.run_id = s.run_id
LEFT JOIN consent_event e ON e.event_id = s.event_id
LEFT JOIN sent_unhashed u ON u.platform = s.platform AND u.sha256 = s.sha256
ORDER BY r.started_at, s.platform, s.audience,
         CASE s.op WHEN 'full' THEN 1 WHEN 'add' THEN 2 WHEN 'remove' THEN 3 ELSE 4 END, s.id_type, s.sha256
