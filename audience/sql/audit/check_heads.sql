-- The consent ledger head each successful run recorded ($run_id) is still a row of the chain with that hash.
WITH ledger AS (
    SELECT seq, row_hash FROM consent_event UNION ALL SELECT seq, row_hash FROM suppression
)
SELECT r.ledger_head_seq AS seq, r.ledger_head_hash AS recorded,
       (SELECT min(l.row_hash) FROM ledger l WHERE l.seq = r.ledger_head_seq) AS found
FROM run r WHERE r.run_id = $run_id
