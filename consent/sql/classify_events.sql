-- The usable events of the file (consent_parsed) that are not new, by event_id:
--   duplicate  the ledger holds it with the same content, or an identical copy comes earlier in the file
--   conflict   the ledger holds the event_id with other content (recorded_seq names that row)
--   repeated   an earlier row of the file (earlier_row) holds the event_id with other content
-- Every other usable row is new: not in the ledger, and the first row of its event_id in the file. The file is read
-- as if its rows were imported one by one, so it gives the ledger what importing it in pieces would.
-- The part `recorded` is the comparison with the ledger (recorded_events.sql), or an empty relation when no event_id
-- of the file can be there. Only the event_ids travel through the whole file; content is compared for the few rows
-- that share an id.
-- Parameters: $all_identifiers.
WITH recorded AS (
    /*@recorded*/
),
ids AS (
    SELECT source_row, event_id FROM consent_parsed WHERE usable
),
repeated_hashes AS (
    SELECT hash(event_id) AS h FROM ids GROUP BY h HAVING count(*) > 1
),
repeated_rows AS (
    SELECT ids.source_row, ids.event_id FROM ids SEMI JOIN repeated_hashes r ON hash(ids.event_id) = r.h
),
repeated AS (
    SELECT event_id, source_row, min(source_row) OVER ids AS first_row,
           content IS DISTINCT FROM first_value(content) OVER ids AS differs
    FROM (
        SELECT r.event_id, r.source_row,
               {'customer_id': p.customer_id, 'platform': p.platform, 'action': p.action,
                'effective_at': p.effective_at, 'recorded_at': p.recorded_at,
                'identifiers': coalesce(p.identifiers, $all_identifiers), 'source': p.source,
                'source_record_id': p.source_record_id, 'notice_version': p.notice_version,
                'extra': p.extra} AS content
        FROM repeated_rows r
        JOIN consent_parsed p USING (source_row)
    )
    WINDOW ids AS (PARTITION BY event_id ORDER BY source_row ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
),
verdicts AS (
    SELECT source_row, CASE WHEN same THEN 'duplicate' ELSE 'conflict' END AS verdict, seq AS recorded_seq,
           NULL::BIGINT AS earlier_row
    FROM recorded
    UNION ALL
    SELECT source_row, CASE WHEN differs THEN 'repeated' ELSE 'duplicate' END, NULL, first_row
    FROM repeated
    ANTI JOIN recorded USING (source_row)
    WHERE source_row <> first_row
)
SELECT * FROM verdicts WHERE verdict IS NOT NULL
