-- Successful runs in start order, with what the audit needs to find their files.
SELECT r.run_id, r.as_of, r.out_dir, r.manifest_sha256, r.ledger_head_seq, r.ledger_head_hash,
       p.run_id IS NOT NULL AS purged, p.path AS purged_path, p.files AS purged_files
FROM run r LEFT JOIN purged_run p USING (run_id)
WHERE r.status = 'succeeded'
ORDER BY r.started_at
