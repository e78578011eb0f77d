-- consent-as-of-run: every value the run exported (audit_run_value: the full membership of an exported target)
-- belongs to a customer whose deciding consent event for that platform, re-read from the ledger as of the run, is a
-- grant.
WITH exported AS (
    SELECT * FROM audit_run_value WHERE op = 'full'
), bad AS (
    SELECT e.* FROM exported e
    LEFT JOIN audit_decision d ON d.platform = e.platform AND d.customer_id = e.customer_id
    WHERE d.action IS DISTINCT FROM 'grant'
)
SELECT (SELECT count(*) FROM exported) AS checked, (SELECT count(*) FROM bad) AS failed,
       (SELECT list(platform || '/' || audience || ': customer ' || customer_id || ', ' || id_type || ' '
                    || left(sha256, 12) || '…')
        FROM (SELECT * FROM bad ORDER BY platform, audience, customer_id, id_type LIMIT 3)) AS examples
