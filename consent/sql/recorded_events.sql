-- The usable events of the file (consent_parsed) whose event_id the ledger already holds: the ledger row's seq, and
-- whether its content is the same. An absent recorded_at matches any: it only ever defaults to the time of an import.
-- Parameters: $all_identifiers.
SELECT v.source_row, l.seq,
       l.customer_id = v.customer_id AND l.platform = v.platform AND l.action = v.action
       AND l.effective_at = v.effective_at AND (v.recorded_at IS NULL OR l.recorded_at = v.recorded_at)
       AND l.identifiers = coalesce(v.identifiers, $all_identifiers) AND l.source IS NOT DISTINCT FROM v.source
       AND l.source_record_id IS NOT DISTINCT FROM v.source_record_id
       AND l.notice_version IS NOT DISTINCT FROM v.notice_version AND l.extra IS NOT DISTINCT FROM v.extra AS same
FROM consent_parsed v JOIN consent_event l ON l.event_id = v.event_id
WHERE v.usable
