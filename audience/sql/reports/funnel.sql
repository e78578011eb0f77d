-- The exclusion waterfall of run $run_id, counted from its staging tables while they exist: per target and
-- identifier kind ('any' = at least one), the audience's customers, those with the identifier present (valid or
-- rejected), valid for the platform, covered by a grant for the platform whatever the suppressions (the run's own
-- evaluation, staging_eligible, and for suppressed customers audit_decision), members (not suppressed either: the
-- run's staging_member) and exported (members of an exported target).
-- A customer's kinds are bits (email 1, phone 2, device_id 4), shifted by 3 per platform in $platforms, so that one
-- row per customer holds every platform (a rejected value counts as present only; staging_identifier_bits, from
-- sql/identifier_bits.sql); customers with the same bits are counted together before the platforms and kinds are
-- told apart.
CREATE OR REPLACE TEMP TABLE funnel_grant AS
SELECT customer_id,
       bit_or((list_contains(identifiers, 'email')::INTEGER + 2 * list_contains(identifiers, 'phone')::INTEGER
               + 4 * list_contains(identifiers, 'device_id')::INTEGER)::BIGINT
              << (3 * (list_position($platforms, platform) - 1))) AS covered
FROM (
    SELECT platform, customer_id, identifiers FROM staging_eligible
    UNION ALL
    SELECT platform, customer_id, identifiers FROM audit_decision WHERE granted
) GROUP BY customer_id;

CREATE OR REPLACE TEMP TABLE funnel_member AS
SELECT audience, customer_id,
       bit_or((CASE identifier WHEN 'email' THEN 1 WHEN 'phone' THEN 2 ELSE 4 END)::BIGINT
              << (3 * (list_position($platforms, platform) - 1))) AS member
FROM staging_member GROUP BY audience, customer_id;

CREATE OR REPLACE TEMP TABLE funnel_count AS
SELECT a.audience, coalesce(v.present, 0) AS present, coalesce(v.valid, 0) AS valid,
       coalesce(v.valid, 0) & coalesce(g.covered, 0) AS consented, coalesce(m.member, 0) AS member,
       count(*) AS customers
FROM staging_audience a
LEFT JOIN staging_identifier_bits v ON v.customer_id = a.customer_id
LEFT JOIN funnel_grant g ON g.customer_id = a.customer_id
LEFT JOIN funnel_member m ON m.audience = a.audience AND m.customer_id = a.customer_id
GROUP BY ALL;

DELETE FROM funnel WHERE run_id = $run_id;

INSERT INTO funnel
WITH targets AS (
    SELECT DISTINCT platform, audience, status = 'exported' AS exported,
           3 * (list_position($platforms, platform) - 1) AS shift
    FROM staging_plan
)
SELECT $run_id, t.platform, t.audience, k.identifier, coalesce(sum(c.customers), 0),
       coalesce(sum(c.customers) FILTER (WHERE c.present & k.bit <> 0), 0),
       coalesce(sum(c.customers) FILTER (WHERE (c.valid >> t.shift) & k.bit <> 0), 0),
       coalesce(sum(c.customers) FILTER (WHERE (c.consented >> t.shift) & k.bit <> 0), 0),
       coalesce(sum(c.customers) FILTER (WHERE (c.member >> t.shift) & k.bit <> 0), 0),
       coalesce(sum(c.customers) FILTER (WHERE (c.member >> t.shift) & k.bit <> 0 AND t.exported), 0)
FROM targets t
CROSS JOIN (VALUES ('any', 7), ('email', 1), ('phone', 2), ('device_id', 4)) k(identifier, bit)
LEFT JOIN funnel_count c ON c.audience = t.audience
GROUP BY t.platform, t.audience, k.identifier;

DROP TABLE funnel_count;
DROP TABLE funnel_member;
DROP TABLE funnel_grant;
