-- Values of the customers in person_customer that a platform holds now (the latest successful run of each target)
-- and received as they are (an advertising ID kept in sent_unhashed): the removals only the workspace can still
-- write, before their raw form is deleted.
WITH latest AS (
    SELECT x.platform, x.audience, arg_max(x.run_id, r.started_at) AS run_id
    FROM audience_export x JOIN run r USING (run_id)
    WHERE r.status = 'succeeded'
    GROUP BY x.platform, x.audience
)
SELECT m.platform, m.audience, m.customer_id, m.identifier, m.id_type, m.sha256, u.value
FROM membership m
JOIN latest l USING (run_id, platform, audience)
JOIN sent_unhashed u ON u.platform = m.platform AND u.sha256 = m.sha256
WHERE m.customer_id IN (SELECT customer_id FROM person_customer)
ORDER BY m.platform, m.audience, m.customer_id, m.id_type
