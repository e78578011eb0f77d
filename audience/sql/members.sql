-- Who each target (platform, audience) holds now: eligible customers of the audience, with the identifiers
-- their deciding grant covers.
CREATE OR REPLACE TABLE staging_member AS
SELECT t.platform, a.audience, i.customer_id, i.identifier, i.id_type, i.value, i.sha256, e.event_id
FROM staging_target t
JOIN staging_audience a ON a.audience = t.audience
JOIN staging_eligible e ON e.platform = t.platform AND e.customer_id = a.customer_id
JOIN staging_identifier i
  ON i.platform = e.platform AND i.customer_id = e.customer_id AND list_contains(e.identifiers, i.identifier);
