-- The consent events of the suppressed customers only (audit_suppressed): at run time the waterfall needs to know
-- whether they had a grant; every other customer's decision is the run's own (staging_eligible).
CREATE OR REPLACE TEMP VIEW audit_event AS
SELECT seq, event_id, customer_id, platform, action, effective_at, recorded_at, identifiers FROM consent_event
WHERE customer_id IN (SELECT customer_id FROM audit_suppressed);
