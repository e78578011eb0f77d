-- The exclusion waterfall of run $run_id, counted from its staging tables while they exist: per target and
-- identifier kind ('any' = at least one), the audience's customers, those with the identifier present (valid or
-- rejected), valid for the platform, covered by a grant for the platform (audit_decision, suppressions ignored),
-- members (not suppressed either: the run's own staging_member) and exported (members of an exported target).
CREATE OR REPLACE TEMP TABLE funnel_present AS
SELECT DISTINCT customer_id, identifier FROM staging_identifier
UNION
SELECT c.customer_id, r."column" AS identifier
FROM staging_rejection r JOIN staging_customer c USING (source_row)
WHERE r.input = 'customers' AND r."column" IN ('email', 'phone', 'device_id');

CREATE OR REPLACE TEMP TABLE funnel_field AS
WITH targets AS (
    SELECT DISTINCT platform, audience, status = 'exported' AS exported FROM staging_plan
), valid AS (
    SELECT DISTINCT platform, customer_id, identifier FROM staging_identifier
), member AS (
    SELECT DISTINCT platform, audience, customer_id, identifier FROM staging_member
)
SELECT t.platform, t.audience, a.customer_id, f.identifier, t.exported,
       v.customer_id IS NOT NULL AS valid,
       v.customer_id IS NOT NULL AND d.customer_id IS NOT NULL AS consented,
       m.customer_id IS NOT NULL AS member
FROM targets t
JOIN staging_audience a ON a.audience = t.audience
JOIN funnel_present f ON f.customer_id = a.customer_id
LEFT JOIN valid v ON v.platform = t.platform AND v.customer_id = a.customer_id AND v.identifier = f.identifier
LEFT JOIN audit_decision d
  ON d.platform = t.platform AND d.customer_id = a.customer_id AND d.granted AND list_contains(d.identifiers, f.identifier)
LEFT JOIN member m
  ON m.platform = t.platform AND m.audience = t.audience AND m.customer_id = a.customer_id AND m.identifier = f.identifier;

DELETE FROM funnel WHERE run_id = $run_id;

INSERT INTO funnel
WITH targets AS (
    SELECT DISTINCT platform, audience FROM staging_plan
), sizes AS (
    SELECT audience, count(DISTINCT customer_id) AS customers FROM staging_audience GROUP BY audience
), kinds AS (
    SELECT platform, audience, identifier, count(*) AS with_identifier, count(*) FILTER (WHERE valid) AS valid,
           count(*) FILTER (WHERE consented) AS consented, count(*) FILTER (WHERE member) AS not_suppressed,
           count(*) FILTER (WHERE member AND exported) AS exported
    FROM funnel_field GROUP BY platform, audience, identifier
), people AS (
    SELECT platform, audience, 'any' AS identifier, count(*) AS with_identifier,
           count(*) FILTER (WHERE valid) AS valid, count(*) FILTER (WHERE consented) AS consented,
           count(*) FILTER (WHERE member) AS not_suppressed, count(*) FILTER (WHERE member AND exported) AS exported
    FROM (
        SELECT platform, audience, customer_id, bool_or(exported) AS exported, bool_or(valid) AS valid,
               bool_or(consented) AS consented, bool_or(member) AS member
        FROM funnel_field GROUP BY platform, audience, customer_id
    ) GROUP BY platform, audience
), counted AS (
    SELECT * FROM kinds UNION ALL SELECT * FROM people
)
SELECT $run_id, t.platform, t.audience, k.identifier, coalesce(s.customers, 0),
       coalesce(c.with_identifier, 0), coalesce(c.valid, 0), coalesce(c.consented, 0),
       coalesce(c.not_suppressed, 0), coalesce(c.exported, 0)
FROM targets t
CROSS JOIN (VALUES ('any'), ('email'), ('phone'), ('device_id')) k(identifier)
LEFT JOIN sizes s ON s.audience = t.audience
LEFT JOIN counted c ON c.platform = t.platform AND c.audience = t.audience AND c.identifier = k.identifier;

DROP TABLE funnel_field;
DROP TABLE funnel_present;
