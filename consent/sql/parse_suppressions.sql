-- Typed suppressions from the staged text (consent_source) and the keyed hashes of their normalised emails and
-- phones (consent_email_keys, consent_phone_keys), with a problem column per field and whether the row is usable.
-- Parameters: $kinds, $kind_problem, $id_pattern / $id_problem (ids that match no customer).
WITH typed AS (
    SELECT
        s.rowid + 1 AS source_row,
        s.row_problem,
        CASE WHEN NOT regexp_matches(s.customer_id, $id_pattern) THEN s.customer_id END AS customer_id,
        CASE WHEN regexp_matches(s.customer_id, $id_pattern) THEN $id_problem END AS customer_id_problem,
        s.email IS NOT NULL AS email_given,
        e.hmac AS email_hmac,
        e.reason AS email_problem,
        s.phone IS NOT NULL AS phone_given,
        p.hmac AS phone_hmac,
        p.reason AS phone_problem,
        lower(s.kind) AS kind,
        s.effective_at AS effective_at_text,
        consent_instant(s.effective_at) AS effective_at,
        s.recorded_at AS recorded_at_text,
        consent_instant(s.recorded_at) AS recorded_at,
        s.extra
    FROM consent_source s
    LEFT JOIN consent_email_keys e ON e.raw = s.email
    LEFT JOIN consent_phone_keys p ON p.raw = s.phone AND p.country IS NOT DISTINCT FROM s.country
),
checked AS (
    SELECT
        *,
        CASE WHEN kind IS NULL THEN 'missing'
             WHEN NOT list_contains($kinds, kind) THEN $kind_problem END AS kind_problem,
        CASE WHEN effective_at_text IS NULL THEN 'missing'
             ELSE consent_instant_problem(effective_at_text, effective_at) END AS effective_at_problem,
        consent_instant_problem(recorded_at_text, recorded_at) AS recorded_at_problem,
        coalesce(customer_id_problem, CASE WHEN customer_id IS NULL AND NOT email_given AND NOT phone_given
                                           THEN 'missing: give a customer_id, an email or a phone' END) AS key_problem,
        customer_id IS NOT NULL OR email_hmac IS NOT NULL OR phone_hmac IS NOT NULL AS keyed
    FROM typed
)
SELECT
    *,
    row_problem IS NULL AND kind_problem IS NULL AND effective_at_problem IS NULL AND recorded_at_problem IS NULL
        AND keyed AS usable
FROM checked
