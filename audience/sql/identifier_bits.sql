-- Per customer with an identifier: the kinds present (valid, or rejected for another reason than being only
-- whitespace, $empty: such a value was given in name only) as bits (email 1, phone 2, device_id 4),
-- and the kinds valid for each platform, the same bits shifted by 3 per platform in $platforms: the first steps of
-- the exclusion waterfall (reports/funnel.sql). It reads staging_identifier, staging_rejection and staging_customer:
-- the run's staging tables, or a partition's tables of the same names. Rows: customer_id, present, valid.
SELECT customer_id, bit_or(bit) AS present, bit_or(coalesce(bit::BIGINT << shift, 0)) AS valid FROM (
    SELECT customer_id, CASE identifier WHEN 'email' THEN 1 WHEN 'phone' THEN 2 ELSE 4 END AS bit,
           3 * (list_position($platforms, platform) - 1) AS shift
    FROM staging_identifier
    UNION ALL
    SELECT c.customer_id, CASE r."column" WHEN 'email' THEN 1 WHEN 'phone' THEN 2 ELSE 4 END, NULL
    FROM staging_rejection r JOIN staging_customer c USING (source_row)
    WHERE r.input = 'customers' AND r."column" IN ('email', 'phone', 'device_id') AND r.reason <> $empty
) GROUP BY customer_id
