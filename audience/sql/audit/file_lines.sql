-- The values read from a family of export files (audit_file_value: id_type, form, value), as `id_type,sha256`
-- lines, sorted; a value sent as it is (an advertising ID) is hashed the way lineage keeps it.
SELECT DISTINCT id_type || ',' || CASE form WHEN 'sha256' THEN value ELSE sha256(value) END || chr(10) AS line
FROM audit_file_value
ORDER BY line
