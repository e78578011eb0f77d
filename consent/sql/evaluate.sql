-- Who may be exported to each platform as of $as_of (pipeline.md, "Who may be exported"): customers whose deciding
-- event is a grant made at or after $grant_cutoff, and whom no counting suppression excludes; with the identifier
-- types that grant covers and its event_id. Rows: platform, customer_id, identifiers (sorted), event_id.
WITH deciding AS (
    /*@deciding*/
),
suppressed AS (
    /*@suppressed*/
),
eligible AS (
    SELECT d.platform, d.customer_id, d.version.seq AS seq
    FROM deciding d
    ANTI JOIN suppressed s ON s.customer_id = d.customer_id
    WHERE d.version.grant AND d.version.effective_at >= $grant_cutoff
)
SELECT g.platform, g.customer_id, list_sort(e.identifiers) AS identifiers, e.event_id
FROM eligible g
JOIN consent_event e ON e.seq = g.seq
