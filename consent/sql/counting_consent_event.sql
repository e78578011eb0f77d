-- The consent events that count as of $as_of (effective and known then), with only the columns `evaluate` reads.
SELECT seq, customer_id, platform, action, effective_at, recorded_at, identifiers, event_id
FROM consent_event
WHERE effective_at <= $as_of AND recorded_at <= $as_of
