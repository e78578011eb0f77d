"""Building ledgers for tests: records appended through the ledger's own writer, and small input files."""

import csv
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from consent import ledger
from consent.records import ConsentEvent, CustomerKey, Suppression

IMPORTED_AT = datetime(2030, 1, 1, tzinfo=UTC)
_TIME = pa.timestamp("us", tz="UTC")


def fresh() -> duckdb.DuckDBPyConnection:
    """An in-memory workspace with the ledger's tables."""
    con = duckdb.connect()
    ledger.ensure_schema(con)
    return con


def append_events(con: duckdb.DuckDBPyConnection, events: Sequence[ConsentEvent], batch_id: int = 1) -> None:
    """Append events in this order through `ledger.append`."""
    table = pa.table({
        "batch_id": pa.array([batch_id] * len(events), pa.int64()),
        "source_row": pa.array(range(1, len(events) + 1), pa.int64()),
        "event_id": pa.array([e.event_id for e in events], pa.string()),
        "customer_id": pa.array([e.customer_id for e in events], pa.string()),
        "platform": pa.array([e.platform for e in events], pa.string()),
        "action": pa.array([e.action for e in events], pa.string()),
        "effective_at": pa.array([e.effective_at for e in events], _TIME),
        "recorded_at": pa.array([e.recorded_at for e in events], _TIME),
        "identifiers": pa.array([list(e.identifiers) for e in events], pa.list_(pa.string())),
        "source": pa.nulls(len(events), pa.string()),
        "source_record_id": pa.nulls(len(events), pa.string()),
        "notice_version": pa.nulls(len(events), pa.string()),
        "imported_at": pa.array([IMPORTED_AT] * len(events), _TIME),
    })
    _append(con, "consent_event", table)


def append_suppressions(con: duckdb.DuckDBPyConnection, suppressions: Sequence[Suppression],
                        batch_id: int = 1) -> None:
    """Append suppressions in this order through `ledger.append`."""
    table = pa.table({
        "batch_id": pa.array([batch_id] * len(suppressions), pa.int64()),
        "source_row": pa.array(range(1, len(suppressions) + 1), pa.int64()),
        "customer_id": pa.array([s.customer_id for s in suppressions], pa.string()),
        "email_hmac": pa.array([s.email_hmac for s in suppressions], pa.string()),
        "phone_hmac": pa.array([s.phone_hmac for s in suppressions], pa.string()),
        "kind": pa.array([s.kind for s in suppressions], pa.string()),
        "effective_at": pa.array([s.effective_at for s in suppressions], _TIME),
        "recorded_at": pa.array([s.recorded_at for s in suppressions], _TIME),
        "imported_at": pa.array([IMPORTED_AT] * len(suppressions), _TIME),
    })
    _append(con, "suppression", table)


def stage_keys(con: duckdb.DuckDBPyConnection, keys: Sequence[CustomerKey], name: str = "customer_key") -> None:
    """A customer keys table as the pipeline stages it."""
    table = pa.table({
        "customer_id": pa.array([k.customer_id for k in keys], pa.string()),
        "email_hmac": pa.array([k.email_hmac for k in keys], pa.string()),
        "phone_hmac": pa.array([k.phone_hmac for k in keys], pa.string()),
    })
    con.register("test_keys", table)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM test_keys")
    con.unregister("test_keys")


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]]) -> Path:
    """A UTF-8 CSV file with a header row; None is an empty cell."""
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows([["" if v is None else v for v in row] for row in rows])
    return path


def _append(con: duckdb.DuckDBPyConnection, table_name: ledger.LedgerTable, rows: pa.Table) -> None:
    con.register("test_rows", rows)
    con.execute("CREATE OR REPLACE TEMP TABLE test_staged AS "
                "SELECT *, NULL::MAP(VARCHAR, VARCHAR) AS extra, source_row AS position FROM test_rows")
    con.unregister("test_rows")
    ledger.append(con, table_name, "test_staged")
    con.execute("DROP TABLE test_staged")
