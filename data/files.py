"""Writing a stream of Arrow tables to one CSV or Parquet file, the format chosen by the file's extension."""

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Literal

import pyarrow as pa
import pyarrow.csv as csv
import pyarrow.parquet as pq

Format = Literal["csv", "parquet"]
SUFFIXES: dict[str, Format] = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}

_WRITERS: dict[Format, Callable[[Path, pa.Schema], csv.CSVWriter | pq.ParquetWriter]] = {
    "csv": lambda path, schema: csv.CSVWriter(path, schema),
    "parquet": lambda path, schema: pq.ParquetWriter(path, schema, compression="zstd"),
}


def format_of(path: Path) -> Format:
    """The file format a path's extension names."""
    try:
        return SUFFIXES[path.suffix.lower()]
    except KeyError:
        names = ", ".join(SUFFIXES)
        raise ValueError(f"cannot tell the format of {path.name!r}: name the file with one of {names}") from None


def chunks(n: int, chunk_rows: int) -> Iterator[tuple[int, int]]:
    """(start, stop) row ranges of at most chunk_rows rows covering 0..n-1."""
    if chunk_rows < 1:
        raise ValueError(f"chunk_rows must be at least 1, got {chunk_rows}")
    for start in range(0, n, chunk_rows):
        yield start, min(start + chunk_rows, n)


def write_tables(path: Path, schema: pa.Schema, tables: Iterable[pa.Table]) -> int:
    """Write the tables one after another to path (replacing it only when complete); return the rows written."""
    fmt = format_of(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    rows = 0
    try:
        with _WRITERS[fmt](partial, schema) as writer:
            for table in tables:
                writer.write_table(table)
                rows += table.num_rows
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(path)
    return rows
