-- What to do with each well-formed event of the file (consent_parsed), by event_id:
--   new        not in the ledger, and the first of identical copies in the file
--   duplicate  the ledger holds it with the same content, or an identical copy comes earlier in the file
--   conflict   the ledger holds the event_id with other content (recorded_seq names that row)
--   repeated   the file holds the event_id more than once with different content (every copy is rejected)
-- An absent recorded_at matches any recorded_at: it only ever defaults to the time of an import.
-- Parameters: $all_identifiers.
WITH valid AS (
    SELECT source_row, event_id, customer_id, platform, action, effective_at, recorded_at,
           coalesce(identifiers, $all_identifiers) AS identifiers, source, source_record_id, notice_version,
           extra
    FROM consent_parsed
    WHERE row_problem IS NULL AND event_id_problem IS NULL AND customer_id_problem IS NULL
      AND platform_problem IS NULL AND action_problem IS NULL AND effective_at_problem IS NULL
      AND recorded_at_problem IS NULL AND identifiers_problem IS NULL
),
recorded AS (
    SELECT v.source_row, l.seq,
           l.customer_id = v.customer_id AND l.platform = v.platform AND l.action = v.action
           AND l.effective_at = v.effective_at AND (v.recorded_at IS NULL OR l.recorded_at = v.recorded_at)
           AND l.identifiers = v.identifiers AND l.source IS NOT DISTINCT FROM v.source
           AND l.source_record_id IS NOT DISTINCT FROM v.source_record_id
           AND l.notice_version IS NOT DISTINCT FROM v.notice_version AND l.extra IS NOT DISTINCT FROM v.extra AS same
    FROM valid v JOIN consent_event l ON l.event_id = v.event_id
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
                'source_record_id': source_record_id, 'notice_version': notice_version, 'extra': extra} AS content
        FROM valid
        SEMI JOIN repeated_ids USING (event_id)
    )
    GROUP BY event_id
)
SELECT
    v.source_row,
    CASE WHEN r.seq IS NOT NULL THEN CASE WHEN r.same THEN 'duplicate' ELSE 'conflict' END
         WHEN p.differs THEN 'repeated'
         WHEN p.first_row IS NOT NULL AND v.source_row <> p.first_row THEN 'duplicate'
         ELSE 'new' END AS verdict,
    r.seq AS recorded_seq
FROM valid v
LEFT JOIN recorded r USING (source_row)
LEFT JOIN repeated p USING (event_id)
