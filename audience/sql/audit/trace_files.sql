-- The files run $run_id wrote for ($platform, $audience, $op).
SELECT path, platform, audience, op, identifier, rows, sha256 FROM export_file
WHERE run_id = $run_id AND platform = $platform AND audience = $audience AND op = $op
ORDER BY path
