"""Consent events from a staged file: typed and checked in SQL, compared with the ledger and the rest of the file.

Reads `consent_source` (see `sources.stage`) and leaves `consent_new` (the events to append, with their position)
and `consent_rejected` (source_row, column, reason, row_kept) for the importer.
"""

from datetime import datetime

import duckdb

from consent.ledger import number_new_rows, sql
from consent.records import ALL_PLATFORMS, IDENTIFIERS, PLATFORMS

COLUMNS = ("event_id", "customer_id", "platform", "action", "effective_at", "recorded_at", "identifiers", "source",
           "source_record_id", "notice_version")
REQUIRED = ("event_id", "customer_id", "platform", "action", "effective_at")

SCOPES = (*PLATFORMS, ALL_PLATFORMS)
SCOPE_PROBLEM = f"not one of {', '.join(SCOPES)}"
IDENTIFIER_PROBLEM = f"not a |-separated subset of {'|'.join(IDENTIFIERS)}"


def prepare(con: duckdb.DuckDBPyConnection, batch_id: int, imported_at: datetime) -> int:
    """Build `consent_new` and `consent_rejected` from `consent_source`; returns how many rows are duplicates."""
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE consent_parsed AS {sql('parse_events')}",
        {"scopes": list(SCOPES), "scope_problem": SCOPE_PROBLEM, "identifier_types": list(IDENTIFIERS),
         "identifier_problem": IDENTIFIER_PROBLEM},
    )
    con.execute("DROP TABLE consent_source")
    con.execute(f"CREATE OR REPLACE TEMP TABLE consent_verdict AS {sql('classify_events')}",
                {"all_identifiers": list(IDENTIFIERS)})
    number_new_rows(con, "consent_verdict")
    con.execute(f"CREATE OR REPLACE TEMP TABLE consent_new AS {sql('new_events')}",
                {"batch_id": batch_id, "imported_at": imported_at, "all_identifiers": list(IDENTIFIERS)})
    con.execute(f"CREATE OR REPLACE TEMP TABLE consent_rejected AS "
                f"SELECT *, false AS row_kept FROM ({sql('event_rejections')})")
    duplicates = con.execute("SELECT count(*) FROM consent_verdict WHERE verdict = 'duplicate'").fetchall()[0][0]
    con.execute("DROP TABLE consent_parsed")
    con.execute("DROP TABLE consent_verdict")
    return int(duplicates)
