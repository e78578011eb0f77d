"""Loading and running SQL files: the reports' own under `audience/sql/reports/` (and, through the same class, the
audit's). Values are always bound; an SQL file is the only place a report query lives."""

from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

SQL_ROOT = Path(__file__).resolve().parent.parent / "sql"


class SqlFolder:
    """The SQL files of one folder under `audience/sql/`."""

    def __init__(self, name: str) -> None:
        self.path = SQL_ROOT / name
        self._texts: dict[str, str] = {}

    def text(self, name: str) -> str:
        """The SQL of one file."""
        if name not in self._texts:
            self._texts[name] = (self.path / name).read_text(encoding="utf-8")
        return self._texts[name]

    def script(self, con: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Any] | None = None) -> None:
        """Execute a file statement by statement, binding the named parameters each one uses."""
        params = params or {}
        for statement in con.extract_statements(self.text(name)):
            con.execute(statement, {k: params[k] for k in statement.named_parameters})

    def rows(self, con: duckdb.DuckDBPyConnection, name: str,
             params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """The rows of a one-statement file, as dictionaries keyed by column name."""
        (statement,) = con.extract_statements(self.text(name))
        params = params or {}
        cursor = con.execute(statement, {k: params[k] for k in statement.named_parameters})
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]

    def arrow(self, con: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Any] | None = None) -> pa.Table:
        """The result of a one-statement file as an Arrow table."""
        return self._relation(con, name, params).to_arrow_table()

    def reader(self, con: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Any] | None,
               batch_rows: int) -> pa.RecordBatchReader:
        """The result of a one-statement file as a stream of Arrow record batches."""
        return self._relation(con, name, params).to_arrow_reader(batch_rows)

    def _relation(self, con: duckdb.DuckDBPyConnection, name: str,
                  params: Mapping[str, Any] | None) -> duckdb.DuckDBPyRelation:
        (statement,) = con.extract_statements(self.text(name))
        params = params or {}
        return con.sql(statement.query, params={k: params[k] for k in statement.named_parameters})

    @cached_property
    def names(self) -> tuple[str, ...]:
        """The folder's file names."""
        return tuple(sorted(p.name for p in self.path.glob("*.sql")))


SQL = SqlFolder("reports")


def text(name: str) -> str:
    """The SQL of `audience/sql/reports/<name>`."""
    return SQL.text(name)


def script(con: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Any] | None = None) -> None:
    """Execute a reports SQL file statement by statement."""
    SQL.script(con, name, params)


def rows(con: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """The rows of a one-statement reports SQL file."""
    return SQL.rows(con, name, params)


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the report tables (waterfall counts, match results, partner overlaps) if missing."""
    SQL.script(con, "schema.sql")
