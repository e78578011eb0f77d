"""Reading a consent file (CSV, JSON Lines or Parquet) into a staging table, in file order.

DuckDB reads the file, in parallel where it can; every wanted column arrives as trimmed text (NULL where absent or
blank), so that the validation that follows is the same SQL whatever the format. That validation may run in the same
pass, so the file's text need not be materialised. The staging table keeps the file's order, so a row's 1-based
data-row number in the file is its rowid + 1.
"""

import codecs
import csv
import hashlib
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import duckdb
import pyarrow.parquet as pq

from audience.errors import InputError, is_column_name, shown_names
from audience.ingest import check_quotes_closed, merged_rows_problem

Format = Literal["csv", "jsonl", "parquet"]
FORMATS: dict[str, Format] = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}

_CSV = ("all_varchar = true, header = true, delim = ',', quote = '\"', escape = '\"', null_padding = true, "
        "nullstr = '\x01'")
"""An empty field reads as '' (no text is NULL: the null string is a control character), so that NULL marks the fields
a row lacks (`null_padding`)."""
_READERS: dict[Format, str] = {
    "csv": f"read_csv($path, {_CSV})",
    "jsonl": "read_ndjson_objects($path, ignore_errors = true)",
    "parquet": "read_parquet($path)",
}
_SERIAL_CSV = f"read_csv($path, {_CSV}, parallel = false)"
"""DuckDB's parallel CSV reader cannot pad short rows of a file whose quoted values hold line breaks."""
IDS = ("customer_id",)
"""Columns that name a customer: given as a number with a fraction or exponent, an id would be its text (`12.0`),
which names no customer `12`, and a withdrawal or suppression so given would be lost."""
WHOLE_LISTS = ("identifiers",)
"""Columns whose list values must not lose an empty list or a null item: an identifiers list that lost them would
read as absent, i.e. as all three identifiers."""
_FILE = "/*@file*/"
"""Where a statement of `_over_file` reads the file."""
_UTC_TEXT = "'%Y-%m-%dT%H:%M:%S.%n'"
"""To nanoseconds, so that a time finer than the ledger's microseconds is refused rather than cut (the zone, `Z`, is
appended: DuckDB 2.0 writes garbage for a literal after `%n`)."""
_ZONED_TIMESTAMPS = frozenset({"TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ_NS"})
"""DuckDB's types of Parquet timestamps with a zone (nanosecond ones, as pandas writes them, have their own)."""
_CSV_RECORD = re.compile(r"CSV Error on Line: (\d+)")
"""Where DuckDB's CSV reader stopped: a record number counting the header and blank lines (the file's line only
while no quoted value before it spans lines). Other numbers in its messages (`LINE 1:`) are positions in the SQL."""
_CSV_LINE_SIZE = re.compile(r"Maximum line size of (\d+) bytes exceeded")
"""A row longer than the reader takes (DuckDB's `max_line_size`); its "Line" then is not where the row is."""
_CSV_COLUMNS = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")
"""How many values the header has and the row that stopped the reader (past the rows its sniffer sampled)."""


@dataclass(frozen=True, slots=True)
class Source:
    """A readable input file and what its header names."""

    path: Path
    format: Format
    columns: tuple[str, ...]
    """Column names as the file spells them, in file order."""
    types: tuple[str, ...]
    """DuckDB's type of each column (always VARCHAR for CSV and JSON Lines)."""
    overflow: tuple[int, ...]
    """Positions (0-based) of CSV columns that only exist because some row has more fields than the header."""
    size: int
    withheld: tuple[int, ...] = ()
    """Positions of columns outside the contract that are never read: they hold identifiers (`consent.extras`)."""

    def named(self) -> dict[str, int]:
        """Position of each column by its normalised name (stripped, lowercase)."""
        return {name.strip().lower(): i for i, name in enumerate(self.columns) if i not in self.overflow}

    def outside(self, wanted: Sequence[str]) -> dict[str, int]:
        """Position of each column outside `wanted` and not withheld, by its name as the file spells it (stripped),
        in file order: the keys of each row's `extra`."""
        return {self.columns[i].strip(): i for name, i in self.named().items()
                if name not in wanted and i not in self.withheld}


