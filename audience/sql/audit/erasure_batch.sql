-- The ledger batch holding erasure $erasure_id's suppressions ($batch_id), recorded as soon as they are imported:
-- from then on they count for every run whatever its as-of time, even if the rest of the erasure fails.
INSERT INTO erasure_batch VALUES ($erasure_id, $batch_id);
