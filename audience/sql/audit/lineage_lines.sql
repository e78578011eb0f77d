-- The values lineage says ($platform, $audience, $op) of the run in audit_run_value carries with one of the
-- id types $id_types: one `id_type,sha256` line each, sorted.
SELECT DISTINCT id_type || ',' || sha256 || chr(10) AS line
FROM audit_run_value
WHERE platform = $platform AND audience = $audience AND op = $op AND list_contains($id_types, id_type)
ORDER BY line
