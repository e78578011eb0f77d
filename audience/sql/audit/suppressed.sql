-- Customers suppressed as of $as_of by what the ledger held up to seq $head_seq: by customer id, or by the keyed
-- hash of an email or phone matched against audit_keys. An erasure `audience forget` recorded counts whatever the
-- as-of time, as it did for the run.
CREATE OR REPLACE TEMP TABLE audit_suppressed AS
WITH active AS (
    SELECT * FROM audit_suppression
    WHERE (erased OR (effective_at <= $as_of AND recorded_at <= $as_of)) AND seq <= $head_seq
)
SELECT customer_id, min(kind) AS kind FROM (
    SELECT customer_id, kind FROM active WHERE customer_id IS NOT NULL
    UNION ALL
    SELECT k.customer_id, a.kind FROM active a JOIN audit_keys k ON k.email_hmac = a.email_hmac
    UNION ALL
    SELECT k.customer_id, a.kind FROM active a JOIN audit_keys k ON k.phone_hmac = a.phone_hmac
)
GROUP BY customer_id;