def open_source(con: duckdb.DuckDBPyConnection, path: Path) -> Source:
    """Check that `path` is a consent file this package reads, and read its column names and types."""
    if not path.is_file():
        raise InputError(f"{path} does not exist or is not a file; check the path.")
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(f"{path.name}: unknown file type {path.suffix!r}; give a .csv, .jsonl, .ndjson or .parquet "
                         "file (the format follows the extension).")
    if fmt == "jsonl":
        with path.open("rb") as f:
            if f.read(3) == codecs.BOM_UTF8:
                raise InputError(f"{path.name} begins with a byte-order mark, which makes its first line no JSON "
                                 "object; save it as UTF-8 without a BOM and import again.")
        with _read_errors(path, fmt):
            rows = con.execute(
                f"SELECT DISTINCT unnest(json_keys(json)) AS k FROM {_READERS[fmt]} "
                "WHERE json_type(json) = 'OBJECT' ORDER BY k",
                {"path": str(path)},
            ).fetchall()
        columns, types = tuple(r[0] for r in rows), tuple("VARCHAR" for _ in rows)
    else:
        with _read_errors(path, fmt):
            described = con.execute(f"DESCRIBE SELECT * FROM {_READERS[fmt]}", {"path": str(path)}).fetchall()
        columns, types = tuple(r[0] for r in described), tuple(r[1] for r in described)
    header = _header(path) if fmt == "csv" else pq.read_schema(path).names if fmt == "parquet" else list(columns)
    overflow = tuple(range(len(header), len(columns))) if fmt == "csv" else ()
    source = Source(path, fmt, columns, types, overflow, path.stat().st_size)
    _refuse_ambiguous(source, header)
    _refuse_inexact_ids(con, source)
    return source


def stage(con: duckdb.DuckDBPyConnection, source: Source, table: str, wanted: Sequence[str], *,
          shape: str = "SELECT * FROM consent_source", params: dict[str, object] | None = None) -> int:
    """Create the temp table `table` from the file, through `shape`; returns its rows.

    `shape` is a query over `consent_source` (row_problem, each wanted column as text, then `extra`), `params` its
    parameters; by default the table is `consent_source` itself. Values lose surrounding spaces; an empty value (or
    only spaces) is NULL, i.e. absent. A wanted column the file lacks is NULL throughout. `extra` holds the row's
    values of the file's other columns except the withheld ones (never read), a MAP from the column name as the file
    spells it to the text, sorted by name (NULL when the row has none). Rows keep file order (run inside
    `file_order`, and keep `shape` a per-row projection), so a row's number is rowid + 1. Reading and shaping are one
    pass: the file's text is never materialised when `shape` types it. Run it outside a transaction: a CSV whose
    quoted values hold line breaks is read again without parallelism. `table`, `wanted` and `shape` are SQL from
    code.
    """
    named = source.named()
    params = dict(params or {})
    values = []
    for i, name in enumerate(wanted):
        position = named.get(name)
        if position is None:
            values.append(f"NULL::VARCHAR AS {name}")
            continue
        values.append(f"{_trimmed(_text(source, position, i, params, whole=name in WHOLE_LISTS))} AS {name}")
    values.append(f"{_extra(source, wanted, params)} AS extra")
    select = ",\n    ".join([f"{_row_problem(source)} AS row_problem", *values])
    _over_file(con, source, f"CREATE OR REPLACE TEMP TABLE {table} AS WITH consent_source AS (\nSELECT\n    {select}"
                            f"\nFROM {_FILE}\n)\nSELECT * FROM (\n{shape}\n)", params)
    return int(con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])


def refuse_swallowed_rows(con: duckdb.DuckDBPyConnection, source: Source, rows: int, lines: int) -> None:
    """Refuse a CSV file in which a stray quote opens a value that a stray quote in the same column of a later row
    closes: the rows between become part of that value and would vanish unnoticed (a withdrawal among them lost).

    `rows` are the rows read and `lines` the lines the file has (`file_facts`): only a file with more lines than rows
    is looked at. A value is taken for swallowed rows when its lines hold exactly their commas: those of the row's
    fields after it, of whole rows, then of the fields before it; so is a row that runs over several lines without
    the header's number of fields (the quote was closed in another column), which would otherwise be rejected alone.

    Raises:
        InputError: the first such row, and the column where it can be told.
    """
    if source.format != "csv" or lines <= rows + 1:
        return
    fields = len(source.columns) - len(source.overflow)
    every = ", ".join(f"#{p + 1}" for p in range(len(source.columns)))
    firsts = [f"min(row) FILTER (WHERE {_swallowing(f'#{p + 1}', p, fields)})" for p in range(fields)]
    firsts.append(f"min(row) FILTER (WHERE ({_row_problem(source)}) IS NOT NULL AND "
                  f"regexp_matches(concat_ws('', {every}), '[\\r\\n]'))")
    found = _over_file(con, source, f"SELECT {', '.join(firsts)} FROM (SELECT *, row_number() OVER () AS row "
                                    f"FROM {_FILE})", {}).fetchall()[0]
    hits = sorted((row, p) for p, row in enumerate(found) if row is not None)
    if hits:
        row, p = hits[0]
        opened = (f'the quote (") that opens its {shown_names([source.columns[p].strip()])}' if p < fields
                  else 'a quote (") in it')
        raise InputError(f"{merged_rows_problem(source.path.name, row, opened)} Nothing was imported.")


