"""A set of exported values as one SHA-256: the distinct `id_type,sha256` lines, sorted, each ending in a newline.
Lineage, the files on disk and an independent re-evaluation are each reduced to it and compared."""

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from audience.audit.queries import SQL

BATCH_ROWS = 1_000_000


@dataclass(frozen=True, slots=True)
class Digest:
    """How many distinct values a set holds, and the SHA-256 of their sorted lines."""

    values: int
    sha256: str


def digest(con: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Any]) -> Digest:
    """The digest of the `line` column an audit SQL file returns (distinct, sorted), streamed in batches."""
    reader = SQL.reader(con, name, params, BATCH_ROWS)
    sha, count = hashlib.sha256(), 0
    for batch in reader:
        lines = batch.column("line").cast(pa.large_string())
        count += len(lines)
        sha.update(_bytes(lines))
    return Digest(count, sha.hexdigest())


def lines_digest(lines: list[str]) -> Digest:
    """The digest of value lines given in memory (distinct, sorted here); for tests and small sets."""
    distinct = sorted(set(lines))
    return Digest(len(distinct), hashlib.sha256("".join(distinct).encode()).hexdigest())


def _bytes(lines: pa.Array) -> memoryview:
    """The concatenated bytes of a large_string array without nulls."""
    if len(lines) == 0:
        return memoryview(b"")
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)[lines.offset:lines.offset + len(lines) + 1]
    return memoryview(lines.buffers()[2])[int(offsets[0]):int(offsets[-1])]
