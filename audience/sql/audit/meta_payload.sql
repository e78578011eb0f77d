-- Meta /users payloads ($paths), per file: how many JSON documents it holds, its keys and schema, its rows, and
-- those that are not $width text cells with at least one value.
WITH doc AS (
    SELECT filename, json AS j
    FROM read_json_objects($paths, format = 'auto', filename = true, maximum_object_size = 1073741824)
), data AS (
    SELECT filename, unnest(json_extract(j, '$.data[*]')) AS r FROM doc
), shaped AS (
    SELECT filename, count(*) AS members,
           count(*) FILTER (
               WHERE json_type(r) <> 'ARRAY' OR json_array_length(r) <> $width
                  OR len(list_filter(json_extract(r, '$[*]'), lambda c: json_type(c) <> 'VARCHAR')) > 0
                  OR len(list_filter(json_extract_string(r, '$[*]'), lambda c: c <> '')) = 0
           ) AS malformed_members
    FROM data GROUP BY filename
)
SELECT d.filename, d.documents, d.top_keys, d.schema, coalesce(s.members, 0) AS members,
       coalesce(s.malformed_members, 0) AS malformed_members, 0 AS without_consent
FROM (SELECT filename, count(*) AS documents, list_sort(any_value(json_keys(j))) AS top_keys,
             any_value(json_extract_string(j, '$.schema[*]')) AS schema
      FROM doc GROUP BY filename) d
LEFT JOIN shaped s USING (filename)
