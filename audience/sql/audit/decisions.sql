-- Consent as of $as_of by what the ledger held up to seq $head_seq (grants effective before $grant_cutoff have
-- expired), re-read by the audit with a formulation of its own (one arg_max per platform and customer over
-- effective_at, recorded_at and ledger order), so that it checks the run's evaluation rather than repeating it.
-- Reads the view audit_event; a platform's decision comes from its own events and those for '*'.
CREATE OR REPLACE TEMP TABLE audit_decision AS
WITH known AS (
    SELECT e.customer_id, e.platform, e.seq, e.event_id, e.action, e.effective_at, e.recorded_at, e.identifiers
    FROM audit_event e
    WHERE e.effective_at <= $as_of AND e.recorded_at <= $as_of AND e.seq <= $head_seq
), applying AS (
    SELECT platform, customer_id, seq, event_id, action, effective_at, recorded_at, identifiers
    FROM known WHERE platform <> '*'
    UNION ALL
    SELECT p.platform, k.customer_id, k.seq, k.event_id, k.action, k.effective_at, k.recorded_at, k.identifiers
    FROM known k CROSS JOIN (SELECT unnest($platforms) AS platform) p
    WHERE k.platform = '*'
), deciding AS (
    SELECT platform, customer_id,
           arg_max(struct_pack(event_id, action, effective_at, identifiers),
                   struct_pack(effective_at, recorded_at, seq)) AS d
    FROM applying
    GROUP BY platform, customer_id
)
SELECT platform, customer_id, d.event_id AS event_id, d.action AS action, d.effective_at AS effective_at,
       list_sort(d.identifiers) AS identifiers,
       d.action = 'grant' AND d.effective_at < $grant_cutoff AS expired,
       d.action = 'grant' AND d.effective_at >= $grant_cutoff AS granted
FROM deciding;
