"""One person's data through the workspace: every run, platform, audience and file that carried their values, the
consent event each was sent under, the removals sent, and the suppressions that name them. Values appear only as
hash prefixes."""

import mmap
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from operator import itemgetter
from pathlib import Path, PurePosixPath
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from audience.audit import files
from audience.audit.person import Person, customers_of
from audience.audit.queries import SQL
from audience.export import ExportFile
from audience.hashing import hash_prefix


@dataclass(frozen=True, slots=True)
class Carried:
    """One value of the person in one op of one run: what was sent (or kept), where, and under which consent."""

    run_id: str
    as_of: str
    platform: str
    audience: str
    op: str
    """full, add, remove, or kept (a held-back audience the platform still holds the value in; no file)."""
    customer_id: str
    identifier: str
    id_type: str
    hash_prefix: str
    event_id: str
    consent: str
    """The consent event as the ledger has it: action, scope and when, or why it is not found."""
    files: tuple[str, ...]
    """The files (relative to the output directory) holding the value; `(purged)` when retention deleted them,
    `(MISSING: no purge recorded)` when they are gone without a purge record."""


@dataclass(frozen=True, slots=True)
class ErasureRemoval:
    """A value `audience forget` wrote a removal for."""

    erasure_id: str
    recorded_at: str
    platform: str
    audience: str
    id_type: str
    hash_prefix: str


@dataclass(frozen=True, slots=True)
class SuppressionHit:
    """A ledger suppression that names the person."""

    seq: int
    kind: str
    effective_at: str
    recorded_at: str
    matched_by: str


@dataclass(frozen=True, slots=True)
class RunSource:
    """What produced one run of a trace: its as-of time, rule-set and code versions, and the files it read."""

    run_id: str
    as_of: str
    rules_version: str
    code_version: str
    inputs: tuple[str, ...]
    """`name path (sha256 prefix…)` per input file."""


@dataclass(frozen=True, slots=True)
class Trace:
    """Everything the workspace sent for one person."""

    given: str
    customers: tuple[str, ...]
    carried: tuple[Carried, ...]
    erasures: tuple[ErasureRemoval, ...]
    suppressions: tuple[SuppressionHit, ...]
    runs: tuple[RunSource, ...]

    @property
    def removals(self) -> tuple[Carried, ...]:
        return tuple(c for c in self.carried if c.op == "remove")


def trace(con: duckdb.DuckDBPyConnection, person: Person, out: Path) -> Trace:
    """Trace a person (from `person.find`) through every successful run and erasure of the workspace, whose files
    are under `out` (or where each run recorded them, when not there)."""
    with customers_of(con, person):
        SQL.script(con, "trace_prepare.sql")
        rows = SQL.rows(con, "trace.sql")
        erased = SQL.rows(con, "trace_erasures.sql")
        hits = SQL.rows(con, "trace_suppressions.sql",
                        {"email_hmacs": list(person.email_hmacs), "phone_hmac": person.phone_hmac})
    finder = _FileFinder(con, out)
    carried = tuple(
        Carried(r["run_id"], _time(r["as_of"]), r["platform"], r["audience"], r["op"], r["customer_id"],
                r["identifier"], r["id_type"], hash_prefix(r["sha256"]), r["event_id"], _consent(r),
                finder.holding(r) if r["op"] != "kept" else ())
        for r in rows
    )
    return Trace(
        person.given, person.customers, carried,
        tuple(ErasureRemoval(e["erasure_id"], _time(e["recorded_at"]), e["platform"], e["audience"], e["id_type"],
                             hash_prefix(e["sha256"])) for e in erased),
        tuple(SuppressionHit(h["seq"], h["kind"], _time(h["effective_at"]), _time(h["recorded_at"]), h["matched_by"])
              for h in hits),
        _sources(con, list(dict.fromkeys(c.run_id for c in carried))),
    )


def _sources(con: duckdb.DuckDBPyConnection, run_ids: list[str]) -> tuple[RunSource, ...]:
    """The as-of time, versions and input files of each run, in run order."""
    sources = []
    for run_id, group in groupby(SQL.rows(con, "trace_runs.sql", {"run_ids": run_ids}), key=itemgetter("run_id")):
        rows = list(group)
        inputs = tuple(f"{r['input']} {r['path']} ({hash_prefix(r['sha256'])})" for r in rows if r["input"])
        sources.append(RunSource(run_id, _time(rows[0]["as_of"]), rows[0]["rules_version"], rows[0]["code_version"],
                                 inputs))
    return tuple(sources)


class _FileFinder:
    """Which files of a run's op hold a value: searched for the value's bytes (its hash, or the advertising ID the
    platform received as it is, while the workspace still has it); read back and compared by SHA-256 otherwise."""

    def __init__(self, con: duckdb.DuckDBPyConnection, out: Path) -> None:
        self.con, self.out = con, out
        self.group: tuple[str, ...] = ()
        self.lines: dict[str, pa.ChunkedArray] = {}

    def holding(self, row: Mapping[str, Any]) -> tuple[str, ...]:
        group = (row["run_id"], row["platform"], row["audience"], row["op"])
        if group != self.group:
            self.group, self.lines = group, {}
        run_dir = files.located(self.out, row["run_id"], Path(row["out_dir"]))
        entries = [ExportFile(**e) for e in SQL.rows(self.con, "trace_files.sql", {
            "run_id": row["run_id"], "platform": row["platform"], "audience": row["audience"], "op": row["op"]})]
        found = []
        for entry in entries:
            kind = files.kind_of(entry)
            if kind is None or row["id_type"] not in kind.id_types:
                continue
            name = (PurePosixPath(run_dir.name) / entry.path).as_posix()
            if not (run_dir / entry.path).is_file():
                found.append(f"{name} (purged)" if row["purged"] else f"{name} (MISSING: no purge recorded)")
            elif self._holds(run_dir, entry, kind.forms[row["id_type"]], row):
                found.append(name)
        return tuple(found)

    def _holds(self, run_dir: Path, entry: ExportFile, form: str, row: Mapping[str, Any]) -> bool:
        sent = row["sha256"] if form == "sha256" else row["unhashed"]
        if sent is not None:
            return _contains(run_dir / entry.path, sent.encode())
        needle = f"{row['id_type']},{row['sha256']}\n"
        return bool(pc.any(pc.equal(self._lines(run_dir, entry), needle)).as_py())

    def _lines(self, run_dir: Path, entry: ExportFile) -> pa.ChunkedArray:
        """A file's values as `id_type,sha256` lines (a hash sent as it is counts as itself)."""
        if entry.path not in self.lines:
            _, parsed = files.read(self.con, run_dir, entry)
            self.con.register("audit_file_value", parsed.values)
            try:
                self.lines[entry.path] = SQL.arrow(self.con, "file_lines.sql")["line"]
            finally:
                self.con.unregister("audit_file_value")
        return self.lines[entry.path]


def _contains(path: Path, needle: bytes) -> bool:
    """Whether a file's bytes contain `needle` (values in export files are delimited, so a whole value matches)."""
    if path.stat().st_size == 0:
        return False
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        return data.find(needle) >= 0


def _consent(row: Mapping[str, Any]) -> str:
    if row["action"] is None:
        return "event not in the ledger"
    return f"{row['action']} for {row['scope']}, effective {_time(row['effective_at'])}"


def _time(value: datetime | None) -> str:
    return "" if value is None else value.isoformat(timespec="seconds")

