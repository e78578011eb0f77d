-- The events to append, in the ledger's columns (without seq and the hashes), and their position: the file's row
-- number - 1, i.e. the rowid under consent_parsed, so that a range of positions reads only its part of the table.
-- The usable rows of consent_parsed, less those consent_verdict says are not new (the part `not_new` is that anti
-- join, or nothing when it is empty); the batch's constants come from the one-row table consent_batch.
SELECT
    p.row_index AS position, b.batch_id, p.source_row,
    p.event_id, p.customer_id, p.platform, p.action, p.effective_at,
    coalesce(p.recorded_at, b.imported_at) AS recorded_at,
    coalesce(p.identifiers, b.all_identifiers) AS identifiers,
    p.source, p.source_record_id, p.notice_version, p.extra,
    b.imported_at
FROM consent_parsed p
CROSS JOIN consent_batch b
/*@not_new*/
WHERE p.usable
