-- Every directory of export files the workspace recorded: successful runs and erasures, oldest first, with what
-- their manifest must hash to and whether retention has purged them.
SELECT d.id, d.kind, d.at, d.out_dir, d.manifest_sha256, d.files,
       p.run_id IS NOT NULL AS purged, p.files AS purged_files
FROM (
    SELECT r.run_id AS id, 'run' AS kind, r.started_at AS at, r.out_dir, r.manifest_sha256,
           (SELECT count(*) FROM export_file f WHERE f.run_id = r.run_id) AS files
    FROM run r WHERE r.status = 'succeeded'
    UNION ALL
    SELECT erasure_id, 'erasure', recorded_at, out_dir, manifest_sha256, files FROM erasure WHERE out_dir IS NOT NULL
) d
LEFT JOIN purged_run p ON p.run_id = d.id
ORDER BY d.at, d.id
