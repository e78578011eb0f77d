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
