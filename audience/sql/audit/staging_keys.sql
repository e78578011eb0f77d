-- The consent ledger as the audit reads it, with the customer keys of the run now staging (customer_key).
CREATE OR REPLACE TEMP VIEW audit_event AS
SELECT seq, event_id, customer_id, platform, action, effective_at, recorded_at, identifiers FROM consent_event;

CREATE OR REPLACE TEMP VIEW audit_suppression AS
SELECT seq, customer_id, email_hmac, phone_hmac, kind, effective_at, recorded_at FROM suppression;

CREATE OR REPLACE TEMP VIEW audit_keys AS
SELECT customer_id, email_hmac, phone_hmac FROM customer_key;
