-- The files lineage records for run $run_id, as manifest entries.
SELECT path, platform, audience, op, identifier, rows, sha256 FROM export_file WHERE run_id = $run_id ORDER BY path
