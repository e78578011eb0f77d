"""Consent events from a file: read and typed in one SQL pass, compared with the ledger and the rest of the file.

Leaves `consent_new` (a view of the events to append, with their position) and `consent_rejected` (source_row,
column, reason, row_kept) for the importer.
"""

from datetime import datetime
from itertools import permutations

import duckdb

from consent.ledger import sql
from consent.records import ALL_PLATFORMS, IDENTIFIERS, PLATFORMS, UNUSABLE_ID, UNUSABLE_ID_PATTERN
from consent.sources import Source, stage

COLUMNS = ("event_id", "customer_id", "platform", "action", "effective_at", "recorded_at", "identifiers", "source",
           "source_record_id", "notice_version")
REQUIRED = ("event_id", "customer_id", "platform", "action", "effective_at")

SCOPES = (*PLATFORMS, ALL_PLATFORMS)
SCOPE_PROBLEM = f"not one of {', '.join(SCOPES)}"
IDENTIFIER_PROBLEM = f"not a |-separated subset of {'|'.join(IDENTIFIERS)}"
WITHDRAWAL_NOTE = " (ignored: a withdrawal withdraws every identifier type; the row is kept)"
IDENTIFIER_TEXTS = tuple("|".join(order) for n in range(1, len(IDENTIFIERS) + 1)
                         for order in permutations(IDENTIFIERS, n))
"""Every identifiers value written as distinct lowercase types joined by `|` without spaces, in any order."""


def prepare(con: duckdb.DuckDBPyConnection, source: Source, batch_id: int, imported_at: datetime) -> tuple[int, int]:
    """Read the file into `consent_parsed`, then build `consent_new` and `consent_rejected`.

    Returns (rows read, duplicates).
    """
    rows = stage(con, source, "consent_parsed_rows", COLUMNS, shape=sql("parse_events"),
                 params={"scopes": list(SCOPES), "scope_problem": SCOPE_PROBLEM, "id_problem": UNUSABLE_ID,
                         "id_pattern": UNUSABLE_ID_PATTERN,
                         "identifier_types": list(IDENTIFIERS), "identifier_problem": IDENTIFIER_PROBLEM,
                         "identifier_texts": list(IDENTIFIER_TEXTS),
                         "identifier_lists": [sorted(text.split("|")) for text in IDENTIFIER_TEXTS]})
    con.execute("CREATE OR REPLACE TEMP VIEW consent_parsed AS SELECT rowid AS row_index, rowid + 1 AS source_row, * "
                "FROM consent_parsed_rows")
    con.execute(f"CREATE OR REPLACE TEMP TABLE consent_verdict AS "
                f"{sql('classify_events', recorded=_recorded_sql(con))}",
                {"all_identifiers": list(IDENTIFIERS)})
    not_new = int(con.execute("SELECT count(*) FROM consent_verdict").fetchall()[0][0])
    anti_join = "ANTI JOIN consent_verdict v USING (source_row)" if not_new else ""
    con.execute("CREATE OR REPLACE TEMP TABLE consent_batch AS SELECT $batch_id::BIGINT AS batch_id, "
                "$imported_at::TIMESTAMPTZ AS imported_at, $all_identifiers::VARCHAR[] AS all_identifiers",
                {"batch_id": batch_id, "imported_at": imported_at, "all_identifiers": list(IDENTIFIERS)})
    con.execute(f"CREATE OR REPLACE TEMP VIEW consent_new AS {sql('new_events', not_new=anti_join)}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE consent_rejected AS SELECT source_row, \"column\", "
                f"CASE WHEN row_kept THEN reason || $note ELSE reason END AS reason, row_kept "
                f"FROM ({sql('event_rejections')})", {"note": WITHDRAWAL_NOTE})
    duplicates = con.execute("SELECT count(*) FROM consent_verdict WHERE verdict = 'duplicate'").fetchall()[0][0]
    return rows, int(duplicates)


def _recorded_sql(con: duckdb.DuckDBPyConnection) -> str:
    """The comparison with the ledger, or an empty relation when the file's event_ids all sort outside the ledger's
    (an empty ledger included): then no event_id of the file can be recorded, and the join is skipped."""
    ledger_low, ledger_high = con.execute("SELECT min(event_id), max(event_id) FROM consent_event").fetchall()[0]
    if ledger_low is not None:
        file_low, file_high = con.execute(
            "SELECT min(event_id), max(event_id) FROM consent_parsed WHERE usable"
        ).fetchall()[0]
        if file_low is not None and file_low <= ledger_high and file_high >= ledger_low:
            return sql("recorded_events")
    return "SELECT NULL::BIGINT AS source_row, NULL::BIGINT AS seq, NULL::BOOLEAN AS same WHERE false"
