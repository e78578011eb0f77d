-- Whether run $run_id succeeded and recorded a platform state for $platform (an exported or held-back audience).
SELECT x.run_id FROM audience_export x JOIN run r USING (run_id)
WHERE r.status = 'succeeded' AND x.run_id = $run_id AND x.platform = $platform
LIMIT 1
