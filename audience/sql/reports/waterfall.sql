-- Every target (platform, audience) of one run ($run_id): the counts the run recorded at each step of the
-- exclusion waterfall (NULL where it recorded none) and the matches its platform reported back. Without recorded
-- steps, the run's own lineage still gives the customers that passed every filter and whether they were exported.
SELECT x.platform, x.audience, x.status, x.condition, x.minimum, x.remove_rows,
       f.customers, f.with_identifier, f.valid, f.consented,
       coalesce(f.not_suppressed, x.customers) AS not_suppressed,
       coalesce(f.exported, CASE WHEN x.status = 'exported' THEN x.customers ELSE 0 END) AS exported,
       m.uploaded, m.matched, m.match_rate_range, m.rate_low, m.rate_high, m.source_file
FROM audience_export x
LEFT JOIN funnel f
  ON f.run_id = x.run_id AND f.platform = x.platform AND f.audience = x.audience AND f.identifier = 'any'
LEFT JOIN match_report m ON m.run_id = x.run_id AND m.platform = x.platform AND m.audience = x.audience
WHERE x.run_id = $run_id
ORDER BY x.platform, x.audience
