-- How many of a partner's hashes (partner_hash: sha256) each audience of run $run_id held on $platform: distinct
-- partner values, distinct values the run left there, and the values in both.
WITH held AS (
    SELECT DISTINCT audience, sha256 FROM membership WHERE run_id = $run_id AND platform = $platform
), partner AS (
    SELECT DISTINCT sha256 FROM partner_hash
)
SELECT a.audience, (SELECT count(*) FROM partner) AS partner_values,
       (SELECT count(*) FROM held h WHERE h.audience = a.audience) AS exported_values,
       (SELECT count(*) FROM held h JOIN partner p USING (sha256) WHERE h.audience = a.audience) AS overlap
FROM (SELECT DISTINCT audience FROM audience_export WHERE run_id = $run_id AND platform = $platform) a
ORDER BY a.audience
