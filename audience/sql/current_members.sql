-- Who each staged target holds now: the eligible customers of its audience, with the identifiers their deciding grant
-- covers (SHA-256 as its 32 bytes). It reads staging_target, staging_audience, staging_eligible and
-- staging_identifier: the run's staging tables, or a partition's tables of the same names.
-- Rows: platform, audience, customer_id, identifier, id_type, sha256, unhashed, event_id.
SELECT t.platform, a.audience, i.customer_id, i.identifier::VARCHAR AS identifier, i.id_type::VARCHAR AS id_type,
       i.sha256, i.unhashed, e.event_id
FROM staging_target t
JOIN staging_audience a ON a.audience = t.audience
JOIN staging_eligible e ON e.platform = t.platform AND e.customer_id = a.customer_id
JOIN staging_identifier i
  ON i.platform = e.platform AND i.customer_id = e.customer_id AND list_contains(e.identifiers, i.identifier)
