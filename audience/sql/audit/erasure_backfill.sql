-- Erasures recorded before erasure_batch existed: their suppressions are the ledger batch `audience forget` imported
-- at the very moment it recorded the erasure.
INSERT INTO erasure_batch
SELECT e.erasure_id, b.batch_id
FROM erasure e JOIN import_batch b ON b.imported_at = e.recorded_at AND b.kind = 'suppressions'
WHERE NOT EXISTS (SELECT 1 FROM erasure_batch x WHERE x.erasure_id = e.erasure_id);
