-- What produced the runs of a trace ($run_ids): their as-of time, rule-set and code versions, and the input files
-- each read (path and SHA-256), so that an exported value leads back to its input rows and rules.
SELECT r.run_id, r.as_of, r.rules_version, r.code_version, i.input, i.path, i.sha256
FROM run r
LEFT JOIN run_input i USING (run_id)
WHERE list_contains($run_ids, r.run_id)
ORDER BY r.started_at, i.input
