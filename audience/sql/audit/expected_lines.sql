-- The values target ($platform, $audience) should hold, by the audit's own evaluation (audit_decision,
-- audit_suppressed) of the run's staged audience and identifiers: one `id_type,sha256` line each, sorted.
SELECT DISTINCT i.id_type || ',' || i.sha256 || chr(10) AS line
FROM staging_audience a
JOIN staging_identifier i ON i.customer_id = a.customer_id AND i.platform = $platform
JOIN audit_decision d
  ON d.platform = i.platform AND d.customer_id = a.customer_id AND d.granted
 AND list_contains(d.identifiers, i.identifier)
WHERE a.audience = $audience
  AND NOT EXISTS (SELECT 1 FROM audit_suppressed s WHERE s.customer_id = a.customer_id)
ORDER BY line
