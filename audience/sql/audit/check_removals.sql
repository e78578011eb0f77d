-- The removals lineage recorded for run $run_id (removal, which exported_value reads) against those the audit
-- computes from the platform states in membership (audit_run_value): how many values only one of them holds.
SELECT count(*) AS differ FROM (
    (SELECT platform, audience, id_type, sha256 FROM removal WHERE run_id = $run_id
     EXCEPT
     SELECT platform, audience, id_type, sha256 FROM audit_run_value WHERE op = 'remove')
    UNION ALL
    (SELECT platform, audience, id_type, sha256 FROM audit_run_value WHERE op = 'remove'
     EXCEPT
     SELECT platform, audience, id_type, sha256 FROM removal WHERE run_id = $run_id)
)
