-- The first place where the ledger is not what its writer left, or no row when it is intact:
-- seq must run 1, 2, 3, ... across both tables, each prev_hash must be the row_hash of the row before it
-- ($genesis for seq 1), each row_hash must be sha256(prev_hash || content), and the last row of every import
-- batch must still be there with the row_hash the batch recorded.
WITH chain AS (
    SELECT seq, prev_hash, row_hash, sha256(prev_hash || /*@event_content*/) AS recomputed,
           'consent_event' AS ledger_table
    FROM consent_event
    UNION ALL
    SELECT seq, prev_hash, row_hash, sha256(prev_hash || /*@suppression_content*/), 'suppression'
    FROM suppression
),
ordered AS (
    SELECT seq, ledger_table, prev_hash, row_hash = recomputed AS hash_matches,
           row_number() OVER w AS position,
           lag(seq) OVER w AS previous_seq,
           lag(row_hash) OVER w AS previous_hash
    FROM chain
    WINDOW w AS (ORDER BY seq, row_hash)
),
problems AS (
    SELECT position AS broken_seq, 1 AS priority, 'the row is missing (deleted, or its seq changed)' AS what
    FROM ordered WHERE seq > position
    UNION ALL
    SELECT seq, 1, 'the seq appears more than once (a row was copied, or its seq changed)'
    FROM ordered WHERE seq = previous_seq
    UNION ALL
    SELECT seq, 2, ledger_table || ' row does not match its row_hash (the row was changed after it was written)'
    FROM ordered WHERE NOT hash_matches
    UNION ALL
    SELECT seq, 3,
           CASE WHEN previous_seq IS NULL THEN 'prev_hash is not 64 zeros, as the first row''s must be'
                ELSE 'prev_hash is not the row_hash of seq ' || previous_seq || ' (that row was changed or removed)'
           END
    FROM ordered WHERE prev_hash <> coalesce(previous_hash, $genesis)
    UNION ALL
    SELECT b.last_seq, 4,
           CASE WHEN c.seq IS NULL
                THEN 'the row is missing (import batch ' || b.batch_id || ' ended there; rows were deleted)'
                ELSE 'row_hash differs from the head recorded by import batch ' || b.batch_id END
    FROM import_batch b
    LEFT JOIN chain c ON c.seq = b.last_seq
    WHERE b.last_seq IS NOT NULL AND (c.seq IS NULL OR c.row_hash <> b.head_hash)
)
SELECT broken_seq, what FROM problems ORDER BY broken_seq, priority LIMIT 1
