-- The events to append, in the ledger's columns (without seq and the hashes), and their position.
-- Parameters: $batch_id, $imported_at, $all_identifiers.
SELECT
    v.position, $batch_id::BIGINT AS batch_id, p.source_row,
    p.event_id, p.customer_id, p.platform, p.action, p.effective_at,
    coalesce(p.recorded_at, $imported_at::TIMESTAMPTZ) AS recorded_at,
    coalesce(p.identifiers, $all_identifiers::VARCHAR[]) AS identifiers,
    p.source, p.source_record_id, p.notice_version, p.extra,
    $imported_at::TIMESTAMPTZ AS imported_at
FROM consent_parsed p
JOIN consent_verdict v USING (source_row)
WHERE v.verdict = 'new'
