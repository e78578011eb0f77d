"""Reading export files back for the audit: which platform layout each file name follows, the identifiers it
carries and everything about its shape that is wrong. Platforms are looked up in LAYOUTS, built from the platform
modules' own constants (file names, headers, id types)."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from audience.audit.queries import SQL
from audience.export import ExportFile
from audience.platforms import google, meta, tiktok
from audience.platforms.base import SHA256_WIDTH

FORMS = {"sha256": "^[0-9a-f]{64}$", "maid": "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"}
"""What a value of each form must look like: a lowercase SHA-256 hex, or a canonical advertising ID."""
VALUE_SCHEMA = pa.schema([("id_type", pa.string()), ("form", pa.string()), ("value", pa.string())])
GOOGLE_TOP_KEYS = frozenset({"audienceMembers", "destinations", "encoding", "termsOfService"})


@dataclass(frozen=True, slots=True)
class Parsed:
    """What one export file holds: its identifiers and what is wrong with its shape (never a value)."""

    values: pa.Table
    """id_type, form, value: every identifier in the file."""
    rows: int
    """Rows as the manifest counts them (lines, CSV data rows, request members or payload rows)."""
    problems: tuple[str, ...]
    members: int = 0
    """Members of a request that needs per-member consent (Google ingest bodies)."""
    without_consent: int = 0


Reader = Callable[[duckdb.DuckDBPyConnection, "FileKind", list[tuple[Path, ExportFile]]], list[Parsed]]
"""Reads a batch of files of one kind, in order."""


@dataclass(frozen=True, slots=True)
class FileKind:
    """One kind of export file of a platform: its name, the id types it carries and how to read it."""

    pattern: re.Pattern[str]
    family: str
    """Files of one family (per run, platform, audience and op) together hold the whole set of their id types."""
    id_types: tuple[str, ...]
    forms: dict[str, str]
    read: Reader
    header: tuple[str, ...] = ()
    consent: bool = False
    """Whether ingest members must carry Google's per-member consent."""


def located(out: Path, delivery_id: str, recorded: Path) -> Path:
    """Where a run's (or an erasure's) files are: `<out>/<id>` when that directory exists (`--out` naming the
    workspace's output directory, which may have moved since), else where the run recorded them."""
    given = out / delivery_id
    return given if given.is_dir() else recorded


def _values(id_types: list[str], values: list[pa.Array], forms: dict[str, str]) -> pa.Table:
    parts = [pa.table({"id_type": pa.array([t] * len(v), pa.string()),
                       "form": pa.array([forms[t]] * len(v), pa.string()), "value": v.cast(pa.string())})
             for t, v in zip(id_types, values) if len(v)]
    return pa.concat_tables(parts) if parts else VALUE_SCHEMA.empty_table()


def _each(read: Callable[[Path, "FileKind", ExportFile], Parsed]) -> Reader:
    """A batch reader that reads its files one at a time."""
    def batch(con: duckdb.DuckDBPyConnection, kind: "FileKind", files: list[tuple[Path, ExportFile]]) -> list[Parsed]:
        return [read(path, kind, entry) for path, entry in files]
    return batch


def _hash_lines(path: Path, kind: FileKind, entry: ExportFile) -> Parsed:
    """A file of SHA-256 hex lines, no header (TikTok)."""
    data = np.fromfile(path, dtype=np.uint8)
    width = SHA256_WIDTH + 1
    if len(data) % width or (len(data) and np.any(data[SHA256_WIDTH::width] != ord("\n"))):
        return Parsed(VALUE_SCHEMA.empty_table(), 0, ("not one 64-character value per line",))
    lines = data.reshape(-1, width)[:, :SHA256_WIDTH]
    values = pa.array(np.ascontiguousarray(lines).view(f"S{SHA256_WIDTH}").ravel()).cast(pa.string())
    id_type = kind.pattern.fullmatch(PurePosixPath(entry.path).name)["id_type"]
    return Parsed(_values([id_type], [values], kind.forms), len(values), ())


def _csv(path: Path, kind: FileKind, entry: ExportFile) -> Parsed:
    """A CSV with a fixed header, one column per id type, empty cells for absent identifiers."""
    with path.open("rb") as handle:
        header = handle.readline().rstrip(b"\n").decode("utf-8", errors="replace")
    if tuple(header.split(",")) != kind.header:
        return Parsed(VALUE_SCHEMA.empty_table(), 0, (f"header is not {','.join(kind.header)}",))
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(column_names=list(kind.id_types), skip_rows=1),
            parse_options=pacsv.ParseOptions(quote_char=False),
            convert_options=pacsv.ConvertOptions(column_types={t: pa.string() for t in kind.id_types},
                                                 strings_can_be_null=True, null_values=[""]),
        )
    except pa.ArrowInvalid:
        return Parsed(VALUE_SCHEMA.empty_table(), 0, (f"not a CSV of {len(kind.id_types)} column(s) per row",))
    present = [pc.is_valid(table[t]) for t in kind.id_types]
    empty_rows = table.num_rows - pc.sum(_any(present)).as_py() if table.num_rows else 0
    problems = (f"{empty_rows} row(s) without any identifier",) if empty_rows else ()
    values = [table[t].filter(p).combine_chunks() for t, p in zip(kind.id_types, present)]
    return Parsed(_values(list(kind.id_types), values, kind.forms), table.num_rows, problems)


