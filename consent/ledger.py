"""The ledger's tables in the workspace DuckDB, the SQL of the consent package, and the only writer of the ledger.

The writer appends; nothing in this package updates or deletes a ledger row. `consent_event` and `suppression`
share one gap-free sequence and one hash chain, so that `head()` names the whole ledger in one (seq, hash) pair.
"""

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Literal

import duckdb
import pyarrow as pa

from consent import chain

LedgerTable = Literal["consent_event", "suppression"]
TABLES: tuple[LedgerTable, ...] = ("consent_event", "suppression")
CONTENT_SQL: dict[LedgerTable, str] = {"consent_event": "event_content", "suppression": "suppression_content"}
"""The SQL expression file that serialises a row of each table for its hash."""

LINK_BATCH_ROWS = 1_000_000
_SQL = Path(__file__).parent / "sql"


def sql(name: str, **parts: str) -> str:
    """The text of `consent/sql/<name>.sql`, each `/*@part*/` marker replaced by the given SQL text (all must be)."""
    text = (_SQL / f"{name}.sql").read_text(encoding="utf-8")
    for part, replacement in parts.items():
        marker = f"/*@{part}*/"
        if marker not in text:
            raise KeyError(f"{name}.sql has no {marker} marker")
        text = text.replace(marker, replacement)
    if "/*@" in text:
        raise KeyError(f"{name}.sql has a marker no part was given for")
    return text


def content_sql(table: LedgerTable) -> str:
    """The SQL expression serialising a row of `table` (over its own column names) for the hash chain."""
    return sql(CONTENT_SQL[table]).strip()


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the ledger's tables if they do not exist yet."""
    con.execute(sql("schema"))


def exists(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the workspace database holds the ledger's tables."""
    found = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE NOT temporary AND database_name = current_database() "
        "AND schema_name = 'main' AND list_contains($names, table_name)",
        {"names": [*TABLES, "import_batch"]},
    ).fetchall()
    return int(found[0][0]) == len(TABLES) + 1


def head(con: duckdb.DuckDBPyConnection) -> tuple[int, str]:
    """The last seq and its row_hash: (0, 64 zeros) for an empty ledger. Record it with a run for lineage."""
    rows = con.execute(sql("head")).fetchall()
    return (int(rows[0][0]), str(rows[0][1])) if rows else (0, chain.GENESIS)


def next_batch_id(con: duckdb.DuckDBPyConnection) -> int:
    """The id the next import batch gets."""
    return int(con.execute("SELECT coalesce(max(batch_id), 0) + 1 FROM import_batch").fetchall()[0][0])


def number_new_rows(con: duckdb.DuckDBPyConnection, verdicts: str) -> None:
    """Add `position` to the temp table `verdicts` (source_row, verdict, ...): 1, 2, ... over its rows whose verdict
    is 'new', in source_row order, which is the order `append` writes them in. `verdicts` is a name from code."""
    new, top = con.execute(
        f"SELECT count(*), coalesce(max(source_row), 0) FROM {verdicts} WHERE verdict = 'new'"
    ).fetchall()[0]
    numbering = "source_row" if new == top else "row_number() OVER (PARTITION BY verdict = 'new' ORDER BY source_row)"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {verdicts} AS "
                f"SELECT *, CASE WHEN verdict = 'new' THEN {numbering} END AS position FROM {verdicts}")


def append(con: duckdb.DuckDBPyConnection, table: LedgerTable, staged: str) -> tuple[int, int, str] | None:
    """Append the rows of the temp table `staged` to `table` in `position` order, continuing seq and the chain.

    `staged` has the table's columns except seq, prev_hash and row_hash, plus `position`: 1, 2, ... without gaps.
    Returns (first seq, last seq, head hash), or None when there was nothing to append. Call inside a
    transaction: the append is all or nothing.
    """
    base, prev = head(con)
    count, top = con.execute(f"SELECT count(*), coalesce(max(position), 0) FROM {staged}").fetchall()[0]
    if count != top:
        raise ValueError(f"{staged}.position must number its {count} rows 1 to {count}")
    if count == 0:
        return None
    writer = _ChunkWriter(con, table, staged, base)
    chunks = [(first, min(first + LINK_BATCH_ROWS - 1, int(count))) for first in range(1, int(count) + 1,
                                                                                      LINK_BATCH_ROWS)]
    contents = writer.contents(*chunks[0])
    done: tuple[int, int, pa.Array, pa.Array] | None = None
    with ThreadPoolExecutor(max_workers=1) as database:
        for i, (first, upto) in enumerate(chunks):
            following = chunks[i + 1] if i + 1 < len(chunks) else None
            work = database.submit(writer.write_then_read, done, following)
            try:
                prev_hashes, row_hashes = chain.link(prev, contents)
            finally:
                contents = work.result()
            done, prev = (first, upto, prev_hashes, row_hashes), row_hashes[-1].as_py()
        writer.write_then_read(done, None)
    return base + 1, base + int(count), prev


class _ChunkWriter:
    """The database side of `append`, one chunk of positions at a time.

    While Python chains one chunk's hashes, a worker thread writes the previous chunk and reads the next one's
    contents; the connection is only ever used by one thread at a time.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, table: LedgerTable, staged: str, base: int) -> None:
        self.con, self.table, self.base = con, table, base
        self.rows = (f"(SELECT * EXCLUDE (position), $base + position AS seq FROM {staged} "
                     "WHERE position BETWEEN $first AND $upto)")
        self.content = content_sql(table)

    def contents(self, first: int, upto: int) -> list[bytes]:
        """The canonical contents of the rows at positions first..upto, in order."""
        return self.con.sql(
            f"SELECT CAST({self.content} AS BLOB) FROM {self.rows} ORDER BY seq",
            params={"base": self.base, "first": first, "upto": upto},
        ).to_arrow_table().column(0).to_pylist()

    def write_then_read(self, done: tuple[int, int, pa.Array, pa.Array] | None,
                        following: tuple[int, int] | None) -> list[bytes]:
        """Insert a chained chunk (if any), then read the contents of the following one (if any)."""
        if done is not None:
            first, upto, prev_hashes, row_hashes = done
            hashes = pa.table({"seq": pa.array(range(self.base + first, self.base + upto + 1), pa.int64()),
                               "prev_hash": prev_hashes, "row_hash": row_hashes})
            self.con.register("consent_hashes", hashes)
            try:
                self.con.execute(f"INSERT INTO {self.table} BY NAME SELECT p.*, h.prev_hash, h.row_hash "
                                 f"FROM {self.rows} p JOIN consent_hashes h USING (seq)",
                                 {"base": self.base, "first": first, "upto": upto})
            finally:
                self.con.unregister("consent_hashes")
        return self.contents(*following) if following is not None else []
