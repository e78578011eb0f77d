-- The identifiers of Google Data Manager request bodies ($paths), per file and id_type.
WITH members AS (
    SELECT filename, unnest(json_extract(json, '$.audienceMembers[*]')) AS m
    FROM read_json_objects($paths, format = 'auto', filename = true, maximum_object_size = 1073741824)
)
SELECT filename, 'EMAIL' AS id_type, unnest(json_extract_string(m, '$.userData.userIdentifiers[*].emailAddress'))
       AS value
FROM members
UNION ALL
SELECT filename, 'PHONE', unnest(json_extract_string(m, '$.userData.userIdentifiers[*].phoneNumber')) FROM members
UNION ALL
SELECT filename, 'MOBILE_ID', unnest(json_extract_string(m, '$.mobileData.mobileIds[*]')) FROM members
