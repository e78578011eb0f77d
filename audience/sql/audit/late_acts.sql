-- Late acts: withdrawals and suppressions effective by the as-of time of a successful run in $runs that exported
-- the customer (on that platform; a suppression on any), but imported after the run (seq beyond the ledger head it
-- recorded), so the run could not count them: recorded late (recorded_at after the as-of time) or back-dated
-- (recorded_at by the as-of time, yet not in the ledger the run saw). A suppression matches by customer id or by the
-- keyed hashes the run recorded for the customer. Each act names the first successful run that saw it and whether
-- that run still left the customer's values on the platform.
WITH runs AS (
    SELECT run_id, as_of, started_at, coalesce(ledger_head_seq, 0) AS head
    FROM run WHERE status = 'succeeded' AND list_contains($runs, run_id)
), held AS (
    SELECT DISTINCT m.run_id, m.platform, m.customer_id FROM membership m JOIN runs USING (run_id)
), acts AS (
    SELECT r.run_id, r.as_of, r.started_at, h.platform, h.customer_id, e.seq, 'withdraw (' || e.platform || ')' AS act,
           e.effective_at, e.recorded_at, e.imported_at
    FROM runs r JOIN held h USING (run_id)
    JOIN consent_event e ON e.customer_id = h.customer_id AND e.platform IN (h.platform, '*')
    WHERE e.action = 'withdraw' AND e.effective_at <= r.as_of AND e.seq > r.head
    UNION
    SELECT r.run_id, r.as_of, r.started_at, h.platform, h.customer_id, s.seq, s.kind, s.effective_at, s.recorded_at,
           s.imported_at
    FROM runs r JOIN held h USING (run_id)
    LEFT JOIN run_key k ON k.run_id = h.run_id AND k.customer_id = h.customer_id
    JOIN suppression s ON s.customer_id = h.customer_id OR s.email_hmac = k.email_hmac OR s.phone_hmac = k.phone_hmac
    WHERE s.effective_at <= r.as_of AND s.seq > r.head
)
SELECT a.run_id, a.customer_id, a.platform, a.seq, a.act, a.effective_at, a.recorded_at, a.imported_at,
       a.recorded_at - a.effective_at AS lag, a.recorded_at <= a.as_of AS back_dated,
       n.run_id AS seen_by,
       EXISTS (SELECT 1 FROM membership m WHERE m.run_id = n.run_id AND m.platform = a.platform
               AND m.customer_id = a.customer_id) AS still_held
FROM acts a
LEFT JOIN LATERAL (
    SELECT run_id FROM run
    WHERE status = 'succeeded' AND started_at > a.started_at AND coalesce(ledger_head_seq, 0) >= a.seq
    ORDER BY started_at LIMIT 1
) n ON true
ORDER BY a.run_id, a.customer_id, a.platform, a.seq
