"""Reading the customers file in bounded batches, each row numbered, with the checks that refuse rows or files."""

import csv
import queue
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from audience.errors import InputError, separator_hint, shown_names
from consent.records import UNUSABLE_ID_PATTERN

REQUIRED_COLUMNS = ("customer_id",)
RESERVED_COLUMNS = ("source_row",)
"""Names the pipeline adds to the customers' columns, so no column of the file may have them."""
IDENTIFIER_COLUMNS = ("email", "phone", "device_id")
CORE_COLUMNS = ("customer_id", "email", "phone", "device_id", "country", "device_os")
"""The columns the identifier core reads; absent ones are passed as nulls."""
TEXT_COLUMNS = ("customer_id", "country", "device_os")
"""Attribute columns kept as text whatever they look like."""
REJECTION_SCHEMA = pa.schema(
    [("source_row", pa.int64()), ("column", pa.string()), ("platform", pa.string()), ("reason", pa.string())]
)
FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
DEFAULT_BATCH_ROWS = 500_000
_CSV_BLOCK_BYTES = 4 << 20
_ATTRIBUTE_TYPES = (pa.int64(), pa.float64(), pa.date32(), pa.bool_())
_QUOTE = re.compile(b'"')
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_FIELD_STARTS = frozenset(b",\r\n")
"""Bytes after which a quote opens a quoted value."""
_UTF8_COLUMN = re.compile(r"^In CSV column #(\d+): .*invalid UTF8", re.DOTALL)

REASON_FIELD_COUNT = "wrong number of fields for the header; check the quoting of this row"
REASON_EMPTY_ID = "customer_id is empty; every row needs a unique customer_id"
REASON_UNUSABLE_ID = ("customer_id holds a control or invisible character (a tab, line break, NUL or zero-width space), "
                      "which no consent file's id would match; write it without")
REASON_DUPLICATE_ID = "customer_id repeats an earlier row; keep one row per customer"


@dataclass(frozen=True, slots=True)
class Batch:
    """One slice of the customers file."""

    customers: pa.Table
    """`source_row` (1-based data row), the core columns as strings, then every other column of the file."""
    rejections: pa.Table
    """Rows refused as a whole: source_row, column, platform (null), reason."""


def file_format(path: Path) -> str:
    """`csv` or `parquet`, from the file extension."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(f"{path.name}: unknown file type {path.suffix!r}; use a .csv or .parquet file.")
    return fmt


def columns(path: Path) -> list[str]:
    """The file's column names as it spells them, after checking that the required ones are present.

    A core column's name is recognised whatever its case and surrounding spaces (` Email ` is `email`), as in the
    consent files; two names that mean the same column are refused."""
    if not path.is_file():
        raise InputError(f"Customers file {path} does not exist or is not a file; check inputs.customers or "
                         "--customers.")
    schema = None
    if file_format(path) == "parquet":
        try:
            schema = pq.ParquetFile(path).schema_arrow
            names = schema.names
        except (pa.ArrowException, OSError) as e:
            raise InputError(f"{path.name} cannot be read as Parquet ({type(e).__name__}); check that it is a "
                             "complete Parquet file, or export it again.") from None
    else:
        with path.open("rb") as f:
            header = f.readline()
        try:
            names = next(csv.reader([header.decode("utf-8-sig")]), [])
        except UnicodeDecodeError:
            raise InputError(f"{path.name}: the header row is not UTF-8; re-export the file as UTF-8 CSV.") from None
        except csv.Error:
            raise InputError(f"{path.name}: the header row cannot be read as CSV (are its lines ended by a carriage "
                             "return alone, as old Mac programs write them?); save it with LF or CRLF line endings."
                             ) from None
    canonical = [core_name(n) for n in names]
    missing = [c for c in REQUIRED_COLUMNS if c not in canonical]
    if missing:
        raise InputError(
            f"{path.name} lacks the required column(s) {', '.join(missing)} (it has: {shown_names(names)}); "
            f"add them to the header row (the first line must be the header).{separator_hint(names)}"
        )
    reserved = [n for n in names if n.strip().lower() in RESERVED_COLUMNS]
    if reserved:
        raise InputError(f"{path.name} has a column named {shown_names(reserved)}, a name the pipeline gives the row "
                         "numbers; rename that column.")
    repeated = sorted({n for n in canonical if canonical.count(n) > 1})
    if repeated:
        raise InputError(f"{path.name} has the column(s) {shown_names(repeated)} more than once (names are compared "
                         "without case and surrounding spaces for the core columns); rename or drop them.")
    if schema is not None:
        kind = schema.field(canonical.index("customer_id")).type
        kind = kind.value_type if pa.types.is_dictionary(kind) else kind
        if pa.types.is_floating(kind) or (pa.types.is_decimal(kind) and kind.scale > 0):
            raise InputError(f"{path.name}: its customer_id column is of type {kind}, so ids would read as 12.0 and "
                             "match no consent event for customer 12; write customer_id as text or integers.")
    return names


def core_name(name: str) -> str:
    """A core column's canonical name for any spelling of it (case, surrounding spaces); other names unchanged."""
    key = name.strip().lower()
    return key if key in CORE_COLUMNS else name


