-- The usable events of the file (consent_parsed) that are not new, by event_id:
--   duplicate  the ledger holds it with the same content, or an identical copy comes earlier in the file
--   conflict   the ledger holds the event_id with other content (recorded_seq names that row)
--   repeated   the file holds the event_id more than once with different content (every copy is rejected)
-- Every other usable row is new: not in the ledger, and the first of identical copies in the file.
-- An absent recorded_at matches any recorded_at: it only ever defaults to the time of an import.
-- The part `recorded` is the comparison with the ledger, or an empty relation when no event_id of the file can be
-- there.
-- Parameters: $all_identifiers.
WITH valid AS (
    SELECT source_row, event_id, customer_id, platform, action, effective_at, recorded_at,
           coalesce(identifiers, $all_identifiers) AS identifiers, source, source_record_id, notice_version
    FROM consent_parsed
    WHERE usable
),
recorded AS (
    /*@recorded*/
),
repeated_hashes AS (
    SELECT hash(event_id) AS h FROM valid GROUP BY h HAVING count(*) > 1
),
repeated_ids AS (
    SELECT event_id FROM valid SEMI JOIN repeated_hashes r ON hash(valid.event_id) = r.h
    GROUP BY event_id HAVING count(*) > 1
),
repeated AS (
    SELECT event_id, min(source_row) AS first_row,
           min(content) IS DISTINCT FROM max(content) AS differs
    FROM (
        SELECT event_id, source_row,
               {'customer_id': customer_id, 'platform': platform, 'action': action, 'effective_at': effective_at,
                'recorded_at': recorded_at, 'identifiers': identifiers, 'source': source,
                'source_record_id': source_record_id, 'notice_version': notice_version} AS content
        FROM valid
        SEMI JOIN repeated_ids USING (event_id)
    )
    GROUP BY event_id
),
verdicts AS (
    SELECT
        v.source_row,
        CASE WHEN r.seq IS NOT NULL THEN CASE WHEN r.same THEN 'duplicate' ELSE 'conflict' END
             WHEN p.differs THEN 'repeated'
             WHEN v.source_row <> p.first_row THEN 'duplicate' END AS verdict,
        r.seq AS recorded_seq
    FROM valid v
    LEFT JOIN recorded r USING (source_row)
    LEFT JOIN repeated p USING (event_id)
    WHERE r.seq IS NOT NULL OR p.event_id IS NOT NULL
)
SELECT * FROM verdicts WHERE verdict IS NOT NULL
