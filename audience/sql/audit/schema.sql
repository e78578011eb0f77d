-- What the audit keeps beyond the run's own lineage. run_evaluation: per run, the SHA-256 of the consent evaluation
-- it used (its eligible set), to compare with the audit's own re-evaluation. run_key: the suppression keys (HMACs,
-- never values) of the customers a run left on a platform or that a suppression by email or phone names, so that
-- such suppressions can be checked later. purged_run: export directories deleted for retention. erasure,
-- erasure_value, erasure_customer, erasure_batch: what `audience forget` did (erasure_batch: the consent ledger's
-- import batch holding an erasure's suppressions, which count for every later run whatever its as-of time).
CREATE TABLE IF NOT EXISTS run_evaluation (
    run_id    VARCHAR PRIMARY KEY,
    "rows"    BIGINT NOT NULL,
    sha256    VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS run_key (
    run_id       VARCHAR NOT NULL,
    customer_id  VARCHAR NOT NULL,
    email_hmac   VARCHAR USING COMPRESSION uncompressed,
    phone_hmac   VARCHAR USING COMPRESSION uncompressed
);

CREATE TABLE IF NOT EXISTS purged_run (
    run_id      VARCHAR PRIMARY KEY,
    path        VARCHAR NOT NULL,
    deleted_at  TIMESTAMPTZ NOT NULL,
    files       BIGINT NOT NULL,
    bytes       BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS erasure (
    erasure_id       VARCHAR PRIMARY KEY,
    recorded_at      TIMESTAMPTZ NOT NULL,
    customers        BIGINT NOT NULL,
    out_dir          VARCHAR,
    manifest_sha256  VARCHAR,
    files            BIGINT NOT NULL,
    removals         BIGINT NOT NULL,
    unhashed_deleted BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS erasure_customer (
    erasure_id   VARCHAR NOT NULL,
    customer_id  VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS erasure_value (
    erasure_id  VARCHAR NOT NULL,
    platform    VARCHAR NOT NULL,
    audience    VARCHAR NOT NULL,
    id_type     VARCHAR NOT NULL,
    sha256      VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS erasure_batch (
    erasure_id  VARCHAR NOT NULL,
    batch_id    BIGINT  NOT NULL
);
