-- The most recent successful run.
SELECT run_id FROM run WHERE status = 'succeeded' ORDER BY started_at DESC LIMIT 1
