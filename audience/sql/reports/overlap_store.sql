-- Keep one measured overlap ($run_id, $platform, $audience, $partner_file, $partner_sha256, counts, $measured_at).
INSERT INTO match_overlap VALUES ($run_id, $platform, $audience, $partner_file, $partner_sha256, $partner_values,
                                  $exported_values, $overlap, $measured_at);
