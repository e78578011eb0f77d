-- The ledger's suppressions, and the keys of the customers now staging (customer_key) that some suppression by email
-- or phone names: all a run-time evaluation of suppressions needs.
CREATE OR REPLACE TEMP VIEW audit_suppression AS
SELECT seq, customer_id, email_hmac, phone_hmac, kind, effective_at, recorded_at,
       batch_id IN (SELECT batch_id FROM erasure_batch) AS erased
FROM suppression;

CREATE OR REPLACE TEMP TABLE audit_keys AS
SELECT k.customer_id, k.email_hmac, k.phone_hmac FROM customer_key k
WHERE k.email_hmac IN (SELECT email_hmac FROM suppression WHERE email_hmac IS NOT NULL)
   OR k.phone_hmac IN (SELECT phone_hmac FROM suppression WHERE phone_hmac IS NOT NULL);
