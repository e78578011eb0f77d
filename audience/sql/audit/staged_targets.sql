-- The targets (platform, audience) of the run now staging.
SELECT DISTINCT platform, audience FROM staging_plan ORDER BY platform, audience
