-- The suppressions that count for a run as of $as_of: the ledger's (effective and known at $as_of), and every
-- erasure `audience forget` recorded before the run, whatever its as-of time: an erased person is never exported
-- again, by a back-dated run either. Columns as consent/sql/counting_suppression.sql.
SELECT * FROM (/*@counting*/)
UNION
SELECT seq, customer_id, email_hmac, phone_hmac, kind, effective_at, recorded_at FROM suppression
WHERE batch_id IN (SELECT batch_id FROM erasure_batch)
