-- Consent as of $as_of (grants effective before $grant_cutoff have expired), re-read from the ledger by the audit with a formulation of its own (one aggregate per
-- platform and customer, arg_max over effective_at, recorded_at and ledger order), so that it checks the run's
-- evaluation rather than repeating it. Reads the views audit_event and audit_suppression (evaluation.py) and the
-- customer keys in audit_keys (customer_id, email_hmac, phone_hmac).
CREATE OR REPLACE TEMP TABLE audit_decision AS
WITH known AS (
    SELECT p.platform, e.customer_id, e.seq, e.event_id, e.action, e.effective_at, e.recorded_at, e.identifiers
    FROM audit_event e
    JOIN (VALUES ('google'), ('meta'), ('tiktok')) p(platform) ON e.platform = p.platform OR e.platform = '*'
    WHERE e.effective_at <= $as_of AND e.recorded_at <= $as_of
), deciding AS (
    SELECT platform, customer_id,
           arg_max(struct_pack(event_id, action, effective_at, identifiers),
                   struct_pack(effective_at, recorded_at, seq)) AS d
    FROM known
    GROUP BY platform, customer_id
)
SELECT platform, customer_id, d.event_id AS event_id, d.action AS action, d.effective_at AS effective_at,
       d.identifiers AS identifiers,
       d.action = 'grant' AND d.effective_at < $grant_cutoff AS expired,
       d.action = 'grant' AND d.effective_at >= $grant_cutoff AS granted
FROM deciding;

CREATE OR REPLACE TEMP TABLE audit_suppressed AS
WITH active AS (
    SELECT * FROM audit_suppression WHERE effective_at <= $as_of AND recorded_at <= $as_of
)
SELECT customer_id, min(kind) AS kind FROM (
    SELECT customer_id, kind FROM active WHERE customer_id IS NOT NULL
    UNION ALL
    SELECT k.customer_id, a.kind FROM active a JOIN audit_keys k ON k.email_hmac = a.email_hmac
    UNION ALL
    SELECT k.customer_id, a.kind FROM active a JOIN audit_keys k ON k.phone_hmac = a.phone_hmac
)
GROUP BY customer_id;
