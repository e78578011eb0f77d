-- Typed consent events from the file's text (consent_source, in file order), with a problem column per field and
-- whether the row has none (usable). A per-row projection: the n-th row out is the file's n-th data row. A
-- withdrawal withdraws every identifier type, so a malformed identifiers cell does not cost it the row: the cell is
-- ignored (identifiers NULL, the default) and the row stays usable.
-- Parameters: $scopes (platforms and '*'), $scope_problem, $id_pattern / $id_problem (ids that match no customer),
-- $identifier_types, $identifier_problem, and
-- $identifier_texts / $identifier_lists: every well-formed identifiers text and its sorted list (a lookup that
-- spares the split and sort for the usual values; any other text takes the general path, which ignores case and
-- whitespace, e.g. `Email |\tphone`).
WITH typed AS (
    SELECT
        row_problem,
        event_id,
        customer_id,
        lower(platform) AS platform,
        lower(action) AS action,
        effective_at AS effective_at_text,
        consent_instant(effective_at) AS effective_at,
        recorded_at AS recorded_at_text,
        consent_instant(recorded_at) AS recorded_at,
        identifiers AS identifiers_text,
        CASE WHEN list_contains($identifier_texts, identifiers)
             THEN $identifier_lists[list_position($identifier_texts, identifiers)]
             ELSE list_sort(list_distinct(string_split(regexp_replace(lower(identifiers), '\s', '', 'g'), '|')))
             END AS identifiers,
        list_contains($identifier_texts, identifiers) AS identifiers_canonical,
        source,
        source_record_id,
        notice_version,
        extra
    FROM consent_source
),
checked AS (
    SELECT
        event_id, customer_id, platform, action, effective_at, recorded_at, identifiers,
        source, source_record_id, notice_version, extra,
        row_problem,
        CASE WHEN event_id IS NULL THEN 'missing' END AS event_id_problem,
        CASE WHEN customer_id IS NULL THEN 'missing'
             WHEN regexp_matches(customer_id, $id_pattern) THEN $id_problem END AS customer_id_problem,
        CASE WHEN platform IS NULL THEN 'missing'
             WHEN NOT list_contains($scopes, platform) THEN $scope_problem END AS platform_problem,
        CASE WHEN action IS NULL THEN 'missing'
             WHEN action NOT IN ('grant', 'withdraw') THEN 'not one of grant, withdraw' END AS action_problem,
        CASE WHEN effective_at_text IS NULL THEN 'missing'
             ELSE consent_instant_problem(effective_at_text, effective_at) END AS effective_at_problem,
        consent_instant_problem(recorded_at_text, recorded_at) AS recorded_at_problem,
        CASE WHEN identifiers_text IS NOT NULL AND NOT identifiers_canonical
                  AND (list_contains(identifiers, '') OR NOT list_has_all($identifier_types, identifiers))
             THEN $identifier_problem END AS identifiers_problem
    FROM typed
)
SELECT
    * REPLACE (CASE WHEN identifiers_problem IS NULL THEN identifiers END AS identifiers),
    coalesce(row_problem, event_id_problem, customer_id_problem, platform_problem, action_problem,
             effective_at_problem, recorded_at_problem,
             CASE WHEN action <> 'withdraw' THEN identifiers_problem END) IS NULL AS usable
FROM checked
