-- The audit's own evaluation (audit_decision, audit_suppressed) as the same lines as eligible_lines.sql: eligible
-- customers only, sorted.
SELECT d.platform || ',' || d.customer_id || ',' || d.event_id || ',' || CAST(d.identifiers AS VARCHAR)
       || chr(10) AS line
FROM audit_decision d
WHERE d.granted AND d.customer_id NOT IN (SELECT customer_id FROM audit_suppressed)
ORDER BY d.platform, d.customer_id
