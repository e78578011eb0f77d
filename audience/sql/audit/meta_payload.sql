-- One Meta /users payload ($path): its keys, schema and rows (each a list of cells in schema order).
WITH doc AS (
    SELECT json AS j FROM read_json_objects($path, format = 'auto', maximum_object_size = 1073741824)
), data AS (
    SELECT unnest(json_extract(j, '$.data[*]')) AS r FROM doc
)
SELECT (SELECT count(*) FROM doc) AS documents,
       (SELECT list_sort(json_keys(j)) FROM doc LIMIT 1) AS top_keys,
       (SELECT json_extract_string(j, '$.schema[*]') FROM doc LIMIT 1) AS schema,
       (SELECT count(*) FROM data) AS members,
       (SELECT count(*) FROM data WHERE json_type(r) <> 'ARRAY' OR json_array_length(r) <> $width
            OR len(list_filter(json_extract(r, '$[*]'), lambda c: json_type(c) <> 'VARCHAR')) > 0
            OR len(list_filter(json_extract_string(r, '$[*]'), lambda c: c <> '')) = 0) AS malformed_members,
       0 AS without_consent
