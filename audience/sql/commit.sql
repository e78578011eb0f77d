-- A run's lineage, recorded in the transaction that marks it successful ($run_id, $finished_at).

-- The platform state this run leaves: the current members of an exported target; the base state less the
-- removals for a held-back one.
INSERT INTO membership
SELECT $run_id, m.platform, m.audience, m.customer_id, m.identifier, m.id_type, m.sha256, m.event_id
FROM staging_member m JOIN staging_plan p USING (platform, audience)
WHERE p.status = 'exported'
UNION ALL
SELECT $run_id, b.platform, b.audience, b.customer_id, b.identifier, b.id_type, b.sha256, b.event_id
FROM staging_base b JOIN staging_plan p USING (platform, audience)
WHERE p.status = 'held_back' AND NOT EXISTS (
    SELECT 1 FROM staging_removal r
    WHERE r.platform = b.platform AND r.audience = b.audience AND r.id_type = b.id_type AND r.sha256 = b.sha256);

-- The removals this run's files carry (the ones `audience forget` already sent are not among them).
INSERT INTO removal
SELECT $run_id, platform, audience, customer_id, identifier, id_type, sha256, event_id FROM staging_removal
WHERE NOT erased;

INSERT INTO audience_export
SELECT $run_id, p.platform, p.audience, t.condition, p.customers, p."values", p.minimum, p.status, p.base_run_id,
       CASE WHEN p.status = 'exported' THEN p."values" ELSE 0 END, p.add_rows, p.remove_rows
FROM staging_plan p JOIN staging_target t USING (platform, audience);

UPDATE run SET status = 'succeeded', finished_at = $finished_at WHERE run_id = $run_id;

-- Keep the unhashed values that some platform holds after this run, so that a later run can remove them.
DELETE FROM sent_unhashed u WHERE NOT EXISTS (
    SELECT 1 FROM membership m WHERE m.run_id = $run_id AND m.platform = u.platform AND m.sha256 = u.sha256);
INSERT INTO sent_unhashed
SELECT DISTINCT m.platform, m.sha256, m.unhashed
FROM staging_member m JOIN staging_plan p USING (platform, audience)
WHERE p.status = 'exported' AND m.unhashed IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM sent_unhashed u WHERE u.platform = m.platform AND u.sha256 = m.sha256);
