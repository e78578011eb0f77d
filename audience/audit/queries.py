"""The audit's SQL files (`audience/sql/audit/`) and the tables they keep."""

from collections.abc import Mapping
from typing import Any

import duckdb

from audience.reports.queries import SqlFolder

SQL = SqlFolder("audit")


def script(con: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Any] | None = None) -> None:
    """Execute an audit SQL file statement by statement."""
    SQL.script(con, name, params)


def rows(con: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """The rows of a one-statement audit SQL file."""
    return SQL.rows(con, name, params)


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the audit tables (target digests, exported keys, purged runs, erasures) if missing."""
    SQL.script(con, "schema.sql")


def latest_run_keys(con: duckdb.DuckDBPyConnection, name: str) -> str | None:
    """Create the temporary view `name` of the customer keys (customer_id, email_hmac, phone_hmac) the latest
    successful run recorded, so that suppressions by email or phone can be matched outside a run; returns `name`,
    or None when no run recorded keys."""
    if not _has_table(con, "run_key"):
        return None
    con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT customer_id, email_hmac, phone_hmac FROM run_key "
                "WHERE run_id = (SELECT k.run_id FROM run_key k JOIN run r USING (run_id) "
                "WHERE r.status = 'succeeded' ORDER BY r.started_at DESC LIMIT 1)")
    return name if con.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0] else None


def erased_seqs(con: duckdb.DuckDBPyConnection) -> frozenset[int]:
    """The ledger seqs of the suppressions `audience forget` recorded (they count for every run whatever its as-of
    time); empty in a database without the erasure tables."""
    if not _has_table(con, "erasure_batch"):
        return frozenset()
    return frozenset(seq for (seq,) in con.execute(
        "SELECT s.seq FROM suppression s JOIN erasure_batch b USING (batch_id)").fetchall())


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether the database holds the table `name` (one made by an older version may lack the audit's tables)."""
    return con.execute("SELECT count(*) FROM duckdb_tables() WHERE NOT temporary AND table_name = $name",
                       {"name": name}).fetchall()[0][0] > 0
