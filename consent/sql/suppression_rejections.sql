-- Every reason a row of the suppressions file, or one of its fields, was not taken:
-- (source_row, column, reason, row_kept). An unusable email or phone is dropped and the row kept when another
-- key identifies the person.
SELECT source_row, '(row)' AS "column", row_problem AS reason, false AS row_kept
FROM consent_parsed WHERE row_problem IS NOT NULL
UNION ALL
SELECT source_row, "column", reason, row_kept
FROM (
    SELECT source_row, usable AS row_kept,
           unnest([
               {'column': 'customer_id', 'reason': key_problem},
               {'column': 'email', 'reason': email_problem},
               {'column': 'phone', 'reason': phone_problem},
               {'column': 'kind', 'reason': kind_problem},
               {'column': 'effective_at', 'reason': effective_at_problem},
               {'column': 'recorded_at', 'reason': recorded_at_problem}
           ], recursive := true)
    FROM consent_parsed
    WHERE row_problem IS NULL
      AND coalesce(key_problem, email_problem, phone_problem, kind_problem, effective_at_problem,
                   recorded_at_problem) IS NOT NULL
)
WHERE reason IS NOT NULL
