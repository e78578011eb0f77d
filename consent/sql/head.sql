WITH last AS (
    SELECT max(seq) AS seq FROM (SELECT max(seq) AS seq FROM consent_event UNION ALL SELECT max(seq) FROM suppression)
)
SELECT seq, row_hash FROM consent_event WHERE seq = (SELECT seq FROM last)
UNION ALL
SELECT seq, row_hash FROM suppression WHERE seq = (SELECT seq FROM last)
