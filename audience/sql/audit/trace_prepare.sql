-- The lineage rows of the customers in person_customer (trace_mine), and every state that holds one of their
-- values, whoever's (trace_same): what trace.sql derives the person's full, add and remove ops from.
CREATE OR REPLACE TEMP TABLE trace_mine AS
SELECT * FROM membership WHERE customer_id IN (SELECT customer_id FROM person_customer);

CREATE OR REPLACE TEMP TABLE trace_same AS
SELECT run_id, platform, audience, id_type, sha256 FROM membership SEMI JOIN trace_mine USING (sha256);
