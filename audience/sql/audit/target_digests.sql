-- Per target run $run_id exported: the digest an independent evaluation recorded while the run staged it.
SELECT x.platform, x.audience, d."values", d.sha256
FROM audience_export x
LEFT JOIN target_digest d USING (run_id, platform, audience)
WHERE x.run_id = $run_id AND x.status = 'exported'
ORDER BY x.platform, x.audience
