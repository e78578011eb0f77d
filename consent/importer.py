"""Importing a consent events or suppressions file into the ledger.

Every row of the file is accounted for: appended, recognised as already recorded (a duplicate), or rejected with
its row number, column and reason. A file without the required columns is refused as a whole and nothing is
imported. The file is read and checked in temporary tables; the append, its `import_batch` row and its rejections
are one transaction, made only if the ledger did not change meanwhile. Columns outside the contract that hold
identifiers are never read into any table (`consent.extras`).
"""

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from audience.errors import InputError, TransientError, separator_hint
from consent import events, extras, ledger, suppressions
from consent.records import ImportReport, LedgerKind, Rejection, WithheldColumn
from consent.sources import FORMATS, Source, extra_columns, file_facts, file_order, open_source, refuse_swallowed_rows

REPORTED_REJECTIONS = 20
"""How many rejections an ImportReport carries; the import_rejection table keeps all of them."""
_STAGED = ("consent_new", "consent_parsed", "consent_source", "consent_parsed_rows", "consent_verdict",
           "consent_email_keys", "consent_phone_keys", "consent_batch", "consent_rejected")
"""The temporary tables and views of an import, dependent views first."""


@dataclass(frozen=True, slots=True)
class _Kind:
    """What the importer needs to know about one kind of file."""

    table: ledger.LedgerTable
    columns: tuple[str, ...]
    required: tuple[str, ...]
    any_of: tuple[str, ...]
    """At least one of these columns must be in the file."""


KINDS: dict[LedgerKind, _Kind] = {
    "events": _Kind("consent_event", events.COLUMNS, events.REQUIRED, ()),
    "suppressions": _Kind("suppression", suppressions.COLUMNS, suppressions.REQUIRED, suppressions.KEYS),
}
MARKERS: dict[str, LedgerKind] = {"action": "events", "kind": "suppressions"}
"""The column that tells a file's kind when the caller does not."""


def import_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    kind: LedgerKind | None = None,
    *,
    default_region: str = "PL",
    now: datetime | None = None,
) -> ImportReport:
    """Append a consent events or suppressions file (CSV, JSON Lines or Parquet) to the ledger.

    Args:
        kind: "events" or "suppressions"; None infers it from the columns (`action` or `kind`).
        default_region: region for national phone numbers of suppressions without a usable `country`.
        now: the import time (recorded with the batch, and the default `recorded_at`); defaults to the clock.

    Raises:
        InputError: the file cannot be read, its kind cannot be told, or it lacks required columns.
        TransientError: another writer appended to the ledger while the file was being checked.
    """
    ledger.ensure_schema(con)
    source = open_source(con, path)
    kind = kind or infer_kind(source)
    spec = KINDS[kind]
    _check_columns(source, kind, spec)
    source, withheld = extras.screen(con, source, spec.columns)
    imported_at = now or datetime.now(UTC)
    with ThreadPoolExecutor(max_workers=1) as hashing:
        facts = hashing.submit(file_facts, path)
        try:
            with file_order(con):
                con.execute(ledger.sql("macros"))
                seen, batch_id = ledger.head(con), ledger.next_batch_id(con)
                if kind == "events":
                    rows, duplicates = events.prepare(con, source, batch_id, imported_at)
                else:
                    rows, duplicates = suppressions.prepare(con, source, batch_id, imported_at, default_region)
                sha256, lines = facts.result()
                refuse_swallowed_rows(con, source, rows, lines)
                with _transaction(con):
                    if ledger.head(con) != seen or ledger.next_batch_id(con) != batch_id:
                        raise TransientError(f"The consent ledger changed while {path.name} was being checked "
                                             "(another import?); import the file again.")
                    appended = ledger.append(con, spec.table, "consent_new")
                    return _record(con, source, sha256, kind, batch_id, rows, duplicates, appended,
                                   imported_at, withheld)
        finally:
            _drop_staged(con)


def import_events(con: duckdb.DuckDBPyConnection, path: Path, *, now: datetime | None = None) -> ImportReport:
    """`import_file` for a consent events file."""
    return import_file(con, path, "events", now=now)


def import_suppressions(con: duckdb.DuckDBPyConnection, path: Path, *, default_region: str = "PL",
                        now: datetime | None = None) -> ImportReport:
    """`import_file` for a suppressions file."""
    return import_file(con, path, "suppressions", default_region=default_region, now=now)


def check_header(path: Path, kind: LedgerKind) -> None:
    """Refuse at once a file that cannot be imported as `kind` whatever its rows hold: missing, of an unknown type,
    unreadable, or without the required columns. A JSON Lines file, which has no header, is checked as it is imported.

    Raises:
        InputError: what is wrong with the file, and how to fix it.
    """
    if FORMATS.get(path.suffix.lower()) == "jsonl":
        return
    with duckdb.connect() as con:
        _check_columns(open_source(con, path), kind, KINDS[kind])


