-- The customers a person is: those whose exported phone numbers hash to one of the person's platform strings
-- (person_hash: platform, identifier, sha256; none for an email, whose platform forms other addresses may share),
-- whose recorded keys carry one of the person's keyed hashes ($email_hmacs, $phone_hmac), or the customer id given
-- ($customer_id) when the workspace knows it (lineage, recorded keys or the consent ledger name it), so that a
-- mistyped id finds no one.
SELECT DISTINCT customer_id FROM (
    SELECT m.customer_id FROM membership m
    JOIN person_hash h ON h.platform = m.platform AND h.identifier = m.identifier AND h.sha256 = m.sha256
    UNION ALL
    SELECT customer_id FROM run_key WHERE list_contains($email_hmacs::VARCHAR[], email_hmac) OR phone_hmac = $phone_hmac
    UNION ALL
    SELECT CAST($customer_id AS VARCHAR) WHERE $customer_id IS NOT NULL AND (
        EXISTS (SELECT 1 FROM membership WHERE customer_id = $customer_id)
        OR EXISTS (SELECT 1 FROM run_key WHERE customer_id = $customer_id)
        OR EXISTS (SELECT 1 FROM consent_event WHERE customer_id = $customer_id)
        OR EXISTS (SELECT 1 FROM suppression WHERE customer_id = $customer_id))
)
ORDER BY customer_id
