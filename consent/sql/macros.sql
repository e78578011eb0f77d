-- Parsing helpers for staged text columns (temporary: they live for the connection).

-- An ISO 8601 timestamp with a UTC offset (Z, +01, +0100 or +01:00) as an instant; NULL for anything else, and for
-- a time finer than the microseconds the ledger keeps (any fraction is fine that is all zeros after its sixth digit):
-- cutting it would move an event to the other side of an as-of time or a consent lifetime.
CREATE OR REPLACE TEMP MACRO consent_instant(t) AS
    CASE WHEN regexp_full_match(t, '\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6}0*)?)?(Z|[+-]\d{2}(:?\d{2})?)')
         THEN try_cast(t AS TIMESTAMPTZ) END;

-- Why the text t did not parse as an instant (NULL when absent or when it did).
CREATE OR REPLACE TEMP MACRO consent_instant_problem(t, parsed) AS
    CASE WHEN t IS NULL OR parsed IS NOT NULL THEN NULL
         WHEN regexp_full_match(t, '\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?')
             THEN 'timestamp without a UTC offset; add one, e.g. 2026-03-01T10:00:00+01:00 or ...Z'
         WHEN regexp_full_match(t, '\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}\.\d{6}0*[1-9]\d*(Z|[+-]\d{2}(:?\d{2})?)')
             THEN 'finer than a microsecond, which the ledger cannot keep; give at most 6 decimal places'
         WHEN regexp_full_match(t, '\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)')
             THEN 'not a valid date and time'
         ELSE 'not an ISO 8601 timestamp; write it like 2026-03-01T10:00:00+01:00' END;
