-- Per target: its size against the platform minimum, its deltas, and what this run does with it.
CREATE OR REPLACE TEMP TABLE staging_plan AS
SELECT t.platform, t.audience, coalesce(m.customers, 0) AS customers, coalesce(m."values", 0) AS "values",
       t.minimum,
       CASE WHEN coalesce(m.customers, 0) >= t.minimum THEN 'exported' ELSE 'held_back' END AS status,
       b.base_run_id,
       CASE WHEN coalesce(m.customers, 0) >= t.minimum THEN coalesce(m.added, 0) ELSE 0 END AS add_rows,
       coalesce(r.removed, 0) AS remove_rows
FROM staging_target t
JOIN staging_base_run b USING (platform, audience)
LEFT JOIN (
    SELECT platform, audience, count(DISTINCT customer_id) AS customers, count(*) AS "values",
           count(*) FILTER (WHERE is_new) AS added
    FROM staging_member GROUP BY platform, audience
) m USING (platform, audience)
LEFT JOIN (
    SELECT platform, audience, count(*) FILTER (WHERE NOT erased) AS removed FROM staging_removal
    GROUP BY platform, audience
) r USING (platform, audience)
