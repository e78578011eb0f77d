-- A run's as-of time, the consent ledger head it saw, and its effective configuration (JSON).
SELECT as_of, ledger_head_seq, CAST(config AS VARCHAR) AS config FROM run WHERE run_id = $run_id