def customer_batches(path: Path, *, batch_rows: int = DEFAULT_BATCH_ROWS, core_only: bool = False) -> Iterator[Batch]:
    """The customers file as batches of about `batch_rows` rows, with rows that cannot be used refused; with
    `core_only`, the core columns alone (what the identifier core reads)."""
    names = columns(path)
    kept = [n for n in names if core_name(n) in CORE_COLUMNS] if core_only else names
    is_csv = file_format(path) == "csv"
    raw = _csv_batches(path, names, kept, batch_rows) if is_csv else _parquet_batches(path, kept, batch_rows)
    usable = unusable = 0
    first_unusable: tuple[int, str] | None = None
    for table, refused in read_ahead(raw):
        if table.num_rows == 0 and refused.num_rows == 0:
            continue
        table = _with_core_columns(path, table.rename_columns([core_name(n) for n in table.column_names]))
        table = table.set_column(table.schema.get_field_index("customer_id"), "customer_id",
                                 pc.utf8_trim(table["customer_id"], " "))
        if is_csv:
            _refuse_merged_rows(path, table, names)
        empty = pc.fill_null(pc.equal(pc.utf8_trim_whitespace(table["customer_id"]), ""), True)
        invisible = pc.and_not(pc.fill_null(pc.match_substring_regex(table["customer_id"], UNUSABLE_ID_PATTERN), False),
                               empty)
        rejections = pa.concat_tables([
            refused, _rejections(table["source_row"].filter(empty), "customer_id", REASON_EMPTY_ID),
            _rejections(table["source_row"].filter(invisible), "customer_id", REASON_UNUSABLE_ID)])
        kept = pc.invert(pc.or_(empty, invisible))
        batch = Batch(customers=table.filter(kept) if not pc.all(kept).as_py() else table, rejections=rejections)
        usable += batch.customers.num_rows
        unusable += rejections.num_rows
        if first_unusable is None and rejections.num_rows:
            first = rejections.sort_by("source_row").slice(0, 1).to_pylist()[0]
            first_unusable = (first["source_row"], first["reason"])
        yield batch
    if not usable:
        _refuse_without_customers(path, unusable, first_unusable)


def _refuse_merged_rows(path: Path, table: pa.Table, names: list[str]) -> None:
    """Refuse a CSV file in which a quote that opens a value of a row is closed only on a later line, swallowing the
    rows in between into that one value (the merged row may still have the header's field count): their customers
    would vanish unnoticed.

    No real core value (customer_id or an identifier) holds a line break between its characters (one around them is
    whitespace the identifier contract strips). A free-text attribute may, so one is refused only when its lines hold
    exactly the commas of swallowed rows: those of the row's fields after it, of whole rows, then of the fields before
    it, as when a stray quote in the same column of a later row closes it."""
    merged_rows = []
    for column in (c for c in table.column_names if c != "source_row" and _may_break_lines(table[c])):
        if column in CORE_COLUMNS:
            merged = pc.fill_null(pc.match_substring_regex(pc.utf8_trim_whitespace(table[column]), r"[\r\n]"), False)
        else:
            merged = _swallowing(table[column], names.index(column), len(names))
        if pc.any(merged).as_py():
            merged_rows.append((pc.min(table["source_row"].filter(merged)).as_py(), column))
    if merged_rows:
        row, column = min(merged_rows)
        raise InputError(merged_rows_problem(path.name, row, f'the quote (") that opens its {column}'))


def merged_rows_problem(file: str, row: int, opened: str) -> str:
    """Why a CSV file whose row `row` swallows the rows after it is refused; `opened` names the quote that opens it."""
    return (f"{file}: row {row} runs over several lines: {opened} is closed only on a later line, so the rows in "
            "between would merge into it and vanish; close the quote on the row's own line, or remove it.")


