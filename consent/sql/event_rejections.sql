-- Every reason a row of the events file, or a field of it, was not imported: (source_row, column, reason, row_kept).
-- A field whose row is imported all the same (a withdrawal's identifiers) has row_kept.
SELECT source_row, '(row)' AS "column", row_problem AS reason, false AS row_kept
FROM consent_parsed WHERE row_problem IS NOT NULL
UNION ALL
SELECT source_row, "column", reason, row_kept
FROM (
    SELECT source_row, usable AS row_kept,
           unnest([
               {'column': 'event_id', 'reason': event_id_problem},
               {'column': 'customer_id', 'reason': customer_id_problem},
               {'column': 'platform', 'reason': platform_problem},
               {'column': 'action', 'reason': action_problem},
               {'column': 'effective_at', 'reason': effective_at_problem},
               {'column': 'recorded_at', 'reason': recorded_at_problem},
               {'column': 'identifiers', 'reason': identifiers_problem}
           ], recursive := true)
    FROM consent_parsed
    WHERE row_problem IS NULL
      AND coalesce(event_id_problem, customer_id_problem, platform_problem, action_problem, effective_at_problem,
                   recorded_at_problem, identifiers_problem) IS NOT NULL
)
WHERE reason IS NOT NULL
UNION ALL
SELECT source_row, 'event_id',
       'event_id already recorded with different content (seq ' || recorded_seq || '); give the changed event a new id',
       false
FROM consent_verdict WHERE verdict = 'conflict'
UNION ALL
SELECT source_row, 'event_id',
       'event_id already in row ' || earlier_row || ' of this file with different content; give the changed event a new id',
       false
FROM consent_verdict WHERE verdict = 'repeated'
