-- Suppressions in the ledger that name the customers in person_customer, or the person's keyed hash.
SELECT seq, kind, effective_at, recorded_at,
       CASE WHEN customer_id IN (SELECT customer_id FROM person_customer) THEN 'customer_id'
            WHEN email_hmac = $email_hmac THEN 'email' ELSE 'phone' END AS matched_by
FROM suppression
WHERE customer_id IN (SELECT customer_id FROM person_customer)
   OR email_hmac = $email_hmac OR phone_hmac = $phone_hmac
ORDER BY seq
