-- Per-run staging: temporary tables of the run's connection, so they vanish with it (a run that dies leaves none).
-- Raw emails and phones never reach them (identifiers arrive hashed, suppression keys as HMACs); `unhashed` holds
-- the advertising IDs that a platform receives as they are.
-- staging_identifier, the largest (about 7 rows per customer), is kept compact: its names are ENUMs of the rule
-- set's names (in sorted order, so they sort as text does) and its SHA-256 is the 32 bytes.
DROP TABLE IF EXISTS temp.staging_customer;
CREATE OR REPLACE TEMP TABLE staging_identifier (
    customer_id  VARCHAR NOT NULL,
    source_row   BIGINT NOT NULL,
    identifier   /*@identifier_type*/ NOT NULL,
    platform     /*@platform_type*/ NOT NULL,
    id_type      /*@id_type_type*/ NOT NULL,
    sha256       BLOB NOT NULL,
    unhashed     VARCHAR
);
-- What the exclusion waterfall needs of the identifiers, one row per customer (sql/identifier_bits.sql): a
-- partitioned run stages this instead of staging_identifier, which its partitions keep.
CREATE OR REPLACE TEMP TABLE staging_identifier_bits (
    customer_id  VARCHAR NOT NULL,
    present      INTEGER NOT NULL,
    valid        BIGINT NOT NULL
);
CREATE OR REPLACE TEMP TABLE customer_key (
    customer_id  VARCHAR NOT NULL,
    email_hmac   VARCHAR,
    phone_hmac   VARCHAR
);
CREATE OR REPLACE TEMP TABLE staging_rejection (
    input       VARCHAR NOT NULL,
    source_row  BIGINT,
    "column"    VARCHAR,
    platform    VARCHAR,
    reason      VARCHAR NOT NULL
);
CREATE OR REPLACE TEMP TABLE staging_eligible (
    platform     VARCHAR NOT NULL,
    customer_id  VARCHAR NOT NULL,
    identifiers  VARCHAR[] NOT NULL,
    event_id     VARCHAR NOT NULL
);
CREATE OR REPLACE TEMP TABLE staging_audience (
    audience     VARCHAR NOT NULL,
    customer_id  VARCHAR NOT NULL
);
CREATE OR REPLACE TEMP TABLE staging_target (
    platform   VARCHAR NOT NULL,
    audience   VARCHAR NOT NULL,
    condition  VARCHAR,
    minimum    BIGINT NOT NULL
);
