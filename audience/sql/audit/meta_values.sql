-- The cells of one Meta /users payload ($path) with their position in the schema (1-based); empty cells dropped.
WITH data AS (
    SELECT unnest(json_extract(json, '$.data[*]')) AS r
    FROM read_json_objects($path, format = 'auto', maximum_object_size = 1073741824)
), cells AS (
    SELECT unnest(json_extract_string(r, '$[*]')) AS value, generate_subscripts(json_extract_string(r, '$[*]'), 1) AS position
    FROM data
)
SELECT position, value FROM cells WHERE value <> ''
