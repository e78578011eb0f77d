"""The named audit checks. Each is a function whose docstring states the property it proves; `CHECKS` lists them in
the order a verification runs and prints them. They read the lineage, the consent ledger and the files on disk,
and none of them trusts the query the run used: consent is re-read by the audit's own SQL (evaluation.py)."""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from audience.audit import digest, evaluation, files, ledger_check
from audience.audit.model import CheckResult
from audience.audit.queries import SQL
from audience.export import MANIFEST_NAME, ExportFile, file_sha256, read_manifest
from audience.errors import InputError
from audience.hashing import hash_prefix

EXAMPLES = 3


@dataclass(frozen=True, slots=True)
class Delivery:
    """A directory of export files the workspace recorded: a successful run's, or an erasure's removals."""

    id: str
    kind: str
    at: datetime
    out_dir: Path
    manifest_sha256: str | None
    files: int
    purged: bool
    purged_files: int | None


class Workspace:
    """What the checks look at: lineage and ledger through one connection, the output directory, and the runs in
    scope (every successful run, or one). Passes shared by several checks run once and are kept."""

    def __init__(self, con: duckdb.DuckDBPyConnection, out: Path, run_id: str | None = None) -> None:
        self.con = con
        self.out = out
        self.deliveries = tuple(Delivery(r["id"], r["kind"], r["at"], files.located(out, r["id"], Path(r["out_dir"])),
                                         r["manifest_sha256"], r["files"], r["purged"], r["purged_files"])
                                for r in SQL.rows(con, "deliveries.sql"))
        runs = [d for d in self.deliveries if d.kind == "run"]
        if run_id is not None and run_id not in {d.id for d in runs}:
            raise InputError(f"No successful run {run_id!r} in this workspace; omit --run to check every run.")
        self.runs = tuple(d for d in runs if run_id in (None, d.id))
        self.in_scope = tuple(d for d in self.deliveries if run_id in (None, d.id))

    @cached_property
    def ledger(self) -> dict[str, CheckResult]:
        """The checks that re-evaluate consent per run, computed in one pass over the runs."""
        tally = {name: _Tally() for name in (*LEDGER_CHECKS, "reproducible")}
        shared = 0
        for run in self.runs:
            evaluation.evaluate(self.con, evaluation.run_time(self.con, run.id))
            SQL.script(self.con, "run_values.sql", {"run_id": run.id, "started_at": run.at})
            for name, sql in LEDGER_CHECKS.items():
                (row,) = SQL.rows(self.con, sql, {"run_id": run.id, "started_at": run.at})
                tally[name].add(row["checked"], row["failed"], (f"{run.id}: {e}" for e in row["examples"] or ()))
                shared += row.get("shared", 0)
            tally["reproducible"].add(1, *_reproduced(self.con, run.id))
        notes = {"withdrawal-removed": f"{shared} value(s) stayed because another customer still holds the same value"
                 if shared else ""}
        return {name: t.result(name, notes.get(name, "")) for name, t in tally.items()}

    @cached_property
    def files(self) -> dict[str, CheckResult]:
        """The checks that read export files back, computed in one pass over every file in scope."""
        contents, consent, matches = _Tally(), _Tally(), _Tally()
        for delivery in self.in_scope:
            if delivery.purged or not (delivery.out_dir / MANIFEST_NAME).is_file():
                continue
            try:
                entries = read_manifest(delivery.out_dir).files
            except InputError:
                continue
            SQL.script(self.con, "run_values.sql", {"run_id": delivery.id, "started_at": delivery.at})
            families: dict[tuple[str, str, str, str], list[ExportFile]] = {}
            for entry in entries:
                if (delivery.out_dir / entry.path).is_file():
                    kind = files.kind_of(entry)
                    family = kind.family if kind is not None else ""
                    families.setdefault((entry.platform, entry.audience, entry.op, family), []).append(entry)
            for key, group in sorted(families.items()):
                read = files.read_all(self.con, delivery.out_dir, group)
                for entry, (_, parsed) in zip(group, read):
                    contents.add(1, int(bool(parsed.problems)),
                                 (f"{delivery.id}/{entry.path}: {p}" for p in parsed.problems))
                    consent.add(parsed.members, parsed.without_consent,
                                [f"{delivery.id}/{entry.path}: {parsed.without_consent} member(s) without granted "
                                 "adUserData and adPersonalization"] if parsed.without_consent else [])
                if key[3]:
                    problem = _compare_family(self.con, key, read[0][0], [p.values for _, p in read])
                    matches.add(1, int(problem is not None), [f"{delivery.id}/{_where(key)}: {problem}"] if problem else [])
            for key, problem in _missing_families(self.con, set(families)):
                matches.add(1, 1, [f"{delivery.id}/{_where(key)}: {problem}"])
            if delivery.kind == "run":
                (row,) = SQL.rows(self.con, "check_removals.sql", {"run_id": delivery.id})
                matches.add(1, int(row["differ"] > 0), [f"{delivery.id}: the removal table and membership differ in "
                                                        f"{row['differ']} value(s)"] if row["differ"] else [])
        return {"file-contents": contents.result("file-contents"), "google-consent": consent.result("google-consent"),
                "files-match-lineage": matches.result("files-match-lineage")}


