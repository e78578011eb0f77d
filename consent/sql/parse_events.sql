-- Typed consent events from the staged text (consent_source, in file order), with a problem column per field.
-- Parameters: $scopes (platforms and '*'), $scope_problem, $identifier_types, $identifier_problem.
WITH typed AS (
    SELECT
        rowid + 1 AS source_row,
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
        list_sort(list_distinct(string_split(replace(lower(identifiers), ' ', ''), '|'))) AS identifiers,
        source,
        source_record_id,
        notice_version,
        extra
    FROM consent_source
)
SELECT
    source_row, event_id, customer_id, platform, action, effective_at, recorded_at, identifiers,
    source, source_record_id, notice_version, extra,
    row_problem,
    CASE WHEN event_id IS NULL THEN 'missing' END AS event_id_problem,
    CASE WHEN customer_id IS NULL THEN 'missing' END AS customer_id_problem,
    CASE WHEN platform IS NULL THEN 'missing'
         WHEN NOT list_contains($scopes, platform) THEN $scope_problem END AS platform_problem,
    CASE WHEN action IS NULL THEN 'missing'
         WHEN action NOT IN ('grant', 'withdraw') THEN 'not one of grant, withdraw' END AS action_problem,
    CASE WHEN effective_at_text IS NULL THEN 'missing'
         ELSE consent_instant_problem(effective_at_text, effective_at) END AS effective_at_problem,
    consent_instant_problem(recorded_at_text, recorded_at) AS recorded_at_problem,
    CASE WHEN identifiers_text IS NOT NULL
              AND (list_contains(identifiers, '') OR NOT list_has_all($identifier_types, identifiers))
         THEN $identifier_problem END AS identifiers_problem
FROM typed
