-- Every ledger row concerning one customer ($customer_id), in ledger order: their consent events, and the
-- suppressions naming them by customer_id or matching their keyed email or phone hash.
SELECT seq, effective_at, recorded_at, action AS what, platform, event_id, identifiers, 'customer_id' AS matched_by
FROM consent_event
WHERE customer_id = $customer_id
UNION ALL
SELECT seq, effective_at, recorded_at, kind, '*', NULL, []::VARCHAR[], matched_by
FROM (/*@suppressed*/)
WHERE customer_id = $customer_id
ORDER BY seq, matched_by
