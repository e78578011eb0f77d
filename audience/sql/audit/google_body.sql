-- One Google Data Manager request body ($path): every identifier it carries (id_type, value), and per member the
-- keys it has and whether it carries the per-member consent ingest requests need. Values are checked by the caller.
WITH doc AS (
    SELECT json AS j FROM read_json_objects($path, format = 'auto', maximum_object_size = 1073741824)
), members AS (
    SELECT unnest(json_extract(j, '$.audienceMembers[*]')) AS m FROM doc
)
SELECT (SELECT count(*) FROM doc) AS documents,
       (SELECT list_sort(json_keys(j)) FROM doc LIMIT 1) AS top_keys,
       (SELECT count(*) FROM members) AS members,
       (SELECT count(*) FROM members
        WHERE NOT list_has_all(['userData', 'mobileData', 'consent'], json_keys(m))
           OR (json_keys(m, '$.userData') IS NOT NULL AND json_keys(m, '$.userData') <> ['userIdentifiers'])
           OR (json_keys(m, '$.mobileData') IS NOT NULL AND json_keys(m, '$.mobileData') <> ['mobileIds'])
           OR len(list_filter(json_extract(m, '$.userData.userIdentifiers[*]'),
                              lambda k: json_keys(k) NOT IN (['emailAddress'], ['phoneNumber']))) > 0
           OR (coalesce(json_array_length(m, '$.userData.userIdentifiers'), 0)
               + coalesce(json_array_length(m, '$.mobileData.mobileIds'), 0)) = 0
       ) AS malformed_members,
       (SELECT count(*) FROM members
        WHERE json_extract_string(m, '$.consent.adUserData') IS DISTINCT FROM 'CONSENT_GRANTED'
           OR json_extract_string(m, '$.consent.adPersonalization') IS DISTINCT FROM 'CONSENT_GRANTED'
           OR NOT list_has_all(['adUserData', 'adPersonalization'], coalesce(json_keys(m, '$.consent'), []))
       ) AS without_consent
