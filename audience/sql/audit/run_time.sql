-- A run's as-of time and its effective configuration (JSON).
SELECT as_of, CAST(config AS VARCHAR) AS config FROM run WHERE run_id = $run_id
