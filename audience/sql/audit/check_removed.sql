-- withdrawal-removed: a value some platform held after the previous run of a target, whose customer is no longer
-- allowed there as of run $run_id (withdrawn, suppressed, expired, or the grant no longer covers the identifier),
-- is removed by run $run_id: the run planned the target and no longer holds the value for that customer. A value
-- another customer (eligible, as the other checks prove) still holds stays on the platform; it is counted apart.
WITH this AS (
    SELECT run_id, started_at FROM run WHERE run_id = $run_id
), previous AS (
    SELECT x.platform, x.audience, arg_max(x.run_id, r.started_at) AS run_id
    FROM audience_export x JOIN run r USING (run_id)
    WHERE r.status = 'succeeded' AND r.started_at < (SELECT started_at FROM this)
    GROUP BY x.platform, x.audience
), held AS (
    SELECT m.* FROM membership m JOIN previous p USING (run_id, platform, audience)
), due AS (
    SELECT h.* FROM held h
    LEFT JOIN audit_decision d ON d.platform = h.platform AND d.customer_id = h.customer_id
    WHERE d.granted IS DISTINCT FROM true OR NOT list_contains(d.identifiers, h.identifier)
       OR h.customer_id IN (SELECT customer_id FROM audit_suppressed)
), bad AS (
    SELECT d.* FROM due d
    WHERE NOT EXISTS (SELECT 1 FROM audience_export x
                      WHERE x.run_id = $run_id AND x.platform = d.platform AND x.audience = d.audience)
       OR EXISTS (SELECT 1 FROM membership m
                  WHERE m.run_id = $run_id AND m.platform = d.platform AND m.audience = d.audience
                    AND m.id_type = d.id_type AND m.sha256 = d.sha256 AND m.customer_id = d.customer_id)
), shared AS (
    SELECT d.* FROM due d
    WHERE EXISTS (SELECT 1 FROM membership m
                  WHERE m.run_id = $run_id AND m.platform = d.platform AND m.audience = d.audience
                    AND m.id_type = d.id_type AND m.sha256 = d.sha256 AND m.customer_id <> d.customer_id)
)
SELECT (SELECT count(*) FROM due) AS checked, (SELECT count(*) FROM bad) AS failed,
       (SELECT count(*) FROM shared) AS shared,
       (SELECT list(platform || '/' || audience || ': customer ' || customer_id || ', ' || id_type || ' '
                    || left(sha256, 12) || '… still held after ' || run_id)
        FROM (SELECT * FROM bad ORDER BY platform, audience, customer_id, id_type LIMIT 3)) AS examples
