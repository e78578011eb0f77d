-- The (platform, audience, op, id_type) sets of the run in audit_run_value, with their distinct values.
SELECT platform, audience, op, id_type, count(DISTINCT sha256) AS "values" FROM audit_run_value GROUP BY ALL ORDER BY ALL
