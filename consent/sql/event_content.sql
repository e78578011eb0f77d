CASE WHEN extra IS NULL THEN json_array(
    'consent_event', seq, batch_id, source_row, event_id, customer_id, platform, action,
    epoch_us(effective_at), epoch_us(recorded_at), identifiers, source, source_record_id, notice_version,
    epoch_us(imported_at)
) ELSE json_array(
    'consent_event', seq, batch_id, source_row, event_id, customer_id, platform, action,
    epoch_us(effective_at), epoch_us(recorded_at), identifiers, source, source_record_id, notice_version,
    epoch_us(imported_at), extra
) END
