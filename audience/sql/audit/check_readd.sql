-- no-readd-without-grant: a value run $run_id added (audit_run_value, run_values.sql) that the platform had held for the customer before is added
-- under a grant newer (by effective_at, recorded_at, ledger order) than every withdrawal for that platform known
-- at the run (up to the ledger head it recorded), and the customer is not suppressed.
WITH this AS (
    SELECT started_at, as_of, coalesce(ledger_head_seq, 4611686018427387904) AS head FROM run WHERE run_id = $run_id
), earlier AS (
    SELECT DISTINCT m.platform, m.customer_id, m.sha256
    FROM membership m JOIN run r USING (run_id)
    WHERE r.status = 'succeeded' AND r.started_at < $started_at
), readds AS (
    SELECT a.* FROM audit_run_value a SEMI JOIN earlier e USING (platform, customer_id, sha256)
    WHERE a.op = 'add'
), withdrawals AS (
    SELECT e.customer_id, p.platform,
           max(struct_pack(effective_at := e.effective_at, recorded_at := e.recorded_at, seq := e.seq)) AS latest
    FROM consent_event e
    JOIN (VALUES ('google'), ('meta'), ('tiktok')) p(platform) ON e.platform = p.platform OR e.platform = '*'
    WHERE e.action = 'withdraw' AND e.seq <= (SELECT head FROM this)
      AND e.effective_at <= (SELECT as_of FROM this) AND e.recorded_at <= (SELECT as_of FROM this)
    GROUP BY e.customer_id, p.platform
), bad AS (
    SELECT r.* FROM readds r
    LEFT JOIN consent_event g ON g.event_id = r.event_id
    LEFT JOIN withdrawals w ON w.customer_id = r.customer_id AND w.platform = r.platform
    WHERE g.action IS DISTINCT FROM 'grant'
       OR struct_pack(effective_at := g.effective_at, recorded_at := g.recorded_at, seq := g.seq) <= w.latest
       OR r.customer_id IN (SELECT customer_id FROM audit_suppressed)
)
SELECT (SELECT count(*) FROM readds) AS checked, (SELECT count(*) FROM bad) AS failed,
       (SELECT list(platform || '/' || audience || ': customer ' || customer_id || ', ' || id_type || ' '
                    || left(sha256, 12) || '… re-added under ' || event_id)
        FROM (SELECT * FROM bad ORDER BY platform, audience, customer_id, id_type LIMIT 3)) AS examples
