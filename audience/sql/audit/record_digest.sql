-- The digest an independent evaluation expects target ($platform, $audience) of run $run_id to hold.
INSERT OR REPLACE INTO target_digest VALUES ($run_id, $platform, $audience, $values, $sha256);
