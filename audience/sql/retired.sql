-- Every (platform, audience) whose platform still holds values after the last successful run that recorded it.
WITH base AS (
    SELECT x.platform, x.audience, arg_max(x.run_id, r.started_at) AS run_id
    FROM audience_export x JOIN run r USING (run_id)
    WHERE r.status = 'succeeded'
    GROUP BY x.platform, x.audience
)
SELECT b.platform, b.audience
FROM base b
WHERE EXISTS (SELECT 1 FROM membership m
              WHERE m.run_id = b.run_id AND m.platform = b.platform AND m.audience = b.audience)
ORDER BY b.platform, b.audience