class _Tally:
    """Counts and first examples accumulated over runs or files."""

    def __init__(self) -> None:
        self.checked = self.failed = 0
        self.examples: list[str] = []

    def add(self, checked: int, failed: int, examples: Any) -> None:
        self.checked += checked
        self.failed += failed
        for example in examples:
            if len(self.examples) < EXAMPLES:
                self.examples.append(example)

    def result(self, name: str, note: str = "") -> CheckResult:
        return CheckResult(name, PROPERTIES[name], self.checked, self.failed, tuple(self.examples), note)


def _where(key: tuple[str, str, str, str]) -> str:
    platform, audience, op, family = key
    return f"{platform}/{audience}/{op} ({family})"


def _compare_family(con: duckdb.DuckDBPyConnection, key: tuple[str, str, str, str], kind: files.FileKind,
                    values: list[pa.Table]) -> str | None:
    """Whether the files of one family hold the values lineage says the run sent there (compared by digest)."""
    platform, audience, op, _ = key
    params = {"platform": platform, "audience": audience, "op": op, "id_types": list(kind.id_types)}
    wanted = digest.digest(con, "lineage_lines.sql", params)
    con.register("audit_file_value", pa.concat_tables(values) if values else files.VALUE_SCHEMA.empty_table())
    try:
        got = digest.digest(con, "file_lines.sql", {})
        if got == wanted:
            return None
        differences = {r["side"]: r["lines"] or [] for r in SQL.rows(con, "line_differences.sql", params)}
    finally:
        con.unregister("audit_file_value")
    shown = "; ".join(f"only in {side}: {', '.join(_prefix(line) for line in lines)}"
                      for side, lines in sorted(differences.items()) if lines)
    return f"files hold {got.values} distinct value(s), lineage {wanted.values}, and they differ ({shown})"


def _prefix(line: str) -> str:
    """An `id_type,sha256` line as the id type and the hash's first characters (never a whole value; a value in a
    file that is no hash, which may be a raw identifier, is not shown at all)."""
    id_type, sha256 = line.split(",", 1)
    if re.fullmatch(files.FORMS["sha256"], sha256) is None:
        return f"{id_type} (a value that is not a SHA-256 hex digest)"
    return f"{id_type} {hash_prefix(sha256)}"


def _missing_families(con: duckdb.DuckDBPyConnection,
                      found: set[tuple[str, str, str, str]]) -> Iterator[tuple[tuple[str, str, str, str], str]]:
    """The families lineage says the run sent values to but no file of holds (audit_run_value)."""
    expected: dict[tuple[str, str, str, str], int] = {}
    for r in SQL.rows(con, "lineage_sets.sql"):
        for kind in files.LAYOUTS.get(r["platform"], ()):
            if r["id_type"] in kind.id_types:
                key = (r["platform"], r["audience"], r["op"], kind.family)
                expected[key] = expected.get(key, 0) + r["values"]
    for key in sorted(set(expected) - found):
        yield key, f"lineage lists {expected[key]} value(s) but no such file exists"


LEDGER_CHECKS = {
    "consent-as-of-run": "check_consent.sql",
    "not-suppressed": "check_suppressed.sql",
    "identifier-scope": "check_scope.sql",
    "no-expired-grant": "check_expired.sql",
    "withdrawal-removed": "check_removed.sql",
    "no-readd-without-grant": "check_readd.sql",
}
Check = Callable[[Workspace], CheckResult]
CHECKS: dict[str, Check] = {}
PROPERTIES: dict[str, str] = {}


