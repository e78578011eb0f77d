-- Keep the accepted rows of a match report (match_checked), replacing what an earlier import said about the same
-- run, platform and audience ($source_file, $imported_at).
INSERT OR REPLACE INTO match_report
SELECT run_id, platform, audience, uploaded, matched, match_rate_range, rate_low, rate_high, $source_file,
       source_row, $imported_at
FROM match_checked
WHERE reason IS NULL
QUALIFY row_number() OVER (PARTITION BY run_id, platform, audience ORDER BY source_row DESC) = 1;
