-- no-expired-grant: no value the run exported (audit_run_value) relied on a grant older than the consent lifetime at
-- the run's as-of time.
WITH exported AS (
    SELECT * FROM audit_run_value WHERE op = 'full'
), bad AS (
    SELECT e.*, d.effective_at AS granted_at FROM exported e
    JOIN audit_decision d ON d.platform = e.platform AND d.customer_id = e.customer_id
    WHERE d.expired
)
SELECT (SELECT count(*) FROM exported) AS checked, (SELECT count(*) FROM bad) AS failed,
       (SELECT list(platform || '/' || audience || ': customer ' || customer_id || ', grant ' || event_id
                    || ' of ' || CAST(granted_at AS VARCHAR))
        FROM (SELECT * FROM bad ORDER BY platform, audience, customer_id, id_type LIMIT 3)) AS examples
