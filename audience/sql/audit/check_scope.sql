-- identifier-scope: every value the run exported (audit_run_value) is of an identifier kind its deciding grant
-- covers, and lineage names that grant as the deciding event.
WITH exported AS (
    SELECT * FROM audit_run_value WHERE op = 'full'
), bad AS (
    SELECT e.*, d.event_id AS deciding FROM exported e
    JOIN audit_decision d ON d.platform = e.platform AND d.customer_id = e.customer_id
    WHERE d.action = 'grant' AND (NOT list_contains(d.identifiers, e.identifier) OR d.event_id <> e.event_id)
)
SELECT (SELECT count(*) FROM exported) AS checked, (SELECT count(*) FROM bad) AS failed,
       (SELECT list(platform || '/' || audience || ': customer ' || customer_id || ', ' || identifier
                    || ' under event ' || event_id || ' (deciding: ' || deciding || ')')
        FROM (SELECT * FROM bad ORDER BY platform, audience, customer_id, id_type LIMIT 3)) AS examples
