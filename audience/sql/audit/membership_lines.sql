-- The values run $run_id left on ($platform, $audience) by its lineage: one `id_type,sha256` line each, sorted.
SELECT DISTINCT id_type || ',' || sha256 || chr(10) AS line
FROM membership
WHERE run_id = $run_id AND platform = $platform AND audience = $audience
ORDER BY line