def check(name: str) -> Callable[[Check], Check]:
    """Register a check under `name`; its docstring is the property it proves."""
    def register(function: Check) -> Check:
        CHECKS[name] = function
        PROPERTIES[name] = " ".join((function.__doc__ or "").split())
        return function
    return register


@check("consent-as-of-run")
def consent_as_of_run(ws: Workspace) -> CheckResult:
    """Every value a run exported belongs to a customer whose latest consent event for that platform (or for every
    platform) known at the run's as-of time is a grant, re-evaluated from the ledger."""
    return ws.ledger["consent-as-of-run"]


@check("not-suppressed")
def not_suppressed(ws: Workspace) -> CheckResult:
    """No exported value belongs to a customer suppressed as of the run, by customer id or by the keyed hash of an
    email or phone."""
    return ws.ledger["not-suppressed"]


@check("identifier-scope")
def identifier_scope(ws: Workspace) -> CheckResult:
    """Every exported value is of an identifier kind the deciding grant covers, and lineage names that grant."""
    return ws.ledger["identifier-scope"]


@check("google-consent")
def google_consent(ws: Workspace) -> CheckResult:
    """Every member of every Google request body (ingest and remove, as pipeline.md asks) carries adUserData and
    adPersonalization CONSENT_GRANTED."""
    return ws.files["google-consent"]


@check("no-expired-grant")
def no_expired_grant(ws: Workspace) -> CheckResult:
    """No exported value relied on a grant older than the consent lifetime at the run's as-of time."""
    return ws.ledger["no-expired-grant"]


@check("withdrawal-removed")
def withdrawal_removed(ws: Workspace) -> CheckResult:
    """A value a platform held after a run, whose customer withdrew, was suppressed or whose grant expired or
    narrowed by the next run's as-of time (late-recorded acts included), is removed by that next run."""
    return ws.ledger["withdrawal-removed"]


@check("no-readd-without-grant")
def no_readd_without_grant(ws: Workspace) -> CheckResult:
    """A value added again after the platform had held it is added under a grant newer than every withdrawal for
    that platform, and never for a suppressed customer."""
    return ws.ledger["no-readd-without-grant"]


@check("reproducible")
def reproducible(ws: Workspace) -> CheckResult:
    """Re-evaluating consent at a run's as-of time over the ledger as the run saw it (up to the head it recorded)
    gives exactly the eligible set the run used (same SHA-256 over the sorted platform, customer, event and
    identifiers)."""
    return ws.ledger["reproducible"]


@check("ledger-chain")
def ledger_chain(ws: Workspace) -> CheckResult:
    """The consent ledger's sequence is gap-free and its hash chain recomputes, and the ledger head every run
    recorded is still in the chain with the same hash."""
    tally = _Tally()
    broken = ledger_check.broken(ws.con)
    tally.add(1, int(broken is not None), [broken] if broken else [])
    for run in ws.runs:
        (head,) = SQL.rows(ws.con, "check_heads.sql", {"run_id": run.id})
        moved = head["seq"] is not None and head["seq"] > 0 and head["found"] != head["recorded"]
        tally.add(1, int(moved), [f"{run.id}: recorded ledger head seq {head['seq']} is not in the chain"]
                  if moved else [])
    return tally.result("ledger-chain")


@check("minimum-size")
def minimum_size(ws: Workspace) -> CheckResult:
    """Every exported audience reached its platform minimum, and a held-back audience has no full or add file."""
    return _per_run(ws, "minimum-size", "check_minimum.sql")


@check("delta-base")
def delta_base(ws: Workspace) -> CheckResult:
    """Every run computed each audience's deltas against the last successful run before it that recorded that
    audience's platform state, so no successful run was skipped or later hidden (marked failed)."""
    return _per_run(ws, "delta-base", "check_bases.sql")


def _per_run(ws: Workspace, name: str, sql: str) -> CheckResult:
    """A check made by one query per run in scope, each giving checked, failed and examples."""
    tally = _Tally()
    for run in ws.runs:
        (row,) = SQL.rows(ws.con, sql, {"run_id": run.id})
        tally.add(row["checked"], row["failed"], (f"{run.id}: {e}" for e in row["examples"] or ()))
    return tally.result(name)


@check("file-contents")
def file_contents(ws: Workspace) -> CheckResult:
    """Every export file has its platform's layout, holds only well-formed SHA-256 hashes (or canonical advertising
    IDs where the platform takes them unhashed) and as many rows as its manifest says."""
    return ws.files["file-contents"]


