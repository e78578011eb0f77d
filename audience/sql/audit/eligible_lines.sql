-- The consent evaluation the run now staging used (staging_eligible): one line per platform and eligible customer,
-- `platform,customer_id,event_id,[identifiers]`, sorted.
SELECT platform || ',' || customer_id || ',' || event_id || ',' || CAST(list_sort(identifiers) AS VARCHAR)
       || chr(10) AS line
FROM staging_eligible
ORDER BY platform, customer_id
