-- not-suppressed: no value the run exported (audit_run_value) belongs to a customer suppressed as of the run
-- (objection, erasure, minor, closed account), matched by customer_id or by the HMAC of an email or phone.
WITH exported AS (
    SELECT * FROM audit_run_value WHERE op = 'full'
), bad AS (
    SELECT e.*, s.kind FROM exported e JOIN audit_suppressed s USING (customer_id)
)
SELECT (SELECT count(*) FROM exported) AS checked, (SELECT count(*) FROM bad) AS failed,
       (SELECT list(platform || '/' || audience || ': customer ' || customer_id || ' (' || kind || '), '
                    || id_type || ' ' || left(sha256, 12) || '…')
        FROM (SELECT * FROM bad ORDER BY platform, audience, customer_id, id_type LIMIT 3)) AS examples
