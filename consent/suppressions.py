"""Suppressions from a file: emails and phones normalised by the identifier core and kept only as keyed hashes,
fields checked in SQL, rows compared with the ledger and the rest of the file.

Stages the file as `consent_source` (see `sources.stage`) and leaves `consent_new` (the suppressions to append,
with their position) and `consent_rejected` (source_row, column, reason, row_kept) for the importer.
"""

from datetime import datetime

import duckdb
import pyarrow as pa

from audience.identifiers.columns import canonical_email_column, canonical_phone_column
from consent.keys import hmac_parameters, identifier_hmac_sql, mailbox_sql
from consent.ledger import sql
from consent.records import SUPPRESSION_KINDS, UNUSABLE_ID, UNUSABLE_ID_PATTERN
from consent.sources import Source, stage

COLUMNS = ("customer_id", "email", "phone", "country", "kind", "effective_at", "recorded_at")
REQUIRED = ("kind", "effective_at")
KEYS = ("customer_id", "email", "phone")
"""A suppressions file needs at least one of these columns, and each row at least one usable value among them."""
KIND_PROBLEM = f"not one of {', '.join(SUPPRESSION_KINDS)}"
KEPT_NOTE = " (this field is ignored; the row is kept on its other keys)"


def prepare(con: duckdb.DuckDBPyConnection, source: Source, batch_id: int, imported_at: datetime,
            default_region: str) -> tuple[int, int]:
    """Stage the file as `consent_source`, then build `consent_new` and `consent_rejected`.

    Returns (rows read, duplicates).
    """
    rows = stage(con, source, "consent_source", COLUMNS)
    _key_hashes(con, default_region)
    con.execute(f"CREATE OR REPLACE TEMP TABLE consent_parsed AS {sql('parse_suppressions')}",
                {"kinds": list(SUPPRESSION_KINDS), "kind_problem": KIND_PROBLEM, "id_problem": UNUSABLE_ID,
                 "id_pattern": UNUSABLE_ID_PATTERN})
    for table in ("consent_source", "consent_email_keys", "consent_phone_keys"):
        con.execute(f"DROP TABLE {table}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE consent_verdict AS {sql('classify_suppressions')}",
                {"imported_at": imported_at})
    con.execute(f"CREATE OR REPLACE TEMP TABLE consent_new AS {sql('new_suppressions')}",
                {"batch_id": batch_id, "imported_at": imported_at})
    con.execute(
        "CREATE OR REPLACE TEMP TABLE consent_rejected AS "
        f"SELECT source_row, \"column\", CASE WHEN row_kept THEN reason || $note ELSE reason END AS reason, row_kept "
        f"FROM ({sql('suppression_rejections')})",
        {"note": KEPT_NOTE},
    )
    duplicates = con.execute("SELECT count(*) FROM consent_verdict WHERE verdict = 'duplicate'").fetchall()[0][0]
    for table in ("consent_parsed", "consent_verdict"):
        con.execute(f"DROP TABLE {table}")
    return rows, int(duplicates)


def _key_hashes(con: duckdb.DuckDBPyConnection, default_region: str) -> None:
    """consent_email_keys(raw, hmac, reason) and consent_phone_keys(raw, country, hmac, reason) for the file's values.

    Each distinct raw value is normalised once; only its keyed hash (an email's, of its mailbox) leaves this function
    in a table.
    """
    params = hmac_parameters(con)
    emails = con.sql("SELECT DISTINCT email FROM consent_source WHERE email IS NOT NULL").to_arrow_table()
    email = canonical_email_column(emails.column(0))
    _hashed(con, "consent_email_keys", {"raw": emails.column(0).combine_chunks()}, email.values, email.reasons, params,
            keyed=mailbox_sql("canonical"))
    phones = con.sql(
        "SELECT DISTINCT phone, country FROM consent_source WHERE phone IS NOT NULL"
    ).to_arrow_table()
    phone = canonical_phone_column(phones.column(0), phones.column(1), default_region=default_region)
    _hashed(con, "consent_phone_keys",
            {"raw": phones.column(0).combine_chunks(), "country": phones.column(1).combine_chunks()},
            phone.values, phone.reasons, params)


def _hashed(con: duckdb.DuckDBPyConnection, table: str, keys: dict[str, pa.Array], values: pa.Array,
            reasons: pa.Array, params: dict[str, bytes], keyed: str = "canonical") -> None:
    canonical = pa.table({**keys, "canonical": values, "reason": reasons})
    con.register("consent_canonical", canonical)
    try:
        columns = ", ".join(keys)
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {table} AS "
            f"SELECT {columns}, {identifier_hmac_sql(keyed)} AS hmac, reason FROM consent_canonical",
            params,
        )
    finally:
        con.unregister("consent_canonical")
