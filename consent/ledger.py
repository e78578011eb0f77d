"""The ledger's tables in the workspace DuckDB, the SQL of the consent package, and the only writer of the ledger.

The writer appends; nothing in this package updates or deletes a ledger row. `consent_event` and `suppression`
share one gap-free sequence and one hash chain, so that `head()` names the whole ledger in one (seq, hash) pair.
"""

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from consent import chain

LedgerTable = Literal["consent_event", "suppression"]
TABLES: tuple[LedgerTable, ...] = ("consent_event", "suppression")
CONTENT_SQL: dict[LedgerTable, str] = {"consent_event": "event_content", "suppression": "suppression_content"}
"""The SQL expression file that serialises a row of each table for its hash."""

ROW_GROUP_ROWS = 122_880
"""DuckDB's rows per row group."""
LINK_BATCH_ROWS = 2 * ROW_GROUP_ROWS
"""Rows per chunk of `append`: small enough that chaining and writing overlap from the start, large enough that a
chunk's fixed costs do not count, and whole row groups, so that each chunk's INSERT leaves full row groups (partial
ones made DuckDB rewrite the whole append at the next checkpoint: 1 s and 180 MB more per 1.76M events)."""
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


def append(con: duckdb.DuckDBPyConnection, table: LedgerTable, staged: str) -> tuple[int, int, str] | None:
    """Append the rows of `staged` (a temp table or view) to `table` in `position` order, continuing seq and the chain.

    `staged` has the table's columns except seq, prev_hash and row_hash, plus `position`: distinct integers (gaps
    allowed) that order the rows. Returns (first seq, last seq, head hash), or None when there was nothing to
    append. Call inside a transaction: the append is all or nothing.
    """
    base, prev = head(con)
    count, low, high = con.execute(
        f"SELECT count(*), coalesce(min(position), 1), coalesce(max(position), 0) FROM {staged}"
    ).fetchall()[0]
    if count == 0:
        return None
    writer = _ChunkWriter(con, table, staged)
    chunks = _chunks(con, staged, count, low, high)
    done: _Chunk | None = None
    read = writer.read(chunks[0], base)
    with ThreadPoolExecutor(max_workers=1) as database:
        for following in [*chunks[1:], None]:
            seq = read.seq + len(read.contents)
            work = database.submit(writer.write_then_read, done, following, seq)
            try:
                prev_hashes, row_hashes = chain.link(prev, read.contents)
            finally:
                upcoming = work.result()
            if read.contents:
                done, prev = _Chunk(read.bounds, read.seq, prev_hashes, row_hashes), row_hashes[-1].as_py()
            else:
                done = None
            read = upcoming
        writer.write_then_read(done, None, 0)
    if read.seq != base + count or writer.written != count:
        raise RuntimeError(f"{staged} changed while it was appended ({count} rows, {writer.written} written)")
    return base + 1, base + count, prev


def _chunks(con: duckdb.DuckDBPyConnection, staged: str, count: int, low: int, high: int) -> list[tuple[int, int]]:
    """The position ranges (inclusive) of `staged` that hold LINK_BATCH_ROWS rows each, the last one the rest."""
    if count == high - low + 1:
        return [(first, min(first + LINK_BATCH_ROWS - 1, high)) for first in range(low, high + 1, LINK_BATCH_ROWS)]
    starts = [int(p) for (p,) in con.execute(
        f"SELECT position FROM (SELECT position, row_number() OVER (ORDER BY position) - 1 AS rank FROM {staged}) "
        f"WHERE rank % {LINK_BATCH_ROWS} = 0 ORDER BY position").fetchall()]
    return list(zip(starts, [start - 1 for start in starts[1:]] + [high]))


@dataclass(frozen=True, slots=True)
class _Read:
    """The canonical contents of the staged rows in one range of positions, in order, and the seq before them."""

    bounds: tuple[int, int]
    seq: int
    contents: list[bytes]


@dataclass(frozen=True, slots=True)
class _Chunk:
    """A chained range of positions, ready to insert: its rows get seq + 1, seq + 2, ... in position order."""

    bounds: tuple[int, int]
    seq: int
    prev_hashes: pa.Array
    row_hashes: pa.Array


class _ChunkWriter:
    """The database side of `append`, one range of positions at a time.

    While Python chains one range's hashes, a worker thread inserts the previous range and reads the next one's
    contents; the connection is only ever used by one thread at a time.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, table: LedgerTable, staged: str) -> None:
        self.con, self.table, self.staged, self.written = con, table, staged, 0
        self.content = content_sql(table)

    def read(self, bounds: tuple[int, int] | None, seq: int) -> _Read:
        """The contents of the rows in `bounds` (inclusive positions), numbered on from `seq`."""
        if bounds is None:
            return _Read((0, -1), seq, [])
        params = {"seq": seq, "first": bounds[0], "upto": bounds[1]}
        rows = self.con.sql(
            f"SELECT position, CAST({self.content} AS BLOB) FROM {self._numbered(bounds)} ORDER BY position",
            params=params,
        ).to_arrow_table()
        positions = rows.column(0)
        if len(positions) > 1 and not pc.all(pc.greater(positions[1:], positions[:-1])).as_py():
            raise ValueError(f"{self.staged}.position must not repeat")
        return _Read(bounds, seq, rows.column(1).to_pylist())

    def write_then_read(self, done: _Chunk | None, following: tuple[int, int] | None, seq: int) -> _Read:
        """Insert a chained chunk (if any), then read the contents of the following range (if any)."""
        if done is not None:
            rows = len(done.row_hashes)
            hashes = pa.table({"seq": pa.array(np.arange(done.seq + 1, done.seq + rows + 1, dtype=np.int64)),
                               "prev_hash": done.prev_hashes, "row_hash": done.row_hashes})
            self.con.register("consent_hashes", hashes)
            try:
                inserted = self.con.execute(
                    f"INSERT INTO {self.table} BY NAME SELECT p.* EXCLUDE (position), h.prev_hash, h.row_hash "
                    f"FROM {self._numbered(done.bounds)} p JOIN consent_hashes h USING (seq)",
                    {"seq": done.seq, "first": done.bounds[0], "upto": done.bounds[1]},
                ).fetchall()[0][0]
            finally:
                self.con.unregister("consent_hashes")
            if inserted != rows:
                raise RuntimeError(f"{self.staged} changed while it was appended ({rows} rows chained, "
                                   f"{inserted} inserted)")
            self.written += rows
        return self.read(following, seq)

    def _numbered(self, bounds: tuple[int, int]) -> str:
        """The staged rows with positions $first..$upto, each with its seq: $seq + its rank among them.

        When every position of the range is taken (the usual case) the rank is arithmetic; otherwise a narrow
        numbering of the range's positions is joined.
        """
        staged, first, upto = self.staged, *bounds
        rows = self.con.execute(f"SELECT count(*) FROM {staged} WHERE position BETWEEN $first AND $upto",
                                {"first": first, "upto": upto}).fetchall()[0][0]
        within = "position BETWEEN $first AND $upto"
        if rows == upto - first + 1:
            return f"(SELECT *, $seq + position - $first + 1 AS seq FROM {staged} WHERE {within})"
        return (f"(SELECT s.*, n.seq FROM (SELECT * FROM {staged} WHERE {within}) s JOIN (SELECT position, $seq + "
                f"row_number() OVER (ORDER BY position) AS seq FROM {staged} WHERE {within}) n USING (position))")
