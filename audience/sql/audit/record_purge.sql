-- Record that the export directory of run or erasure $run_id was deleted.
INSERT INTO purged_run VALUES ($run_id, $path, $deleted_at, $files, $bytes);
