-- The consent ledger as the audit reads it (the tables of consent/sql/schema.sql), and the customer keys run $run_id
-- recorded (run_key), for re-evaluating that run afterwards.
CREATE OR REPLACE TEMP VIEW audit_event AS
SELECT seq, event_id, customer_id, platform, action, effective_at, recorded_at, identifiers FROM consent_event;

CREATE OR REPLACE TEMP VIEW audit_suppression AS
SELECT seq, customer_id, email_hmac, phone_hmac, kind, effective_at, recorded_at,
       batch_id IN (SELECT batch_id FROM erasure_batch) AS erased
FROM suppression;

CREATE OR REPLACE TEMP TABLE audit_keys AS
SELECT customer_id, email_hmac, phone_hmac FROM run_key WHERE run_id = $run_id;
