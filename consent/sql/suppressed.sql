-- The customers excluded by the suppressions that satisfy /*@counting*/ (a condition on the suppression table):
-- by the suppression's customer_id, and by its keyed email or phone hash matched against the customer keys table.
-- Rows: customer_id, seq, kind, effective_at, recorded_at, matched_by.
WITH active AS (
    SELECT seq, customer_id, email_hmac, phone_hmac, kind, effective_at, recorded_at
    FROM suppression
    WHERE /*@counting*/
)
SELECT customer_id, seq, kind, effective_at, recorded_at, 'customer_id' AS matched_by
FROM active
WHERE customer_id IS NOT NULL
/*@by_identifier*/
