-- What to do with each usable suppression of the file (consent_parsed): 'new', or 'duplicate' when the ledger
-- holds the same person (customer_id and keyed hashes), kind and effective_at, or an earlier row of the file does.
WITH valid AS (
    SELECT source_row, customer_id, email_hmac, phone_hmac, kind, effective_at
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
),
firsts AS (
    SELECT min(source_row) AS source_row
    FROM valid
    GROUP BY customer_id, email_hmac, phone_hmac, kind, effective_at
)
SELECT
    v.source_row,
    CASE WHEN r.source_row IS NOT NULL OR f.source_row IS NULL THEN 'duplicate' ELSE 'new' END AS verdict
FROM valid v
LEFT JOIN recorded r USING (source_row)
LEFT JOIN firsts f USING (source_row)
