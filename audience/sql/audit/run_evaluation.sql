-- The digest of the consent evaluation run $run_id recorded, if it did.
SELECT "rows", sha256 FROM run_evaluation WHERE run_id = $run_id
