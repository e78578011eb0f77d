-- Export directories (of successful runs and erasures) recorded before $before and not purged yet.
SELECT d.id, d.out_dir FROM (
    SELECT run_id AS id, started_at AS at, out_dir FROM run WHERE status = 'succeeded'
    UNION ALL
    SELECT erasure_id, recorded_at, out_dir FROM erasure WHERE out_dir IS NOT NULL
) d
WHERE d.at < $before AND d.id NOT IN (SELECT run_id FROM purged_run)
ORDER BY d.at, d.id