def _swallowing(values: pa.ChunkedArray, position: int, fields: int) -> pa.Array:
    """Which values of the attribute at `position` (of `fields` columns) are made of swallowed rows' lines; only the
    values holding a line break are looked at one by one."""
    breaks = pc.fill_null(pc.match_substring_regex(values, r"[\r\n]"), False)
    at = np.flatnonzero(breaks.to_numpy(zero_copy_only=False))
    swallowing = np.zeros(len(values), dtype=bool)
    for i, text in zip(at, values.take(at).to_pylist()):
        first, *whole, last = _LINE_BREAK.split(text)
        swallowing[i] = (first.count(",") == fields - 1 - position and last.count(",") == position
                         and all(line.count(",") == fields - 1 for line in whole))
    return pa.array(swallowing)


def _may_break_lines(column: pa.ChunkedArray) -> bool:
    """Whether a text column's value bytes hold a CR or LF anywhere: the common answer, no, without a pass per value.
    (A chunk's bytes may include values outside it, so a yes can be in vain; a no never is.)"""
    for chunk in column.chunks:
        data = chunk.buffers()[2]
        octets = np.frombuffer(data, np.uint8) if data is not None else np.empty(0, np.uint8)
        if (octets == ord("\n")).any() or (octets == ord("\r")).any():
            return True
    return False


def _refuse_without_customers(path: Path, rows: int, first: tuple[int, str] | None) -> None:
    """Refuse a customers file with no usable row: a run with no customers would remove every exported customer
    from every audience, which a broken or truncated export must not do."""
    stop = "a run without customers would remove everyone from every audience, so nothing is done"
    if first is None:
        raise InputError(f"{path.name} has a header but no data rows; {stop}. Check the export that wrote it.")
    row, reason = first
    raise InputError(f"{path.name}: none of its {rows:,} data rows can be used (row {row}: {reason}); {stop}. "
                     "Fix the file.")


def _csv_batches(path: Path, names: list[str], kept: list[str],
                 batch_rows: int) -> Iterator[tuple[pa.Table, pa.Table]]:
    numbers = _RowNumbers()

    def refuse(row: pacsv.InvalidRow) -> str:
        numbers.skip(row.number - 1, merged="\n" in row.text)
        return "skip"

    empty = pa.table({n: pa.array([], pa.string()) for n in kept})
    if _header_only(path):
        yield numbers.attach(empty, last=True)
        return
    try:
        reader = pacsv.open_csv(
            path,
            read_options=pacsv.ReadOptions(use_threads=False, block_size=_CSV_BLOCK_BYTES, encoding="utf8"),
            parse_options=pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=refuse),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
                null_values=[""],
                include_columns=kept,
            ),
        )
        pending: list[pa.RecordBatch] = []
        for record_batch in reader:
            numbers.check(path)
            pending.append(record_batch)
            if sum(b.num_rows for b in pending) >= batch_rows:
                yield numbers.attach(pa.Table.from_batches(pending))
                pending = []
        numbers.check(path)
        check_quotes_closed(path)
        yield numbers.attach(pa.Table.from_batches(pending) if pending else empty, last=True)
    except pa.ArrowInvalid as e:
        column = _UTF8_COLUMN.match(str(e))
        if "straddl" in str(e):
            raise InputError(f"{path.name} has a row of several megabytes, more than the reader takes and more than a "
                             "customer needs (a quote that is not closed?); fix or shorten that row.") from None
        if column and int(column.group(1)) < len(names):
            raise InputError(f"{path.name}: column {shown_names([names[int(column.group(1))]])} holds bytes that are not "
                             "UTF-8 text; re-export the file as UTF-8 CSV.") from None
        raise InputError(f"{path.name} cannot be read as UTF-8 CSV ({_reason_only(e)}); re-export it as UTF-8 CSV.") \
            from None
    except pa.ArrowException as e:
        raise InputError(f"{path.name} cannot be read ({type(e).__name__}); re-export it as UTF-8 CSV.") from None


def check_quotes_closed(path: Path) -> None:
    """Refuse a CSV file that ends inside a quoted value: a parser reads everything after the quote that opened it
    as that one value, so the rows there would vanish.

    A file whose quotes pair up (the usual case) is passed after counting them; it could still end inside a value
    if it also holds an odd number of stray quotes, which this does not look for. Otherwise the quotes are followed
    as a CSV parser does: a quote opens a value only at the start of a field (a quote inside an unquoted value, as
    in `o"brien@example.com`, is a character like any other), and inside a quoted value `""` is a quote.

    Raises:
        InputError: the file ends inside a quoted value (naming the line of the quote that opened it).
    """
    quotes = 0
    with path.open("rb") as f:
        while chunk := f.read(_CSV_BLOCK_BYTES):
            quotes += chunk.count(b'"')
    if quotes % 2 == 0:
        return
    opened = _open_quote_line(path)
    if opened is not None:
        raise InputError(f'{path.name}: the quote (") that opens a value on line {opened} is never closed, so the rows '
                         'after it would be read as one value; close it (a quote inside a quoted value is written '
                         'twice: "").')


