-- Everything runs sent for the customers in person_customer (customer_id): per run, platform, audience and op
-- (full, add, remove, or `kept` for a held-back audience the platform still holds them in), the value's id type and
-- hash, and the consent event lineage names for it.
WITH sent AS (
    SELECT run_id, platform, audience, op, customer_id, identifier, id_type, sha256, event_id
    FROM exported_value WHERE customer_id IN (SELECT customer_id FROM person_customer)
    UNION ALL
    SELECT m.run_id, m.platform, m.audience, 'kept', m.customer_id, m.identifier, m.id_type, m.sha256, m.event_id
    FROM membership m
    JOIN audience_export x USING (run_id, platform, audience)
    WHERE x.status = 'held_back' AND m.customer_id IN (SELECT customer_id FROM person_customer)
)
SELECT s.run_id, r.as_of, r.started_at, r.out_dir, s.platform, s.audience, s.op, s.customer_id, s.identifier, s.id_type, s.sha256,
       s.event_id, e.action, e.platform AS scope, e.effective_at, e.recorded_at
FROM sent s
JOIN run r ON r.run_id = s.run_id AND r.status = 'succeeded'
LEFT JOIN consent_event e ON e.event_id = s.event_id
ORDER BY r.started_at, s.platform, s.audience,
         CASE s.op WHEN 'full' THEN 1 WHEN 'add' THEN 2 WHEN 'remove' THEN 3 ELSE 4 END, s.id_type, s.sha256
