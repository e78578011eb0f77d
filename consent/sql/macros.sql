-- Parsing helpers for staged text columns (temporary: they live for the connection).

-- An ISO 8601 timestamp with a UTC offset (Z, +01, +0100 or +01:00) as an instant; NULL for anything else, and for
-- a time finer than the microseconds the ledger keeps (any fraction is fine that is all zeros after its sixth digit):
-- cutting it would move an event to the other side of an as-of time or a consent lifetime. The basic format
-- (20260301T100000Z) and a comma before the fraction (10:00:00,5Z) are ISO 8601 too: they are read in the extended
-- form (iso_extended), only for the few values that are not written in it already.
CREATE OR REPLACE TEMP MACRO extended_instant(t) AS
    CASE WHEN regexp_full_match(t, '\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6}0*)?)?(Z|[+-]\d{2}(:?\d{2})?)')
         THEN try_cast(t AS TIMESTAMPTZ) END;

CREATE OR REPLACE TEMP MACRO other_iso_form(t) AS
    regexp_full_match(t, '\d{8}T\d{4}(\d{2}([.,]\d+)?)?(Z|[+-]\d{2}(\d{2})?)?|'
                         '\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2},\d+(Z|[+-]\d{2}(:?\d{2})?)');

-- t (basic format, or a comma before the fraction) in the extended form: 20260301T1000+01 -> 2026-03-01T10:00+01.
CREATE OR REPLACE TEMP MACRO iso_extended(t) AS
    replace(regexp_replace(regexp_replace(t,
        '^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})', '\1-\2-\3T\4:\5:\6'),
        '^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})', '\1-\2-\3T\4:\5'), ',', '.');

CREATE OR REPLACE TEMP MACRO consent_instant(t) AS
    coalesce(extended_instant(t), CASE WHEN other_iso_form(t) THEN extended_instant(iso_extended(t)) END);

CREATE OR REPLACE TEMP MACRO extended_instant_problem(t) AS
    CASE WHEN regexp_full_match(t, '\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?')
             THEN 'timestamp without a UTC offset; add one, e.g. 2026-03-01T10:00:00+01:00 or ...Z'
         WHEN regexp_full_match(t, '\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}\.\d{6}0*[1-9]\d*(Z|[+-]\d{2}(:?\d{2})?)')
             THEN 'finer than a microsecond, which the ledger cannot keep; give at most 6 decimal places'
         WHEN regexp_full_match(t, '\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)')
             THEN 'not a valid date and time'
         ELSE 'not an ISO 8601 timestamp; write it like 2026-03-01T10:00:00+01:00' END;

-- Why the text t did not parse as an instant (NULL when absent or when it did).
CREATE OR REPLACE TEMP MACRO consent_instant_problem(t, parsed) AS
    CASE WHEN t IS NULL OR parsed IS NOT NULL THEN NULL
         ELSE extended_instant_problem(CASE WHEN other_iso_form(t) THEN iso_extended(t) ELSE t END) END;