def _swallowing(value: str, position: int, fields: int) -> str:
    """SQL: whether the CSV text `value`, of the column at `position` of `fields`, is made of swallowed rows' lines."""
    lines = f"regexp_split_to_array({value}, '\\r\\n|\\r|\\n')"

    def commas(text: str) -> str:
        return f"(length({text}) - length(replace({text}, ',', '')))"

    whole = f"list_transform(list_slice({lines}, 2, len({lines}) - 1), lambda x: {commas('x')} = {fields - 1})"
    return (f"(regexp_matches({value}, '[\\r\\n]') AND {commas(f'{lines}[1]')} = {fields - 1 - position} "
            f"AND {commas(f'{lines}[-1]')} = {position} AND coalesce(list_bool_and({whole}), true))")


def extra_columns(source: Source, wanted: Sequence[str]) -> tuple[str, ...]:
    """The file's columns outside `wanted` that are kept, as the file spells them (the keys of each row's `extra`)."""
    return tuple(source.outside(wanted))


def columns_matching(con: duckdb.DuckDBPyConnection, source: Source, positions: Sequence[int],
                     pattern: str) -> tuple[bool, ...]:
    """Whether any value of each column at `positions` contains a match of the RE2 `pattern`, in one pass over the
    file that keeps nothing; a value that is a list is matched as its items joined by `|`."""
    if not positions:
        return ()
    params: dict[str, object] = {"pattern": pattern}
    found = [f"coalesce(bool_or(regexp_matches({_text(source, position, i, params)}, $pattern)), false)"
             for i, position in enumerate(positions)]
    row = _over_file(con, source, f"SELECT {', '.join(found)} FROM {_FILE}", params).fetchall()[0]
    return tuple(bool(v) for v in row)


def _trimmed(expression: str) -> str:
    return f"nullif(trim({expression}), '')"


def _extra(source: Source, wanted: Sequence[str], params: dict[str, object]) -> str:
    """SQL for the `extra` MAP of a row: its non-empty values of the kept columns outside `wanted`, sorted by name."""
    entries = []
    for name, position in sorted(source.outside(wanted).items()):
        key = f"extra_{position}"
        params[key] = name
        value = _trimmed(_text(source, position, len(wanted) + position, params))
        entries.append(f"{{'key': ${key}, 'value': {value}}}")
    if not entries:
        return "NULL::MAP(VARCHAR, VARCHAR)"
    kept = f"list_filter([{', '.join(entries)}], lambda e: e.value IS NOT NULL)"
    return f"CASE WHEN len({kept}) > 0 THEN map_from_entries({kept}) END"


def file_facts(path: Path) -> tuple[str, int]:
    """SHA-256 of the file's bytes (lowercase hex), and how many lines end in it (in LF, or in CR when it has no LF)."""
    digest = hashlib.sha256()
    lf = cr = 0
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
            lf += chunk.count(b"\n")
            cr += 0 if lf else chunk.count(b"\r")
    return digest.hexdigest(), lf or cr


def _text(source: Source, position: int, i: int, params: dict[str, object], *, whole: bool = False) -> str:
    """SQL text of the column at `position` as VARCHAR; timestamps with a zone as UTC text, lists joined by `|`
    (`whole`: an empty list or a null item stays visible, see `_joined`)."""
    if source.format == "jsonl":
        key = f"key_{i}"
        params[key] = _json_path(source.columns[position])
        items = _joined(f"CAST(json_extract(json, ${key}) AS VARCHAR[])", whole)
        return f"CASE json_type(json, ${key}) WHEN 'ARRAY' THEN {items} ELSE json_extract_string(json, ${key}) END"
    column = f"#{position + 1}"
    kind = source.types[position]
    if kind in _ZONED_TIMESTAMPS:
        return f"strftime(timezone('UTC', {column}), {_UTC_TEXT}) || 'Z'"
    if kind.startswith("TIMESTAMP"):
        return f"strftime(CAST({column} AS TIMESTAMP), '%Y-%m-%dT%H:%M:%S.%f')"
    if kind.endswith("[]"):
        return _joined(column, whole)
    return f"CAST({column} AS VARCHAR)"


