-- Keep, for run $run_id, the suppression keys (HMACs) of the customers eligible somewhere (every customer it leaves
-- on a platform is) and of those a suppression by email or phone names (audit_keys).
DELETE FROM run_key WHERE run_id = $run_id;
INSERT INTO run_key
SELECT $run_id, k.customer_id, k.email_hmac, k.phone_hmac
FROM customer_key k
WHERE (k.email_hmac IS NOT NULL OR k.phone_hmac IS NOT NULL)
  AND k.customer_id IN (SELECT customer_id FROM staging_eligible UNION ALL SELECT customer_id FROM audit_keys);
