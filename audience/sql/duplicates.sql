-- Rows of the batch whose customer_id an earlier row already has (in this batch or an earlier one).
SELECT source_row FROM batch b
WHERE EXISTS (SELECT 1 FROM staging_customer s WHERE s.customer_id = b.customer_id)
   OR source_row > (SELECT min(source_row) FROM batch f WHERE f.customer_id = b.customer_id)
