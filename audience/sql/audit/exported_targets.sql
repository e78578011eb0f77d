-- The targets run $run_id exported (full files written), and those it held back.
SELECT platform, audience, status, customers, minimum FROM audience_export WHERE run_id = $run_id
ORDER BY platform, audience
