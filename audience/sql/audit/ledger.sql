-- The consent ledger as the audit reads it (the tables of consent/sql/schema.sql), and the customer keys of the
-- run being evaluated ($run_id; taken from the keys the run recorded in exported_key).
CREATE OR REPLACE TEMP VIEW audit_event AS
SELECT seq, event_id, customer_id, platform, action, effective_at, recorded_at, identifiers FROM consent_event;

CREATE OR REPLACE TEMP VIEW audit_suppression AS
SELECT seq, customer_id, email_hmac, phone_hmac, kind, effective_at, recorded_at FROM suppression;

CREATE OR REPLACE TEMP TABLE audit_keys AS
SELECT customer_id, email_hmac, phone_hmac FROM exported_key WHERE run_id = $run_id;
