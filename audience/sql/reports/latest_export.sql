-- The most recent successful run that exported something to $platform.
SELECT x.run_id FROM audience_export x JOIN run r USING (run_id)
WHERE r.status = 'succeeded' AND x.platform = $platform AND x.status = 'exported'
ORDER BY r.started_at DESC LIMIT 1
