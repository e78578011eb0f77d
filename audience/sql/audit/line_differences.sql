-- Up to three value lines on each side of a family that differs: in its files but not in lineage ('files'), and in
-- lineage but not in its files ('lineage'), each as `id_type,sha256` (audit_file_value as in file_lines.sql;
-- $platform, $audience, $op, $id_types as in lineage_lines.sql).
WITH in_files AS (
    SELECT DISTINCT id_type || ',' || CASE form WHEN 'sha256' THEN value ELSE sha256(value) END AS line
    FROM audit_file_value
), in_lineage AS (
    SELECT DISTINCT id_type || ',' || sha256 AS line
    FROM audit_run_value
    WHERE platform = $platform AND audience = $audience AND op = $op AND list_contains($id_types, id_type)
)
SELECT 'files' AS side, list(line ORDER BY line)[1:3] AS lines FROM (SELECT line FROM in_files EXCEPT SELECT line FROM in_lineage)
UNION ALL
SELECT 'lineage', list(line ORDER BY line)[1:3] FROM (SELECT line FROM in_lineage EXCEPT SELECT line FROM in_files)
