CASE WHEN extra IS NULL THEN json_array(
    'suppression', seq, batch_id, source_row, customer_id, email_hmac, phone_hmac, kind,
    epoch_us(effective_at), epoch_us(recorded_at), epoch_us(imported_at)
) ELSE json_array(
    'suppression', seq, batch_id, source_row, customer_id, email_hmac, phone_hmac, kind,
    epoch_us(effective_at), epoch_us(recorded_at), epoch_us(imported_at), extra
) END
