"""What the platforms say back, kept per run so that rates show a trend: imported match reports (uploaded and matched
counts, or Google's match-rate range) and the overlap of a partner's hashed identifiers with a run's export."""

import csv
import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from audience.errors import InputError
from audience.reports import queries

REQUIRED_COLUMNS = ("run_id", "platform", "audience")
COUNT_COLUMNS = ("uploaded", "matched")
RANGE_COLUMN = "match_rate_range"
GOOGLE_RANGES: dict[str, tuple[float, float]] = {
    "MATCH_RANGE_LESS_THAN_20": (0.0, 0.2),
    "MATCH_RANGE_20_TO_30": (0.2, 0.3),
    "MATCH_RANGE_31_TO_40": (0.31, 0.4),
    "MATCH_RANGE_41_TO_50": (0.41, 0.5),
    "MATCH_RANGE_51_TO_60": (0.51, 0.6),
    "MATCH_RANGE_61_TO_70": (0.61, 0.7),
    "MATCH_RANGE_71_TO_80": (0.71, 0.8),
    "MATCH_RANGE_81_TO_90": (0.81, 0.9),
    "MATCH_RANGE_91_TO_100": (0.91, 1.0),
}
"""Google Ads `OfflineUserDataJob.operation_metadata.match_rate_range` buckets and the rates they span."""
SHA256_PATTERN = "^[0-9a-f]{64}$"
SHOWN_INVALID_LINES = 10
"""Invalid lines of a partner list named by number (the rest are counted)."""


@dataclass(frozen=True, slots=True)
class Rejected:
    """A row of an input that was not taken: its 1-based data-row number, the column and why (never the value)."""

    row: int
    column: str
    reason: str


@dataclass(frozen=True, slots=True)
class MatchImport:
    """What importing a match report did."""

    rows: int
    accepted: int
    rejected: int
    rejections: tuple[Rejected, ...]


@dataclass(frozen=True, slots=True)
class AudienceOverlap:
    """A partner list against one audience of the export."""

    audience: str
    exported_values: int
    overlap: int


@dataclass(frozen=True, slots=True)
class Overlap:
    """A partner list of hashes against the latest export to one platform."""

    run_id: str
    platform: str
    partner_values: int
    invalid_lines: int
    first_invalid: tuple[int, ...]
    audiences: tuple[AudienceOverlap, ...]


def import_matches(con: duckdb.DuckDBPyConnection, path: Path, *, now: datetime) -> MatchImport:
    """Import a CSV of what platforms reported for uploaded audiences; a row for a run, platform and audience
    already imported replaces it.

    Columns: run_id, platform, audience (required), then uploaded and matched (record counts, e.g. Meta's
    num_received and num_matched), and/or match_rate_range (a Google bucket such as MATCH_RANGE_41_TO_50).

    Raises:
        InputError: the file is missing, unreadable, or lacks required columns (nothing is imported then).
    """
    queries.ensure_schema(con)
    table = _read_csv(path)
    missing = [c for c in REQUIRED_COLUMNS if c not in table.column_names]
    if missing or not ({RANGE_COLUMN, *COUNT_COLUMNS} & set(table.column_names)):
        need = ", ".join(missing) if missing else f"uploaded and matched, or {RANGE_COLUMN}"
        raise InputError(f"{path.name} lacks the column(s) {need}; the header must be "
                         f"run_id,platform,audience,uploaded,matched,{RANGE_COLUMN} (counts or range may be empty).")
    for column in (*COUNT_COLUMNS, RANGE_COLUMN):
        if column not in table.column_names:
            table = table.append_column(column, pa.nulls(table.num_rows, pa.string()))
    table = table.append_column("source_row", pa.array(np.arange(1, table.num_rows + 1, dtype=np.int64)))
    ranges = pa.table({"name": list(GOOGLE_RANGES), "rate_low": [lo for lo, _ in GOOGLE_RANGES.values()],
                       "rate_high": [hi for _, hi in GOOGLE_RANGES.values()]})
    con.register("match_input", table)
    con.register("match_range", ranges)
    try:
        checked = queries.SQL.arrow(con, "match_import.sql")
    finally:
        con.unregister("match_input")
        con.unregister("match_range")
    con.register("match_checked", checked)
    try:
        queries.script(con, "match_store.sql", {"source_file": path.name, "imported_at": now})
    finally:
        con.unregister("match_checked")
    bad = checked.filter(pc.is_valid(checked["reason"]))
    rejections = tuple(Rejected(r["source_row"], r["bad_column"], r["reason"]) for r in bad.to_pylist())
    return MatchImport(checked.num_rows, checked.num_rows - bad.num_rows, bad.num_rows, rejections)


