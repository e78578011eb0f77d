-- The identifiers of one Google Data Manager request body ($path), by id_type.
WITH members AS (
    SELECT unnest(json_extract(json, '$.audienceMembers[*]')) AS m
    FROM read_json_objects($path, format = 'auto', maximum_object_size = 1073741824)
)
SELECT 'EMAIL' AS id_type, unnest(json_extract_string(m, '$.userData.userIdentifiers[*].emailAddress')) AS value
FROM members
UNION ALL
SELECT 'PHONE', unnest(json_extract_string(m, '$.userData.userIdentifiers[*].phoneNumber')) FROM members
UNION ALL
SELECT 'MOBILE_ID', unnest(json_extract_string(m, '$.mobileData.mobileIds[*]')) FROM members
