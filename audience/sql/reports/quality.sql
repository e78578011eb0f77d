-- Rejected rows and identifier values of one run ($run_id), counted by input, column, platform and reason.
SELECT input, coalesce("column", '') AS "column", coalesce(platform, 'all') AS platform, reason, count(*) AS rows
FROM rejected_row
WHERE run_id = $run_id
GROUP BY ALL
ORDER BY input, "column", platform, rows DESC, reason
