-- What the audit keeps beyond the run's own lineage. target_digest: per run and target, the SHA-256 of the values
-- an independent re-evaluation expected (recorded while the run's staging tables exist). exported_key: the
-- suppression keys (HMACs, never values) of the customers a run left on a platform, so that suppressions by email
-- or phone can be checked later. purged_run: export directories deleted for retention. erasure: `audience forget`.
CREATE TABLE IF NOT EXISTS target_digest (
    run_id    VARCHAR NOT NULL,
    platform  VARCHAR NOT NULL,
    audience  VARCHAR NOT NULL,
    "values"  BIGINT NOT NULL,
    sha256    VARCHAR NOT NULL,
    PRIMARY KEY (run_id, platform, audience)
);

CREATE TABLE IF NOT EXISTS exported_key (
    run_id       VARCHAR NOT NULL,
    customer_id  VARCHAR NOT NULL,
    email_hmac   VARCHAR,
    phone_hmac   VARCHAR
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