def _any(masks: list[pa.ChunkedArray]) -> pa.ChunkedArray:
    result = masks[0]
    for mask in masks[1:]:
        result = pc.or_(result, mask)
    return result


def _json_batch(con: duckdb.DuckDBPyConnection, kind: FileKind, files: list[tuple[Path, ExportFile]],
                shape_sql: str, values_sql: str, params: dict[str, object],
                judge: Callable[[dict, pa.Table, ExportFile], Parsed]) -> list[Parsed]:
    """Read JSON files of one kind in one query (one by one when a file is not JSON, to name it)."""
    paths = [str(path) for path, _ in files]
    try:
        shapes = {r["filename"]: r for r in SQL.rows(con, shape_sql, {"paths": paths, **params})}
        found = _by_file(SQL.arrow(con, values_sql, {"paths": paths}))
    except duckdb.Error:
        if len(files) > 1:
            return [p for one in files for p in _json_batch(con, kind, [one], shape_sql, values_sql, params, judge)]
        return [Parsed(VALUE_SCHEMA.empty_table(), 0, ("not one JSON object",))]
    empty = found.get("", pa.table({"id_type": pa.array([], pa.string()), "value": pa.array([], pa.string())}))
    return [judge(shapes[str(path)], found.get(str(path), empty), entry) for path, entry in files]


def _by_file(table: pa.Table) -> dict[str, pa.Table]:
    """The rows of a batch result per file (its `filename` column dropped)."""
    if not table.num_rows:
        return {}
    encoded = pc.dictionary_encode(table["filename"]).combine_chunks()
    codes = encoded.indices.to_numpy()
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(encoded.dictionary) + 1))
    rest = table.drop_columns(["filename"])
    return {name: rest.take(pa.array(order[bounds[i]:bounds[i + 1]]))
            for i, name in enumerate(encoded.dictionary.to_pylist())}


def _google_bodies(con: duckdb.DuckDBPyConnection, kind: FileKind, files: list[tuple[Path, ExportFile]]) -> list[Parsed]:
    """Data Manager API request bodies: `audienceMembers` with hashed user identifiers or unhashed mobile IDs."""
    def judge(shape: dict, found: pa.Table, entry: ExportFile) -> Parsed:
        problems = []
        if shape["documents"] != 1 or "audienceMembers" not in (shape["top_keys"] or []):
            problems.append("not one request body with audienceMembers")
        elif not set(shape["top_keys"]) <= GOOGLE_TOP_KEYS:
            problems.append(f"keys other than {', '.join(sorted(GOOGLE_TOP_KEYS))}")
        if shape["malformed_members"]:
            problems.append(f"{shape['malformed_members']} member(s) not shaped as the writer writes them")
        method = kind.pattern.fullmatch(PurePosixPath(entry.path).name)["method"]
        if method != google.REQUEST[entry.op]:
            problems.append(f"an {method} body in a {entry.op} folder")
        wrong = sorted(set(pc.unique(found["id_type"]).to_pylist()) - set(kind.id_types))
        if wrong:
            problems.append(f"id types {', '.join(wrong)} do not belong in this list")
        values = [found.filter(pc.equal(found["id_type"], t))["value"].combine_chunks() for t in kind.id_types]
        consent = kind.consent
        return Parsed(_values(list(kind.id_types), values, kind.forms), shape["members"], tuple(problems),
                      members=shape["members"] if consent else 0,
                      without_consent=shape["without_consent"] if consent else 0)

    return _json_batch(con, kind, files, "google_body.sql", "google_values.sql", {}, judge)


def _meta_payloads(con: duckdb.DuckDBPyConnection, kind: FileKind, files: list[tuple[Path, ExportFile]]) -> list[Parsed]:
    """Marketing API `/users` payloads: the schema and rows of cells in schema order."""
    def judge(shape: dict, cells: pa.Table, entry: ExportFile) -> Parsed:
        problems = []
        if shape["documents"] != 1 or shape["top_keys"] != ["data", "schema"]:
            problems.append("not one payload with exactly the keys schema and data")
        if tuple(shape["schema"] or ()) != kind.id_types:
            problems.append(f"schema is not {', '.join(kind.id_types)}")
        if shape["malformed_members"]:
            problems.append(f"{shape['malformed_members']} row(s) not {len(kind.id_types)} text cells with a value")
        values = [cells.filter(pc.equal(cells["position"], i))["value"].combine_chunks()
                  for i, _ in enumerate(kind.id_types, start=1)] if cells.num_rows else \
            [pa.array([], pa.string()) for _ in kind.id_types]
        return Parsed(_values(list(kind.id_types), values, kind.forms), shape["members"], tuple(problems))

    return _json_batch(con, kind, files, "meta_payload.sql", "meta_values.sql", {"width": len(kind.id_types)}, judge)


