-- Withdrawals and suppressions effective by $since but recorded after it (up to /*@until*/): a run as of $since
-- could not know them, and the next run removes the people concerned. lag = recorded_at - effective_at.
-- A suppression given by email or phone appears once per customer it matches (customer_id NULL if none).
WITH late_suppression AS (
    /*@suppressed*/
)
SELECT 'consent_event' AS ledger_table, seq, event_id, customer_id, platform, action AS what, effective_at,
       recorded_at, recorded_at - effective_at AS lag
FROM consent_event
WHERE action = 'withdraw' AND effective_at <= $since AND recorded_at > $since /*@until*/
UNION ALL
SELECT 'suppression', s.seq, NULL, m.customer_id, '*', s.kind, s.effective_at, s.recorded_at,
       s.recorded_at - s.effective_at
FROM suppression s
LEFT JOIN (SELECT DISTINCT seq, customer_id FROM late_suppression) m USING (seq)
WHERE s.effective_at <= $since AND s.recorded_at > $since /*@until*/
