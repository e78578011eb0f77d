-- Per-run staging: replaced at the start of every run. Raw emails and phones never reach these tables
-- (identifiers arrive hashed, keys as HMACs); advertising IDs sent unhashed do.
DROP TABLE IF EXISTS staging_customer;
CREATE OR REPLACE TABLE staging_identifier (
    customer_id  VARCHAR NOT NULL,
    source_row   BIGINT NOT NULL,
    identifier   VARCHAR NOT NULL,
    platform     VARCHAR NOT NULL,
    id_type      VARCHAR NOT NULL,
    value        VARCHAR NOT NULL,
    sha256       VARCHAR NOT NULL
);
CREATE OR REPLACE TABLE customer_key (
    customer_id  VARCHAR NOT NULL,
    email_hmac   VARCHAR,
    phone_hmac   VARCHAR
);
CREATE OR REPLACE TABLE staging_rejection (
    input       VARCHAR NOT NULL,
    source_row  BIGINT,
    "column"    VARCHAR,
    platform    VARCHAR,
    reason      VARCHAR NOT NULL
);
CREATE OR REPLACE TABLE staging_eligible (
    platform     VARCHAR NOT NULL,
    customer_id  VARCHAR NOT NULL,
    identifiers  VARCHAR[] NOT NULL,
    event_id     VARCHAR NOT NULL
);
CREATE OR REPLACE TABLE staging_audience (
    audience     VARCHAR NOT NULL,
    customer_id  VARCHAR NOT NULL
);
CREATE OR REPLACE TABLE staging_target (
    platform   VARCHAR NOT NULL,
    audience   VARCHAR NOT NULL,
    condition  VARCHAR,
    minimum    BIGINT NOT NULL
);
DROP TABLE IF EXISTS staging_member;
DROP TABLE IF EXISTS staging_plan;
DROP TABLE IF EXISTS staging_base;
DROP TABLE IF EXISTS staging_delta;
DROP TABLE IF EXISTS staging_state;
