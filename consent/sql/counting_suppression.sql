-- The suppressions that count as of $as_of (effective and known then), with only the columns `evaluate` reads.
SELECT seq, customer_id, email_hmac, phone_hmac, kind, effective_at, recorded_at
FROM suppression
WHERE effective_at <= $as_of AND recorded_at <= $as_of