def _open_quote_line(path: Path) -> int | None:
    """The line of the quote that opened the value the file ends inside, or None when it ends outside quotes."""
    inside, closing, opened, offset, before = False, None, 0, 0, ord("\n")
    with path.open("rb") as f:
        while chunk := f.read(_CSV_BLOCK_BYTES):
            for match in _QUOTE.finditer(chunk):
                at = offset + match.start()
                if closing is not None:  # the quote before, inside a value, closed it unless this one doubles it
                    doubled, closing = at == closing + 1, None
                    if doubled:
                        continue
                    inside = False
                if inside:
                    closing = at
                elif (chunk[match.start() - 1] if match.start() else before) in _FIELD_STARTS:
                    inside, opened = True, at
            offset, before = offset + len(chunk), chunk[-1]
    if not inside or closing is not None:
        return None
    line = 1
    with path.open("rb") as f:
        for start in range(0, opened, _CSV_BLOCK_BYTES):
            line += f.read(min(_CSV_BLOCK_BYTES, opened - start)).count(b"\n")
    return line


def _header_only(path: Path) -> bool:
    """Whether the file is a header row alone, with or without a line break after it (the CSV reader refuses the
    latter as empty)."""
    with path.open("rb") as f:
        f.readline()
        return f.read(1) == b""


_DONE = object()


def read_ahead(items: Iterator, depth: int = 1) -> Iterator:
    """`items`, drawn in a thread of its own up to `depth` ahead of the consumer, so that reading the next batch
    overlaps the work on this one; an error of `items` is raised here, where the batch it stopped at would be."""
    ready: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def draw() -> None:
        try:
            for item in items:
                if not put((item, None)):
                    return
            put((_DONE, None))
        except BaseException as error:  # handed to the consumer, which raises it
            put((_DONE, error))

    reader = threading.Thread(target=draw, name="read-ahead", daemon=True)
    reader.start()
    try:
        while True:
            item, error = ready.get()
            if error is not None:
                raise error
            if item is _DONE:
                return
            yield item
    finally:
        stop.set()
        reader.join()


class _RowNumbers:
    """Data-row numbers of accepted CSV rows, given the rows the parser skipped (reported in file order)."""

    def __init__(self) -> None:
        self.skipped: list[int] = []
        self.accepted = 0
        self.reported = 0
        self.merged: int | None = None
        """The first skipped row whose text runs over several lines: rows that a broken quote ran together."""

    def skip(self, row: int, *, merged: bool = False) -> None:
        self.skipped.append(row)
        if merged and self.merged is None:
            self.merged = row

    def check(self, path: Path) -> None:
        """Refuse the file once rows were run together: how many there were, and which, cannot be told.

        Raises:
            InputError: a skipped row runs over several lines.
        """
        if self.merged is not None:
            raise InputError(f"{path.name}: row {self.merged} has a quoted value that runs over the following lines "
                             "(a quote that is not closed?), so the rows after it cannot be told apart; fix the "
                             "quoting of that row.")

    def attach(self, table: pa.Table, *, last: bool = False) -> tuple[pa.Table, pa.Table]:
        """`table` with `source_row` first, and the skipped rows not yet reported as rejections."""
        holes = np.asarray(self.skipped, dtype=np.int64)
        rank = np.arange(self.accepted + 1, self.accepted + 1 + table.num_rows, dtype=np.int64)
        rows = rank + np.searchsorted(holes - np.arange(len(holes)), rank, side="right")
        self.accepted += table.num_rows
        upto = holes.max(initial=0) if last else (int(rows[-1]) if len(rows) else self.reported)
        newly = holes[(holes > self.reported) & (holes <= upto)]
        self.reported = max(self.reported, upto)
        refused = _rejections(pa.array(newly, pa.int64()), "*", REASON_FIELD_COUNT)
        return table.add_column(0, "source_row", pa.array(rows, pa.int64())), refused


