-- The (platform, audience, op, id_type) sets of the run in audit_run_value.
SELECT DISTINCT platform, audience, op, id_type FROM audit_run_value ORDER BY ALL
