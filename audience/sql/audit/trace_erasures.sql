-- Removals `audience forget` wrote for the customers in person_customer.
SELECT e.erasure_id, e.recorded_at, v.platform, v.audience, v.id_type, v.sha256, e.out_dir
FROM erasure e
JOIN erasure_value v USING (erasure_id)
WHERE e.erasure_id IN (SELECT erasure_id FROM erasure_customer
                       WHERE customer_id IN (SELECT customer_id FROM person_customer))
ORDER BY e.recorded_at, v.platform, v.audience, v.id_type, v.sha256
