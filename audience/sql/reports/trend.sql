-- Every successful run up to and including $run_id, per target: what it exported and the match rate its platform
-- reported (rate_low = rate_high for exact counts; a Google range gives its bounds).
SELECT x.platform, x.audience, x.run_id, r.as_of, x.status,
       CASE WHEN x.status = 'exported' THEN x.customers ELSE 0 END AS exported,
       m.uploaded, m.matched, m.match_rate_range, m.rate_low, m.rate_high
FROM audience_export x
JOIN run r USING (run_id)
LEFT JOIN match_report m USING (run_id, platform, audience)
WHERE r.status = 'succeeded' AND r.started_at <= (SELECT started_at FROM run WHERE run_id = $run_id)
ORDER BY x.platform, x.audience, r.started_at