def _parquet_batches(path: Path, kept: list[str], batch_rows: int) -> Iterator[tuple[pa.Table, pa.Table]]:
    try:
        file = pq.ParquetFile(path)
        start = 1
        for record_batch in file.iter_batches(batch_size=batch_rows, columns=kept):
            table = _empty_as_absent(_utf8_checked(path, pa.Table.from_batches([record_batch])))
            rows = pa.array(np.arange(start, start + table.num_rows, dtype=np.int64))
            start += table.num_rows
            yield table.add_column(0, "source_row", rows), _rejections(pa.array([], pa.int64()), "*", "")
    except (pa.ArrowException, OSError) as e:
        raise InputError(f"{path.name} cannot be read as Parquet ({type(e).__name__}); check that it is a complete "
                         "Parquet file, or export it again.") from None


def _utf8_checked(path: Path, table: pa.Table) -> pa.Table:
    """`table`, once every text column is known to hold UTF-8 (Parquet does not check it when writing).

    Raises:
        InputError: a text column holds bytes that are not UTF-8.
    """
    for field, column in zip(table.schema, table.columns, strict=True):
        if _is_text(field.type):
            try:
                column.validate(full=True)
            except pa.ArrowInvalid:
                raise InputError(f"{path.name}: column {shown_names([field.name])} holds bytes that are not UTF-8 "
                                 "text; write it as UTF-8 strings (or as binary, if it is not text).") from None
    return table


def _empty_as_absent(table: pa.Table) -> pa.Table:
    """`table` with every empty text value null: an empty cell means absent, in Parquet as in CSV. Dictionary-encoded
    text (pandas' categories) becomes plain text, as in CSV."""
    for i, column in enumerate(table.columns):
        if pa.types.is_dictionary(column.type) and _is_text(column.type.value_type):
            column = pc.cast(column, column.type.value_type)
            table = table.set_column(i, pa.field(table.field(i).name, column.type), column)
        if _is_text(column.type):
            empty = pc.equal(column, pa.scalar("", column.type))
            if pc.any(empty).as_py():
                table = table.set_column(i, table.field(i), pc.if_else(empty, pa.scalar(None, column.type), column))
    return table


def _is_text(kind: pa.DataType) -> bool:
    return pa.types.is_string(kind) or pa.types.is_large_string(kind)


def _with_core_columns(path: Path, table: pa.Table) -> pa.Table:
    """The core columns as strings (nulls where the file lacks one), after source_row; other columns unchanged."""
    core = []
    for name in CORE_COLUMNS:
        if name in table.column_names:
            column = table[name]
            try:
                core.append(column if column.type == pa.string() else pc.cast(column, pa.string()))
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                raise InputError(f"{path.name}: column {name} ({column.type}) cannot be read as text (bytes that are "
                                 "not UTF-8, or a nested type); write it as a string column.") from None
        else:
            core.append(pa.nulls(table.num_rows, pa.string()))
    rest = [n for n in table.column_names if n != "source_row" and n not in CORE_COLUMNS]
    return pa.Table.from_arrays(
        [table["source_row"], *core, *(table[n] for n in rest)], names=["source_row", *CORE_COLUMNS, *rest]
    )


def _rejections(rows: pa.Array | pa.ChunkedArray, column: str, reason: str) -> pa.Table:
    n = len(rows)
    return pa.Table.from_arrays(
        [
            pc.cast(rows, pa.int64()),
            pa.array([column] * n, pa.string()) if n else pa.array([], pa.string()),
            pa.nulls(n, pa.string()),
            pa.array([reason] * n, pa.string()) if n else pa.array([], pa.string()),
        ],
        schema=REJECTION_SCHEMA,
    )


def _reason_only(error: Exception) -> str:
    """The kind of a parser error without the row text pyarrow appends (it may hold identifiers)."""
    return str(error).split(":", 1)[0].strip()


def attributes(table: pa.Table) -> pa.Table:
    """The batch without its raw identifier columns: what audience conditions may filter on."""
    return table.select([n for n in table.column_names if n not in IDENTIFIER_COLUMNS])


def narrowest_types(table: pa.Table) -> pa.Table:
    """`table` with each text attribute column given the narrowest type that holds all of its values
    (integer, float, date, boolean, else text); identifying columns stay text."""
    for i, name in enumerate(table.column_names):
        column = table[name]
        if name in TEXT_COLUMNS or not pa.types.is_string(column.type) or column.null_count == len(column):
            continue
        typed = _narrowest(column)
        if typed is not None:
            table = table.set_column(i, name, typed)
    return table


def _narrowest(column: pa.ChunkedArray) -> pa.ChunkedArray | None:
    for target in _ATTRIBUTE_TYPES:
        try:
            return pc.cast(column, target)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            continue
    return None