@check("files-match-lineage")
def files_match_lineage(ws: Workspace) -> CheckResult:
    """Each family of files of a run (per platform, audience and op) holds exactly the values lineage says the run
    sent there, and the removals lineage records are the ones its platform states imply."""
    return ws.files["files-match-lineage"]


@check("manifest-checksums")
def manifest_checksums(ws: Workspace) -> CheckResult:
    """Every manifest hashes to what the workspace recorded and lists the files lineage recorded, and every listed
    file is on disk with that SHA-256; a purged run's directory is gone, with its deletion recorded."""
    tally = _Tally()
    for delivery in ws.in_scope:
        for problem in _manifest_problems(ws.con, delivery):
            tally.add(1, int(problem is not None), [f"{delivery.id}: {problem}"] if problem else [])
    return tally.result("manifest-checksums")


@check("no-unlisted-file")
def no_unlisted_file(ws: Workspace) -> CheckResult:
    """Every file in the output directory is a manifest, or is listed by the manifest of a run or erasure the
    workspace recorded."""
    listed = set()
    for delivery in ws.deliveries:
        if delivery.purged or not (delivery.out_dir / MANIFEST_NAME).is_file():
            continue
        listed.add((delivery.out_dir / MANIFEST_NAME).resolve())
        try:
            listed |= {(delivery.out_dir / e.path).resolve() for e in read_manifest(delivery.out_dir).files}
        except InputError:
            continue
    tally = _Tally()
    if ws.out.is_dir():
        for path in sorted(p for p in ws.out.rglob("*") if not p.is_dir()):
            unlisted = path.resolve() not in listed
            tally.add(1, int(unlisted), [f"{path.relative_to(ws.out)} is listed by no manifest"] if unlisted else [])
    return tally.result("no-unlisted-file")


def _reproduced(con: duckdb.DuckDBPyConnection, run_id: str) -> tuple[int, list[str]]:
    """Whether the audit's evaluation (just made) gives the digest the run recorded of its own: (failed, examples)."""
    recorded = SQL.rows(con, "run_evaluation.sql", {"run_id": run_id})
    found = digest.digest(con, "decision_lines.sql", {})
    if not recorded:
        return 1, [f"{run_id}: recorded no digest of its consent evaluation (the run did not call record_run)"]
    if (recorded[0]["rows"], recorded[0]["sha256"]) != (found.values, found.sha256):
        return 1, [f"{run_id}: used {recorded[0]['rows']} eligible (platform, customer) pairs, the re-evaluation "
                   f"finds {found.values}, and the sets differ"]
    return 0, []


def _manifest_problems(con: duckdb.DuckDBPyConnection, delivery: Delivery) -> Iterator[str | None]:
    """One item per file or manifest looked at: None when it is as recorded, else what is wrong."""
    if delivery.purged:
        if delivery.out_dir.exists():
            yield "recorded as purged but its directory is still there"
        elif delivery.purged_files != delivery.files:
            yield f"purge recorded {delivery.purged_files} file(s), lineage {delivery.files}"
        else:
            yield None
        return
    manifest = delivery.out_dir / MANIFEST_NAME
    if not manifest.is_file():
        yield f"{MANIFEST_NAME} is missing (and no purge is recorded)"
        return
    yield None if file_sha256(manifest) == delivery.manifest_sha256 else \
        f"{MANIFEST_NAME} does not hash to the SHA-256 recorded for it"
    try:
        listed = read_manifest(delivery.out_dir)
    except InputError as e:
        yield str(e)
        return
    if delivery.kind == "run":
        recorded = {ExportFile(**r) for r in SQL.rows(con, "run_files.sql", {"run_id": delivery.id})}
        if set(listed.files) != recorded or listed.run_id != delivery.id:
            yield f"{MANIFEST_NAME} entries differ from the files lineage recorded"
    elif len(listed.files) != delivery.files:
        yield f"{MANIFEST_NAME} lists {len(listed.files)} file(s), the erasure recorded {delivery.files}"
    for entry in listed.files:
        path = delivery.out_dir / entry.path
        if not path.is_file():
            yield f"{entry.path} is listed but missing"
        else:
            yield None if file_sha256(path) == entry.sha256 else f"{entry.path} does not match its manifest SHA-256"