def infer_kind(source: Source) -> LedgerKind:
    """Tell a file's kind from its columns: `action` means events, `kind` means suppressions."""
    found = {MARKERS[name] for name in source.named() if name in MARKERS}
    if len(found) != 1:
        has = "both an `action` and a `kind` column" if found else "neither an `action` nor a `kind` column"
        raise InputError(f"{source.path.name} has {has}, so its kind is unclear; pass --kind events or "
                         f"--kind suppressions.{_delimiter_hint(source)}")
    return found.pop()


def rejections_table(con: duckdb.DuckDBPyConnection, batch_id: int) -> pa.Table:
    """Every rejection of an import batch: source_row, column, platform (always null: no platform rejects alone),
    reason, row_kept."""
    return con.sql(
        'SELECT source_row, "column", NULL::VARCHAR AS platform, reason, row_kept FROM import_rejection '
        'WHERE batch_id = $batch ORDER BY source_row, "column"',
        params={"batch": batch_id},
    ).to_arrow_table()


def _check_columns(source: Source, kind: LedgerKind, spec: _Kind) -> None:
    named = source.named()
    missing = [c for c in spec.required if c not in named]
    if spec.any_of and not any(c in named for c in spec.any_of):
        missing.append(" or ".join(spec.any_of))
    if not missing:
        return
    where = "as keys of its JSON objects" if source.format == "jsonl" else "to the header row"
    raise InputError(f"{source.path.name} is missing the required {kind} column(s): {', '.join(missing)}. "
                     f"Add them {where}; nothing was imported.{_delimiter_hint(source)}")


def _delimiter_hint(source: Source) -> str:
    """What probably went wrong when a file lacks the columns it needs: another separator, or no content."""
    if source.size == 0:
        least = "one JSON object per line" if source.format == "jsonl" else "a header row"
        return f" The file is empty: it needs at least {least}."
    return separator_hint(source.columns)


def _record(
    con: duckdb.DuckDBPyConnection, source: Source, sha256: str, kind: LedgerKind, batch_id: int, rows: int,
    duplicates: int, appended: tuple[int, int, str] | None, imported_at: datetime,
    withheld: tuple[WithheldColumn, ...],
) -> ImportReport:
    first, last, head_hash = appended if appended is not None else (None, None, None)
    accepted = 0 if first is None or last is None else last - first + 1
    con.execute(
        "INSERT INTO import_rejection SELECT $batch, source_row, \"column\", reason, row_kept FROM consent_rejected",
        {"batch": batch_id},
    )
    rejected = int(con.execute(
        "SELECT count(DISTINCT source_row) FROM consent_rejected WHERE NOT row_kept"
    ).fetchall()[0][0])
    con.execute(
        "INSERT INTO import_batch VALUES ($batch, $kind, $path, $sha, $size, $rows, $accepted, $duplicates, "
        "$rejected, $first, $last, $head, $at)",
        {"batch": batch_id, "kind": kind, "path": str(source.path), "sha": sha256, "size": source.size,
         "rows": rows, "accepted": accepted, "duplicates": duplicates, "rejected": rejected, "first": first,
         "last": last, "head": head_hash, "at": imported_at},
    )
    total, sample = _rejections(con)
    extra = extra_columns(source, KINDS[kind].columns)
    return ImportReport(batch_id, kind, sha256, rows, accepted, duplicates, rejected, sample, total, extra,
                        first, last, withheld)


def _rejections(con: duckdb.DuckDBPyConnection) -> tuple[int, tuple[Rejection, ...]]:
    total = int(con.execute("SELECT count(*) FROM consent_rejected").fetchall()[0][0])
    rows = con.execute(
        'SELECT source_row, "column", reason, row_kept FROM consent_rejected ORDER BY source_row, "column" LIMIT $n',
        {"n": REPORTED_REJECTIONS},
    ).fetchall()
    return total, tuple(Rejection(int(r), str(c), str(why), bool(k)) for r, c, why, k in rows)


def _drop_staged(con: duckdb.DuckDBPyConnection) -> None:
    kinds = dict(con.execute(
        "SELECT table_name, table_type FROM information_schema.tables WHERE table_catalog = 'temp' "
        "AND list_contains($names, table_name)",
        {"names": list(_STAGED)},
    ).fetchall())
    for name in _STAGED:
        if name in kinds:
            con.execute(f"DROP {'VIEW' if kinds[name] == 'VIEW' else 'TABLE'} {name}")


@contextmanager
def _transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")
