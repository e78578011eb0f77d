-- The values run $run_id sent, per op, kept apart for the comparisons with its files ($run_id).
CREATE OR REPLACE TEMP TABLE audit_run_value AS
SELECT platform, audience, op, id_type, sha256 FROM exported_value WHERE run_id = $run_id
UNION ALL
SELECT platform, audience, 'remove', id_type, sha256 FROM erasure_value WHERE erasure_id = $run_id;
