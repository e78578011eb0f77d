-- The suppressions to append, in the ledger's columns (without seq and the hashes), and their position (the file's
-- row number).
-- Parameters: $batch_id, $imported_at.
SELECT
    p.source_row AS position, $batch_id::BIGINT AS batch_id, p.source_row,
    p.customer_id, p.email_hmac, p.phone_hmac, p.kind, p.effective_at,
    coalesce(p.recorded_at, $imported_at::TIMESTAMPTZ) AS recorded_at,
    p.extra,
    $imported_at::TIMESTAMPTZ AS imported_at
FROM consent_parsed p
JOIN consent_verdict v USING (source_row)
WHERE v.verdict = 'new'
