-- What reports and match rates need beyond the run's own lineage: counts at each step of the exclusion
-- waterfall (recorded while a run's staging tables exist), what the platforms reported back, and partner overlaps.
-- match_report keeps exact counts (rate_low = rate_high = matched / uploaded) or a platform's range.

CREATE TABLE IF NOT EXISTS funnel (
    run_id           VARCHAR NOT NULL,
    platform         VARCHAR NOT NULL,
    audience         VARCHAR NOT NULL,
    identifier       VARCHAR NOT NULL CHECK (identifier IN ('any', 'email', 'phone', 'device_id')),
    customers        BIGINT NOT NULL,
    with_identifier  BIGINT NOT NULL,
    valid            BIGINT NOT NULL,
    consented        BIGINT NOT NULL,
    not_suppressed   BIGINT NOT NULL,
    exported         BIGINT NOT NULL,
    PRIMARY KEY (run_id, platform, audience, identifier)
);

CREATE TABLE IF NOT EXISTS match_report (
    run_id            VARCHAR NOT NULL,
    platform          VARCHAR NOT NULL,
    audience          VARCHAR NOT NULL,
    uploaded          BIGINT,
    matched           BIGINT,
    match_rate_range  VARCHAR,
    rate_low          DOUBLE NOT NULL,
    rate_high         DOUBLE NOT NULL,
    source_file       VARCHAR NOT NULL,
    source_row        BIGINT NOT NULL,
    imported_at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (run_id, platform, audience)
);

CREATE TABLE IF NOT EXISTS match_overlap (
    run_id          VARCHAR NOT NULL,
    platform        VARCHAR NOT NULL,
    audience        VARCHAR NOT NULL,
    partner_file    VARCHAR NOT NULL,
    partner_sha256  VARCHAR NOT NULL,
    partner_values  BIGINT NOT NULL,
    exported_values BIGINT NOT NULL,
    overlap         BIGINT NOT NULL,
    measured_at     TIMESTAMPTZ NOT NULL
);
