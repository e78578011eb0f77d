-- Keep the suppression keys (HMACs) of the customers run $run_id leaves on some platform.
DELETE FROM exported_key WHERE run_id = $run_id;
INSERT INTO exported_key
SELECT DISTINCT $run_id, k.customer_id, k.email_hmac, k.phone_hmac
FROM customer_key k
WHERE (k.email_hmac IS NOT NULL OR k.phone_hmac IS NOT NULL)
  AND k.customer_id IN (SELECT customer_id FROM staging_member);
