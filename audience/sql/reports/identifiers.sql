-- The waterfall per identifier kind of every target of one run ($run_id), where the run recorded it.
SELECT platform, audience, identifier, customers, with_identifier, valid, consented, not_suppressed, exported
FROM funnel
WHERE run_id = $run_id AND identifier <> 'any'
ORDER BY platform, audience, CASE identifier WHEN 'email' THEN 1 WHEN 'phone' THEN 2 ELSE 3 END
