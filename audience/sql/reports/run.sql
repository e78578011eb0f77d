-- One run ($run_id) as a report names it, with the number of files it wrote, and the successful runs up to it and
-- after it.
SELECT r.run_id, r.as_of, r.started_at, r.finished_at, r.status, r.code_version, r.rules_version, r.config_sha256,
       r.ledger_head_seq, r.ledger_head_hash, r.manifest_sha256,
       (SELECT count(*) FROM export_file f WHERE f.run_id = r.run_id) AS files,
       (SELECT count(*) FROM run s WHERE s.status = 'succeeded' AND s.started_at <= r.started_at) AS succeeded_runs,
       (SELECT count(*) FROM run s WHERE s.status = 'succeeded' AND s.started_at > r.started_at) AS later_runs
FROM run r
WHERE r.run_id = $run_id