def _json_path(key: str) -> str:
    """The JSON path of a top-level key, quoted (keys may hold spaces and dots)."""
    return '$."' + key.replace('"', '\\"') + '"'


def _joined(items: str, whole: bool) -> str:
    """SQL text of the list `items` as its items joined by `|`; when `whole`, an empty list or a null item leaves an
    empty part (`|` for an empty list), so that neither reads as an absent value (for identifiers, all three)."""
    if not whole:
        return f"array_to_string({items}, '|')"
    joined = f"array_to_string(list_transform({items}, lambda i: coalesce(i, '')), '|')"
    return f"CASE WHEN len({items}) = 0 THEN '|' ELSE {joined} END"


def _row_problem(source: Source) -> str:
    if source.format == "jsonl":
        return ("CASE WHEN json IS NULL OR json_type(json) <> 'OBJECT' "
                "THEN 'not a JSON object in UTF-8 text; give one object per line' "
                "WHEN len(json_keys(json)) <> len(list_distinct(json_keys(json))) "
                "THEN 'a key appears twice in this object; which value counts would be a guess, keep one' END")
    if source.format == "parquet":
        return "NULL::VARCHAR"
    more = " OR ".join(f"nullif(#{i + 1}, '') IS NOT NULL" for i in source.overflow) or "false"
    return (f"CASE WHEN {more} THEN 'has more fields than the header; quote values that contain commas' "
            f"WHEN #{len(source.columns) - len(source.overflow)} IS NULL "
            "THEN 'has fewer fields than the header; give every field (an empty one where there is no value)' END")


def _header(path: Path) -> list[str]:
    """The CSV header's names as written (DuckDB renames a repeated name, `action` twice becomes `action_1`)."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        try:
            return next(csv.reader(f), [])
        except (csv.Error, UnicodeDecodeError):
            raise InputError(f"{path.name}: the header row is not readable CSV text; save the file as UTF-8 CSV "
                             "with a header row.") from None


def _refuse_ambiguous(source: Source, header: Sequence[str]) -> None:
    """Refuse a header that names a column twice (compared without case and surrounding spaces): which of the two
    holds the value would be a guess."""
    seen: dict[str, str] = {}
    for name in header:
        key = name.strip().lower()
        if key in seen:
            shown = (f"columns {seen[key]!r} and {name!r} both mean {key!r}" if is_column_name(key)
                     else "two columns of the first line have the same name (is the first line a header row?)")
            raise InputError(f"{source.path.name}: {shown}; rename or remove one.")
        seen[key] = name


def _refuse_inexact_ids(con: duckdb.DuckDBPyConnection, source: Source) -> None:
    """Refuse a Parquet file whose id column holds fractional numbers, and a JSON Lines file with an id given so."""
    if source.format == "csv":
        return
    for name in IDS:
        position = source.named().get(name)
        if position is None:
            continue
        if source.format == "parquet":
            kind = source.types[position]
            if kind in ("FLOAT", "DOUBLE") or (kind.startswith("DECIMAL") and not kind.endswith(",0)")):
                raise InputError(f"{source.path.name}: its {name} column is of type {kind}, so ids would read as "
                                 f"12.0 and name no customer 12; write {name} as text or integers.")
            continue
        params = {"path": str(source.path), "key": _json_path(source.columns[position])}
        with _read_errors(source.path, source.format):
            (rows,) = con.execute(f"SELECT count(*) FROM {_READERS['jsonl']} WHERE json_type(json, $key) = 'DOUBLE'",
                                  params).fetchall()[0]
        if rows:
            raise InputError(f"{source.path.name}: {rows} line(s) give {name} as a number with a fraction or exponent "
                             f"(as 12.0), which names no customer 12; write ids as text (\"12\") and import again.")


@contextmanager
def file_order(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Keep rows in the order they are read within the block (row numbers depend on it), then restore the setting."""
    before = con.execute("SELECT current_setting('preserve_insertion_order')").fetchall()[0][0]
    con.execute("SET preserve_insertion_order = true")
    try:
        yield
    finally:
        con.execute(f"SET preserve_insertion_order = {'true' if before else 'false'}")


