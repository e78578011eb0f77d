-- The digest of the consent evaluation run $run_id used.
INSERT OR REPLACE INTO run_evaluation VALUES ($run_id, $rows, $sha256);
