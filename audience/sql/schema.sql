-- The workspace's run records and lineage. Staging tables (raw identifiers) are created per run by store.py.
-- Hashes and HMACs are stored uncompressed: they are random, so compressing them costs time and saves little.
-- The customer and event ids of the per-value lineage (millions of rows a run, nearly all distinct) are ZSTD-
-- compressed: a third less CPU than the default dictionary/FSST to write (1M customers: 6.0 -> 3.9 CPU-s), 6 %
-- more bytes, read as fast. The setting applies where the tables are created; older workspaces keep theirs.

CREATE TABLE IF NOT EXISTS run (
    run_id            VARCHAR PRIMARY KEY,
    as_of             TIMESTAMPTZ NOT NULL,
    started_at        TIMESTAMPTZ NOT NULL,
    finished_at       TIMESTAMPTZ,
    status            VARCHAR NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'abandoned')),
    code_version      VARCHAR NOT NULL,
    rules_version     VARCHAR NOT NULL,
    config_sha256     VARCHAR NOT NULL,
    config            JSON NOT NULL,
    ledger_head_seq   BIGINT,
    ledger_head_hash  VARCHAR,
    out_dir           VARCHAR NOT NULL,
    manifest_sha256   VARCHAR,
    message           VARCHAR
);

-- Where a run wrote its partitions (raw identifiers), so that whoever cleans up after it when it dies finds them.
ALTER TABLE run ADD COLUMN IF NOT EXISTS partition_dir VARCHAR;

CREATE TABLE IF NOT EXISTS run_stage (
    run_id      VARCHAR NOT NULL,
    stage       VARCHAR NOT NULL,
    seconds     DOUBLE NOT NULL,
    PRIMARY KEY (run_id, stage)
);

CREATE TABLE IF NOT EXISTS run_input (
    run_id          VARCHAR NOT NULL,
    input           VARCHAR NOT NULL CHECK (input IN ('customers', 'consent', 'suppressions')),
    path            VARCHAR NOT NULL,
    size_bytes      BIGINT NOT NULL,
    sha256          VARCHAR NOT NULL,
    rows_accepted   BIGINT,
    rows_rejected   BIGINT,
    rows_duplicate  BIGINT,
    PRIMARY KEY (run_id, input)
);

CREATE TABLE IF NOT EXISTS rejected_row (
    run_id      VARCHAR NOT NULL,
    input       VARCHAR NOT NULL,
    source_row  BIGINT,
    "column"    VARCHAR,
    platform    VARCHAR,
    reason      VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS audience_export (
    run_id        VARCHAR NOT NULL,
    platform      VARCHAR NOT NULL,
    audience      VARCHAR NOT NULL,
    condition     VARCHAR,
    customers     BIGINT NOT NULL,
    "values"      BIGINT NOT NULL,
    minimum       BIGINT NOT NULL,
    status        VARCHAR NOT NULL CHECK (status IN ('exported', 'held_back')),
    base_run_id   VARCHAR,
    full_rows     BIGINT NOT NULL,
    add_rows      BIGINT NOT NULL,
    remove_rows   BIGINT NOT NULL,
    PRIMARY KEY (run_id, platform, audience)
);

CREATE TABLE IF NOT EXISTS membership (
    run_id       VARCHAR NOT NULL,
    platform     VARCHAR NOT NULL,
    audience     VARCHAR NOT NULL,
    customer_id  VARCHAR NOT NULL USING COMPRESSION zstd,
    identifier   VARCHAR NOT NULL,
    id_type      VARCHAR NOT NULL,
    sha256       VARCHAR NOT NULL USING COMPRESSION uncompressed,
    event_id     VARCHAR NOT NULL USING COMPRESSION zstd
);

CREATE TABLE IF NOT EXISTS removal (
    run_id       VARCHAR NOT NULL,
    platform     VARCHAR NOT NULL,
    audience     VARCHAR NOT NULL,
    customer_id  VARCHAR NOT NULL USING COMPRESSION zstd,
    identifier   VARCHAR NOT NULL,
    id_type      VARCHAR NOT NULL,
    sha256       VARCHAR NOT NULL USING COMPRESSION uncompressed,
    event_id     VARCHAR NOT NULL USING COMPRESSION zstd
);

CREATE TABLE IF NOT EXISTS export_file (
    run_id      VARCHAR NOT NULL,
    path        VARCHAR NOT NULL,
    platform    VARCHAR NOT NULL,
    audience    VARCHAR NOT NULL,
    op          VARCHAR NOT NULL,
    identifier  VARCHAR NOT NULL,
    rows        BIGINT NOT NULL,
    sha256      VARCHAR NOT NULL,
    PRIMARY KEY (run_id, path)
);

CREATE TABLE IF NOT EXISTS sent_unhashed (
    platform  VARCHAR NOT NULL,
    sha256    VARCHAR NOT NULL,
    value     VARCHAR NOT NULL
);

CREATE OR REPLACE VIEW exported_value AS
WITH exported AS (
    SELECT x.run_id, x.platform, x.audience, x.base_run_id, x.status
    FROM audience_export x JOIN run r USING (run_id)
    WHERE r.status = 'succeeded'
)
SELECT m.run_id, m.platform, m.audience, 'full' AS op, m.customer_id, m.identifier, m.id_type, m.sha256, m.event_id
FROM membership m JOIN exported x USING (run_id, platform, audience)
WHERE x.status = 'exported'
UNION ALL
SELECT m.run_id, m.platform, m.audience, 'add' AS op, m.customer_id, m.identifier, m.id_type, m.sha256, m.event_id
FROM membership m JOIN exported x USING (run_id, platform, audience)
WHERE x.status = 'exported' AND NOT EXISTS (
    SELECT 1 FROM membership b
    WHERE b.run_id = x.base_run_id AND b.platform = m.platform AND b.audience = m.audience
      AND b.id_type = m.id_type AND b.sha256 = m.sha256)
UNION ALL
SELECT r.run_id, r.platform, r.audience, 'remove' AS op, r.customer_id, r.identifier, r.id_type, r.sha256, r.event_id
FROM removal r JOIN exported x USING (run_id, platform, audience);