def measure_overlap(con: duckdb.DuckDBPyConnection, path: Path, platform: str, *, run_id: str | None = None,
                    now: datetime) -> Overlap:
    """Count how many of a partner's SHA-256 hashes (one per line, blank lines ignored; a first line that is not a hash is a header)
    each audience of the latest export to `platform` (or of `run_id`) holds, and keep the result.

    Raises:
        InputError: the file is missing or not UTF-8, no successful run exported to the platform, or `run_id` is
            not a successful run that sent anything to it.
    """
    queries.ensure_schema(con)
    if run_id is None:
        found = queries.rows(con, "latest_export.sql", {"platform": platform})
        if not found:
            raise InputError(f"No successful run exported anything to {platform}; run `audience run` first.")
        run_id = found[0]["run_id"]
    elif not queries.rows(con, "run_export.sql", {"run_id": run_id, "platform": platform}):
        raise InputError(f"No successful run {run_id!r} sent anything to {platform} in this workspace; omit --run "
                         "for the latest export, or check the run id (the output directory's names).")
    lines = _lines(path)
    start = 1 if len(lines) and not pc.match_substring_regex(lines[0:1], SHA256_PATTERN)[0].as_py() else 0
    body = lines[start:]
    valid = pc.match_substring_regex(body, SHA256_PATTERN)
    invalid_at = pc.indices_nonzero(pc.and_(pc.invert(valid), pc.not_equal(body, "")))
    hashes = body.filter(valid)
    con.register("partner_hash", pa.table({"sha256": hashes}))
    try:
        counted = queries.rows(con, "overlap.sql", {"run_id": run_id, "platform": platform})
    finally:
        con.unregister("partner_hash")
    partner_sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    audiences = []
    for row in counted:
        queries.script(con, "overlap_store.sql", {
            "run_id": run_id, "platform": platform, "audience": row["audience"], "partner_file": path.name,
            "partner_sha256": partner_sha256, "partner_values": row["partner_values"],
            "exported_values": row["exported_values"], "overlap": row["overlap"], "measured_at": now,
        })
        audiences.append(AudienceOverlap(row["audience"], row["exported_values"], row["overlap"]))
    partner = counted[0]["partner_values"] if counted else len(pc.unique(hashes))
    return Overlap(run_id, platform, partner, len(invalid_at),
                   tuple(int(i) + 1 + start for i in invalid_at.slice(0, SHOWN_INVALID_LINES).to_pylist()),
                   tuple(audiences))


def _read_csv(path: Path) -> pa.Table:
    if not path.is_file():
        raise InputError(f"{path} does not exist; give the path of the platform's match report CSV.")
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), [])
        return pacsv.read_csv(path, read_options=pacsv.ReadOptions(encoding="utf8"),
                              convert_options=pacsv.ConvertOptions(column_types={c: pa.string() for c in header}))
    except (UnicodeDecodeError, csv.Error, pa.ArrowInvalid) as e:
        line = _first_uneven_line(path) if isinstance(e, pa.ArrowInvalid) else None
        if line:
            raise InputError(f"Line {line} of {path.name} does not have one value per header column; fix it or "
                             "re-export the file as CSV.") from None
        raise InputError(f"{path.name} is not a UTF-8 CSV with one value per header column ({type(e).__name__}); "
                         "re-export it as CSV.") from None


def _first_uneven_line(path: Path) -> int | None:
    """The line number of the first record whose values do not match the header's columns, if any."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        width = len(next(reader, []))
        for record in reader:
            if len(record) != width:
                return reader.line_num
    return None


def _lines(path: Path) -> pa.Array:
    """The file's lines, trimmed and lowercased, as one Arrow column."""
    if not path.is_file():
        raise InputError(f"{path} does not exist; give the path of the partner's list of SHA-256 hashes.")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{path.name} is not UTF-8 text; the partner list must be one SHA-256 hex per line.") from None
    lines = pa.array(text.splitlines(), pa.string())
    return pc.utf8_lower(pc.utf8_trim_whitespace(lines))
