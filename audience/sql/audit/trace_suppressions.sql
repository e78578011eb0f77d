-- Suppressions in the ledger that name the customers in person_customer: by customer id, by the keyed hash given
-- ($email_hmacs, $phone_hmac), or by a keyed hash a run recorded for one of those customers (run_key), so that a
-- trace by customer id also shows the suppression by email or phone that removed them.
WITH keys AS (
    SELECT email_hmac, phone_hmac FROM run_key WHERE customer_id IN (SELECT customer_id FROM person_customer)
    UNION ALL
    SELECT unnest($email_hmacs::VARCHAR[]), NULL
    UNION ALL
    SELECT NULL, $phone_hmac
)
SELECT seq, kind, effective_at, recorded_at,
       CASE WHEN customer_id IN (SELECT customer_id FROM person_customer) THEN 'customer_id'
            WHEN email_hmac IN (SELECT email_hmac FROM keys) THEN 'email' ELSE 'phone' END AS matched_by
FROM suppression
WHERE customer_id IN (SELECT customer_id FROM person_customer)
   OR email_hmac IN (SELECT email_hmac FROM keys) OR phone_hmac IN (SELECT phone_hmac FROM keys)
ORDER BY seq