def _forms(id_types: dict) -> dict[str, str]:
    return {name: spec.form for name, spec in id_types.items()}


def _csv_header(header: bytes) -> tuple[str, ...]:
    return tuple(header.decode("utf-8").rstrip("\n").split(","))


_GOOGLE_FORMS = _forms(google.ID_TYPES)
_CONTACT = tuple(t for t, spec in google.ID_TYPES.items() if spec.identifier != "device_id")
_MOBILE = tuple(t for t, spec in google.ID_TYPES.items() if spec.identifier == "device_id")
_METHODS = "|".join(sorted(set(google.REQUEST.values())))
LAYOUTS: dict[str, tuple[FileKind, ...]] = {
    "google": (
        FileKind(re.compile(rf"{google.MOBILE.prefix}(?P<method>{_METHODS})-\d{{4}}\.json"), "mobile-json", _MOBILE,
                 _GOOGLE_FORMS, _google_bodies, consent=True),
        FileKind(re.compile(rf"{google.CONTACT.prefix}(?P<method>{_METHODS})-\d{{4}}\.json"), "contact-json",
                 _CONTACT, _GOOGLE_FORMS, _google_bodies, consent=True),
        FileKind(re.compile(re.escape(google.CONTACT.csv_name)), "contact-csv", _CONTACT, _GOOGLE_FORMS, _each(_csv),
                 header=_csv_header(google.CONTACT.csv_header)),
        FileKind(re.compile(re.escape(google.MOBILE.csv_name)), "mobile-csv", _MOBILE, _GOOGLE_FORMS, _each(_csv),
                 header=_csv_header(google.MOBILE.csv_header)),
    ),
    "meta": (
        FileKind(re.compile(re.escape(meta.CSV_NAME)), "csv", meta.SCHEMA, _forms(meta.ID_TYPES), _each(_csv),
                 header=_csv_header(meta.CSV_HEADER)),
        FileKind(re.compile(r"users-\d{4}\.json"), "json", meta.SCHEMA, _forms(meta.ID_TYPES), _meta_payloads),
    ),
    "tiktok": tuple(
        FileKind(re.compile(rf"(?P<id_type>{re.escape(t)})(?:-\d{{4}})?\.txt"), t, (t,), _forms(tiktok.ID_TYPES),
                 _each(_hash_lines))
        for t in tiktok.ID_TYPES
    ),
}


def kind_of(entry: ExportFile) -> FileKind | None:
    """The layout a manifest entry's file name follows on its platform (None: no platform writes such a file)."""
    name = PurePosixPath(entry.path).name
    return next((k for k in LAYOUTS.get(entry.platform, ()) if k.pattern.fullmatch(name)), None)


def read(con: duckdb.DuckDBPyConnection, run_dir: Path, entry: ExportFile) -> tuple[FileKind | None, Parsed]:
    """Read one listed file (see `read_all`)."""
    return read_all(con, run_dir, [entry])[0]


def read_all(con: duckdb.DuckDBPyConnection, run_dir: Path,
             entries: list[ExportFile]) -> list[tuple[FileKind | None, Parsed]]:
    """Read listed files, those of one kind together: each file's layout, identifiers and shape problems, with every
    value checked against the form its id type needs (malformed values are counted, never shown)."""
    kinds = [kind_of(entry) for entry in entries]
    done: dict[int, tuple[FileKind | None, Parsed]] = {
        i: (None, Parsed(VALUE_SCHEMA.empty_table(), 0, ("no platform writes a file of this name",)))
        for i, kind in enumerate(kinds) if kind is None}
    groups: dict[int, list[int]] = {}
    for i, kind in enumerate(kinds):
        if kind is not None:
            groups.setdefault(id(kind), []).append(i)
    for at in groups.values():
        kind = kinds[at[0]]
        for i, parsed in zip(at, kind.read(con, kind, [(run_dir / entries[i].path, entries[i]) for i in at])):
            done[i] = (kind, _checked(parsed, entries[i]))
    return [done[i] for i in range(len(entries))]


def _checked(parsed: Parsed, entry: ExportFile) -> Parsed:
    problems = parsed.problems
    malformed = _malformed(parsed.values)
    if malformed:
        problems += (f"{malformed} value(s) are not a SHA-256 hex or canonical advertising ID as their id type needs",)
    if parsed.rows != entry.rows and not parsed.problems:
        problems += (f"{parsed.rows} rows, the manifest says {entry.rows}",)
    return Parsed(parsed.values, parsed.rows, problems, parsed.members, parsed.without_consent)


def _malformed(values: pa.Table) -> int:
    """How many values do not have the form their id type needs."""
    bad = 0
    for form, pattern in FORMS.items():
        of_form = values.filter(pc.equal(values["form"], form))["value"]
        if len(of_form):
            bad += len(of_form) - pc.sum(pc.match_substring_regex(of_form, pattern)).as_py()
    return bad
