-- Record erasure $erasure_id: its removals (erasure_removal: platform, audience, id_type, sha256), the customers it
-- is about (person_customer), and delete the raw values of everything those customers were ever sent
-- (sent_unhashed), counting them first. Run inside one transaction.
CREATE OR REPLACE TEMP TABLE erasure_raw AS
SELECT u.platform, u.sha256 FROM sent_unhashed u
WHERE EXISTS (SELECT 1 FROM membership m
              WHERE m.platform = u.platform AND m.sha256 = u.sha256
                AND m.customer_id IN (SELECT customer_id FROM person_customer));
INSERT INTO erasure VALUES ($erasure_id, $recorded_at, (SELECT count(*) FROM person_customer), $out_dir,
                            $manifest_sha256, $files, (SELECT count(*) FROM erasure_removal),
                            (SELECT count(*) FROM erasure_raw));
INSERT INTO erasure_value SELECT $erasure_id, platform, audience, id_type, sha256 FROM erasure_removal;
INSERT INTO erasure_customer SELECT $erasure_id, customer_id FROM person_customer;
DELETE FROM sent_unhashed u
WHERE EXISTS (SELECT 1 FROM erasure_raw r WHERE r.platform = u.platform AND r.sha256 = u.sha256);
DROP TABLE erasure_raw;
