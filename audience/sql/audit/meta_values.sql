-- The cells of Meta /users payloads ($paths), per file, with their position in the schema (1-based); empty cells
-- dropped.
WITH data AS (
    SELECT filename, unnest(json_extract(json, '$.data[*]')) AS r
    FROM read_json_objects($paths, format = 'auto', filename = true, maximum_object_size = 1073741824)
), cells AS (
    SELECT filename, unnest(json_extract_string(r, '$[*]')) AS value,
           generate_subscripts(json_extract_string(r, '$[*]'), 1) AS position
    FROM data
)
SELECT filename, position, value FROM cells WHERE value <> ''
