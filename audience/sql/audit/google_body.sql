-- Google Data Manager request bodies ($paths), per file: how many JSON documents it holds, the keys of its body,
-- its members, those not shaped as the writer writes them, and those without the per-member consent ingest needs.
WITH doc AS (
    SELECT filename, json AS j
    FROM read_json_objects($paths, format = 'auto', filename = true, maximum_object_size = 1073741824)
), members AS (
    SELECT filename, unnest(json_extract(j, '$.audienceMembers[*]')) AS m FROM doc
), shaped AS (
    SELECT filename, count(*) AS members,
           count(*) FILTER (
               WHERE NOT list_has_all(['userData', 'mobileData', 'consent'], json_keys(m))
                  OR (json_keys(m, '$.userData') IS NOT NULL AND json_keys(m, '$.userData') <> ['userIdentifiers'])
                  OR (json_keys(m, '$.mobileData') IS NOT NULL AND json_keys(m, '$.mobileData') <> ['mobileIds'])
                  OR len(list_filter(json_extract(m, '$.userData.userIdentifiers[*]'),
                                     lambda k: json_keys(k) NOT IN (['emailAddress'], ['phoneNumber']))) > 0
                  OR (coalesce(json_array_length(m, '$.userData.userIdentifiers'), 0)
                      + coalesce(json_array_length(m, '$.mobileData.mobileIds'), 0)) = 0
           ) AS malformed_members,
           count(*) FILTER (
               WHERE json_extract_string(m, '$.consent.adUserData') IS DISTINCT FROM 'CONSENT_GRANTED'
                  OR json_extract_string(m, '$.consent.adPersonalization') IS DISTINCT FROM 'CONSENT_GRANTED'
                  OR NOT list_has_all(['adUserData', 'adPersonalization'], coalesce(json_keys(m, '$.consent'), []))
           ) AS without_consent
    FROM members GROUP BY filename
)
SELECT d.filename, d.documents, d.top_keys, coalesce(s.members, 0) AS members,
       coalesce(s.malformed_members, 0) AS malformed_members, coalesce(s.without_consent, 0) AS without_consent
FROM (SELECT filename, count(*) AS documents, list_sort(any_value(json_keys(j))) AS top_keys FROM doc
      GROUP BY filename) d
LEFT JOIN shaped s USING (filename)
