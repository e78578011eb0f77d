-- What to do with each usable suppression of the file (consent_parsed): 'new', or 'duplicate' when it adds nothing:
-- the ledger, or another row of the file, holds the same person (customer_id and keyed hashes), kind and
-- effective_at recorded no later, so it counts at every as-of time this row would (of equal copies in the file, the
-- first is kept). A row without recorded_at is recorded at the import ($imported_at).
WITH valid AS (
    SELECT source_row, customer_id, email_hmac, phone_hmac, kind, effective_at,
           coalesce(recorded_at, $imported_at::TIMESTAMPTZ) AS known_at
    FROM consent_parsed
    WHERE usable
),
recorded AS (
    SELECT DISTINCT v.source_row
    FROM valid v
    JOIN suppression l
      ON l.kind = v.kind AND l.effective_at = v.effective_at
     AND l.customer_id IS NOT DISTINCT FROM v.customer_id
     AND l.email_hmac IS NOT DISTINCT FROM v.email_hmac
     AND l.phone_hmac IS NOT DISTINCT FROM v.phone_hmac
     AND l.recorded_at <= v.known_at
),
firsts AS (
    SELECT source_row
    FROM valid
    QUALIFY row_number() OVER (PARTITION BY customer_id, email_hmac, phone_hmac, kind, effective_at
                               ORDER BY known_at, source_row) = 1
)
SELECT
    v.source_row,
    CASE WHEN r.source_row IS NOT NULL OR f.source_row IS NULL THEN 'duplicate' ELSE 'new' END AS verdict
FROM valid v
LEFT JOIN recorded r USING (source_row)
LEFT JOIN firsts f USING (source_row)