def _over_file(con: duckdb.DuckDBPyConnection, source: Source, statement: str,
               params: dict[str, object]) -> duckdb.DuckDBPyConnection:
    """Execute `statement` with the file's reader in place of `_FILE`, its reading errors as InputError.

    A CSV that only DuckDB's serial reader can read is read again with it, so run it outside a transaction.
    """
    params = {**params, "path": str(source.path)}
    try:
        with _read_errors(source.path, source.format, retry_serial=source.format == "csv"):
            return con.execute(statement.replace(_FILE, _READERS[source.format]), params)
    except _SerialOnly:
        check_quotes_closed(source.path)  # the serial reader takes a quote left open as a value running to the end
        with _read_errors(source.path, source.format):
            return con.execute(statement.replace(_FILE, _SERIAL_CSV), params)


class _SerialOnly(Exception):
    """The parallel CSV reader refused the file (short rows and quoted line breaks); the serial one can read it."""


@contextmanager
def _read_errors(path: Path, fmt: Format, *, retry_serial: bool = False) -> Iterator[None]:
    """Turn DuckDB's errors while reading a file into an InputError that names the line, never the file's text.

    Errors in this package's own SQL (parser, binder, catalog) pass through unchanged.
    """
    try:
        yield
    except (duckdb.ParserException, duckdb.BinderException, duckdb.CatalogException):
        raise
    except duckdb.Error as e:
        if retry_serial and "parallel=false" in str(e):
            raise _SerialOnly from None
        raise _refusal(path, fmt, e) from None


def _refusal(path: Path, fmt: Format, error: Exception) -> InputError:
    """The InputError for a reading error: it names the line of a CSV where reading failed when that can be told,
    never the file's text."""
    line = columns = None
    if fmt == "csv" and (size := _CSV_LINE_SIZE.search(str(error))):
        limit = int(size.group(1))
        where = "" if (long := _long_line(path, limit)) is None else f" (line {long})"
        return InputError(f"{path.name} has a row longer than {limit:,} bytes{where}, more than the reader takes and "
                          "more than any row needs (a quote that is not closed?); fix or shorten it and import again.")
    if fmt == "csv":
        record = _CSV_RECORD.search(str(error))
        line = _csv_line(path, int(record.group(1)) if record else None)
        columns = _CSV_COLUMNS.search(str(error))
    where = f" near line {line}" if line is not None else ""
    if columns:
        expected, found = columns.groups()
        return InputError(f"{path.name} could not be read as CSV{where}: that line has {found} values where the "
                          f"header has {expected}; fix the row (quote a value that holds a comma) and import again.")
    if fmt == "csv" and line is None and (mixed := _mixed_line_ending(path)) is not None:
        return InputError(f"{path.name} could not be read as CSV: its lines end in both CRLF and LF (line {mixed} "
                          "ends otherwise than the header); save it with one kind of line ending and import again.")
    hint = {
        "csv": "check that it is UTF-8, comma-separated, with a header row and every quote closed",
        "jsonl": "check that it is UTF-8 with one JSON object per line",
        "parquet": "check that it is a complete Parquet file",
    }[fmt]
    return InputError(f"{path.name} could not be read as {fmt.upper()}{where}; {hint}.")


def _mixed_line_ending(path: Path) -> int | None:
    """The first line that ends otherwise (CRLF or LF) than the first line of the file, or None; read only for a file
    that is refused."""
    with path.open("rb") as f:
        header = f.readline()
        crlf = header.endswith(b"\r\n")
        for number, line in enumerate(f, start=2):
            if line.endswith(b"\n") and line.endswith(b"\r\n") != crlf:
                return number
    return None


def _long_line(path: Path, limit: int) -> int | None:
    """The first line of more than `limit` bytes, or None (a row made long by a quoted value spanning lines); read
    only for a file that is refused."""
    with path.open("rb") as f:
        for number, line in enumerate(iter(lambda: f.readline(limit + 2), b""), start=1):
            if len(line.rstrip(b"\r\n")) > limit:
                return number
    return None


def _csv_line(path: Path, record: int | None) -> int | None:
    """The line on which record number `record` of a CSV begins (the header is record 1; a blank line is one), or,
    when DuckDB named no record (its sniffer gave up), the line on which the first record that is not strictly
    well-formed begins (a quote never closed, or followed by other text); None when neither can be told.

    Reads the file again up to that record; a file is only read so when it is refused.
    """
    start, number = 1, 1
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as f:
        reader = csv.reader(f, strict=record is None)
        try:
            while number != record:
                next(reader)
                start, number = reader.line_num + 1, number + 1
        except StopIteration:
            return None
        except csv.Error:
            return start if record is None else None
    return start
