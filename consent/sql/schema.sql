-- The consent ledger. consent_event and suppression share one gap-free sequence (seq) and one hash chain:
-- row_hash = sha256(prev_hash || content), prev_hash = row_hash of seq - 1 (64 zeros for seq 1), where content is
-- the JSON array written by event_content.sql / suppression_content.sql (a row's `extra`, the values of the
-- file's columns outside the contract, ends the array when present). Rows are only ever inserted.
-- The hashes and the near-unique ids are stored uncompressed: compressing them costs more time (a third of an import's
-- writing) than the space it saves is worth.

CREATE TABLE IF NOT EXISTS consent_event (
    seq              BIGINT      NOT NULL,
    batch_id         BIGINT      NOT NULL,
    source_row       BIGINT      NOT NULL,
    event_id         VARCHAR     NOT NULL USING COMPRESSION uncompressed,
    customer_id      VARCHAR     NOT NULL USING COMPRESSION uncompressed,
    platform         VARCHAR     NOT NULL,
    action           VARCHAR     NOT NULL,
    effective_at     TIMESTAMPTZ NOT NULL,
    recorded_at      TIMESTAMPTZ NOT NULL,
    identifiers      VARCHAR[]   NOT NULL,
    source           VARCHAR,
    source_record_id VARCHAR     USING COMPRESSION uncompressed,
    notice_version   VARCHAR,
    extra            MAP(VARCHAR, VARCHAR),
    imported_at      TIMESTAMPTZ NOT NULL,
    prev_hash        VARCHAR     NOT NULL USING COMPRESSION uncompressed,
    row_hash         VARCHAR     NOT NULL USING COMPRESSION uncompressed
);

CREATE TABLE IF NOT EXISTS suppression (
    seq          BIGINT      NOT NULL,
    batch_id     BIGINT      NOT NULL,
    source_row   BIGINT      NOT NULL,
    customer_id  VARCHAR,
    email_hmac   VARCHAR,
    phone_hmac   VARCHAR,
    kind         VARCHAR     NOT NULL,
    effective_at TIMESTAMPTZ NOT NULL,
    recorded_at  TIMESTAMPTZ NOT NULL,
    extra        MAP(VARCHAR, VARCHAR),
    imported_at  TIMESTAMPTZ NOT NULL,
    prev_hash    VARCHAR     NOT NULL USING COMPRESSION uncompressed,
    row_hash     VARCHAR     NOT NULL USING COMPRESSION uncompressed
);

-- Ledgers made before `extra` existed get it empty (their rows' content is unchanged).
ALTER TABLE consent_event ADD COLUMN IF NOT EXISTS extra MAP(VARCHAR, VARCHAR);
ALTER TABLE suppression ADD COLUMN IF NOT EXISTS extra MAP(VARCHAR, VARCHAR);

-- One row per import; first_seq is UNIQUE so that two writers appending at once cannot both commit.
CREATE TABLE IF NOT EXISTS import_batch (
    batch_id    BIGINT      PRIMARY KEY,
    kind        VARCHAR     NOT NULL,
    file_path   VARCHAR     NOT NULL,
    file_sha256 VARCHAR     NOT NULL,
    file_size   BIGINT      NOT NULL,
    rows_read   BIGINT      NOT NULL,
    accepted    BIGINT      NOT NULL,
    duplicates  BIGINT      NOT NULL,
    rejected    BIGINT      NOT NULL,
    first_seq   BIGINT      UNIQUE,
    last_seq    BIGINT,
    head_hash   VARCHAR,
    imported_at TIMESTAMPTZ NOT NULL
);

-- Why an input row (or one field of it) was not taken; never the value itself.
CREATE TABLE IF NOT EXISTS import_rejection (
    batch_id   BIGINT  NOT NULL,
    source_row BIGINT  NOT NULL,
    "column"   VARCHAR NOT NULL,
    reason     VARCHAR NOT NULL,
    row_kept   BOOLEAN NOT NULL
);

-- The key of the keyed hashes (HMAC-SHA256) of suppressed emails and phones; one row, never printed.
CREATE TABLE IF NOT EXISTS workspace_secret (
    id         INTEGER     PRIMARY KEY CHECK (id = 1),
    hmac_key   BLOB        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
