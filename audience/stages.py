"""The stages of a run as plain functions over an open workspace database; a flow calls them in order.

start → stage customers (normalise and hash, streamed) → import consent → evaluate consent → build audiences
→ export files → confirm (manifest and lineage in one transaction). `abort` ends a run that failed. The flow
takes the partitioned variants: customers staged from `partitions`, eligibility and members from `partition_members`.
"""

import hashlib
import secrets
import shutil
import subprocess
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from audience import __version__, ingest, partition_members, partitions, store
from audience.audiences import Audience, check
from audience.errors import AudienceError, os_error_text
from audience.export import MANIFEST_NAME, ExportFile, Op, file_sha256, publish_manifest, write_manifest
from audience.identifiers.columns import normalise_customers
from audience.identifiers.rules import RuleSet
from audience.platforms import PLATFORMS
from audience.platforms.base import Target

Progress = Callable[[str], None]
RUN_ID_TIME = "%Y%m%dT%H%M%SZ"
EXPORT_WRITERS = 2
"""File sets written at once: a writer is mostly whole-array work that runs beside the next set's query."""
EXPORT_ROWS_AT_ONCE = 4_000_000
"""Member rows the file sets being written may hold together: a set is written beside others only within it (a
writer holds several times its members: a 10M run writing two sets at once peaked at 16.2 GB instead of 13.7)."""


def _quiet(_: str) -> None:
    """A progress sink that discards messages."""


@dataclass(frozen=True, slots=True)
class CustomerCounts:
    """What became of the customers file."""

    rows_accepted: int
    rows_rejected: int
    fields_rejected: int
    identifiers: int


def new_run_id(started_at: datetime) -> str:
    """A unique run id that sorts by start time: `YYYYMMDDTHHMMSSZ-<8 hex>`."""
    return f"{started_at.strftime(RUN_ID_TIME)}-{secrets.token_hex(4)}"


def code_version() -> str:
    """The package version, plus the git commit (and `-dirty`) when the code runs from a git checkout."""
    here = Path(__file__).resolve().parent
    try:
        sha = subprocess.run(["git", "-C", str(here), "rev-parse", "--short=12", "HEAD"], capture_output=True,
                             text=True, timeout=5, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(here), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=5, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return __version__
    return f"{__version__}+g{sha}{'-dirty' if dirty else ''}"


def config_digest(config_json: str) -> str:
    """SHA-256 of the effective configuration's canonical JSON."""
    return hashlib.sha256(config_json.encode("utf-8")).hexdigest()


def start(con: duckdb.DuckDBPyConnection, run: store.RunRecord, customers: Path,
          partition_dir_of: Callable[[str], str] | None = None) -> list[str]:
    """Clean up after runs that died (`recover`), check the customers file's header, and record the run as started.

    Returns:
        The ids of earlier runs found unfinished (their output directories and partitions are removed).

    Raises:
        InputError: the customers file is missing or lacks required columns (nothing is recorded then).
    """
    ingest.columns(customers)
    abandoned = recover(con, run.started_at, partition_dir_of)
    store.open_run(con, run)
    store.reset_staging(con)
    return abandoned


def recover(con: duckdb.DuckDBPyConnection, now: datetime,
            partition_dir_of: Callable[[str], str] | None = None) -> list[str]:
    """Clean up after runs that died, to be called only while no run can be alive (the workspace lock held): a
    successful run killed before its manifest was in place gets it; a run left `running` is marked abandoned, and its
    output directory and the partitions it recorded (or, for a run that recorded none, those `partition_dir_of`
    names) are removed.

    Returns:
        The ids of the abandoned runs.
    """
    for out_dir in store.succeeded_out_dirs(con):
        publish_manifest(out_dir)
    abandoned = []
    for run_id, out_dir, partition_dir in store.abandon_unfinished(con, now):
        if out_dir.is_dir():
            shutil.rmtree(out_dir)
        partition_dir = partition_dir or (partition_dir_of(run_id) if partition_dir_of else None)
        if partition_dir is not None:
            partitions.remove(partition_dir)
        abandoned.append(run_id)
    return abandoned


def stage_customers(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    path: Path,
    rules: RuleSet,
    *,
    prehashed: frozenset[str] = frozenset(),
    key_hmacs: Callable[[duckdb.DuckDBPyConnection, Any], duckdb.DuckDBPyRelation],
    batch_rows: int = ingest.DEFAULT_BATCH_ROWS,
    progress: Progress = _quiet,
) -> CustomerCounts:
    """Read the customers file in batches, normalise and hash each, and stage the results.

    `key_hmacs(con, keys)` turns a batch's canonical email/phone keys (an Arrow table: customer_id, email, phone)
    into a relation of customer_id, email_hmac and phone_hmac, so raw keys never reach a table.
    """
    began = time.perf_counter()
    size, digest = path.stat().st_size, file_sha256(path)
    read = identifiers = 0
    for batch in ingest.customer_batches(path, batch_rows=batch_rows):
        read += batch.customers.num_rows + batch.rejections.num_rows
        store.stage_rejections(con, "customers", batch.rejections)
        kept = store.stage_customers(con, batch.customers, ingest.attributes(batch.customers))
        normalised = normalise_customers(kept.select(list(("customer_id", "source_row", *ingest.CORE_COLUMNS[1:]))),
                                         rules, prehashed=prehashed)
        store.stage_identifiers(con, normalised.identifiers, normalised.rejections)
        store.stage_keys(con, key_hmacs(con, normalised.keys))
        identifiers += normalised.identifiers.num_rows
        progress(f"customers: {read:,} rows read and normalised ({time.perf_counter() - began:.1f} s)")
    accepted, rejected = store.finish_customers(con, run_id)
    store.stage_identifier_bits(con)
    store.record_input(con, run_id, store.InputRecord("customers", path, size, digest, accepted, rejected))
    return CustomerCounts(accepted, rejected, store.rejected_field_count(con), identifiers)


def stage_partitioned_customers(
    con: duckdb.DuckDBPyConnection, run_id: str, path: Path, split: partitions.Split,
    outputs: Iterable[partitions.PartitionOutput],
) -> CustomerCounts:
    """Stage the customers file from its partitions' outputs (`partitions.process_partition`), each as it arrives,
    with the same lineage and counts as `stage_customers`, and the same staging tables except the identifiers: the
    partitions keep those (`partition_members` reads them there) and hand over their `identifier_bits`.

    Raises:
        AudienceError: the outputs do not account for every row of the split (a partition is missing).
    """
    size, digest = path.stat().st_size, file_sha256(path)
    store.stage_partition_files(con, [], [], [split.rejections], [])
    staged = []
    identifiers = 0
    for o in outputs:
        store.stage_partition_files(con, [o.customers], [o.identifier_bits], [o.rejections], [o.keys])
        staged.append(o.index)
        identifiers += o.identifiers_staged
    if sorted(staged) != [p.index for p in split.partitions]:
        raise AudienceError(f"{len(staged)} partition outputs for {len(split.partitions)} partitions; run again.")
    accepted, rejected = store.finish_customers(con, run_id)
    store.record_input(con, run_id, store.InputRecord("customers", path, size, digest, accepted, rejected))
    return CustomerCounts(accepted, rejected, store.rejected_field_count(con), identifiers)


def check_audiences(
    con: duckdb.DuckDBPyConnection,
    audiences: Sequence[Audience],
    minimums: Mapping[str, int],
    *,
    progress: Progress = _quiet,
) -> tuple[store.Target, ...]:
    """Check every audience against the staged customers, and return every (platform, audience) of the run with
    its minimum size (the configured one, else the platform's): the configured ones, then the retired ones (an
    audience no longer configured whose platform still holds values of it: `store.RETIRED`, held back, so that the
    run removes them).

    Raises:
        InputError: an audience condition is not usable (the message names the audience).
    """
    for audience in audiences:
        progress(f"audience {audience.name}: {check(con, audience):,} customers")
    minimum = {platform: minimums.get(platform, writer.min_audience) for platform, writer in PLATFORMS.items()}
    configured = tuple(store.Target(platform, a.name, a.condition, minimum[platform])
                       for platform in sorted(PLATFORMS) for a in audiences)
    retired = tuple(store.Target(platform, audience, store.RETIRED, max(minimum[platform], 1))
                    for platform, audience in store.retired_targets(con, configured))
    return configured + retired


def build_audiences(
    con: duckdb.DuckDBPyConnection,
    audiences: Sequence[Audience],
    minimums: Mapping[str, int],
    *,
    progress: Progress = _quiet,
) -> list[store.Plan]:
    """Check and stage every audience, then plan each (platform, audience): members, size against the platform
    minimum, deltas against the last successful run, and the platform state this run leaves.

    Raises:
        InputError: an audience condition is not usable (the message names the audience).
    """
    run_targets = check_audiences(con, audiences, minimums, progress=progress)
    for audience in audiences:
        store.stage_audience(con, audience.name, audience.condition)
    return store.plan_targets(con, run_targets)


def build_partitioned_audiences(
    con: duckdb.DuckDBPyConnection,
    run_targets: Sequence[store.Target],
    outputs: Iterable[partition_members.MembersOutput],
    partition_count: int,
) -> tuple[int, list[store.Plan]]:
    """Stage the consent evaluation and audiences that partitions computed (`partition_members`), each as it
    arrives, then plan every target from the partitions' members as `build_audiences` does from the staging tables.

    Returns:
        The eligible (platform, customer) pairs, and the plans.

    Raises:
        AudienceError: the outputs do not account for every partition.
    """
    members = []
    for o in outputs:
        store.stage_partition_members(con, o.eligible, o.audiences)
        members.append(o.members)
    if len(members) != partition_count:
        raise AudienceError(f"{len(members)} partition members outputs for {partition_count} partitions; run again.")
    return store.eligible_count(con), store.plan_targets(con, run_targets, sorted(members))


def plan_options(con: duckdb.DuckDBPyConnection, plan: store.Plan,
                 options: Mapping[str, Mapping[str, Any]]) -> Mapping[str, Any]:
    """The platform options a plan's files are written with: the configuration's (`options`, per platform); for a
    retired audience, which the configuration no longer names, those of the run its platform state comes from (the
    destinations that hold its values)."""
    if plan.retired and plan.base_run_id is not None:
        return store.run_options(con, plan.base_run_id)[plan.platform]
    return options.get(plan.platform, {})


def placeholder_messages(con: duckdb.DuckDBPyConnection, plans: Sequence[store.Plan],
                         options: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """One line per (platform, audience) whose files carry placeholders for options the configuration leaves unset
    (Google's destinations), naming the keys to set."""
    messages = []
    for plan in sorted(plans, key=lambda p: (p.platform, p.audience)):
        if plan.status != "exported" and not plan.remove_rows:
            continue
        unset = PLATFORMS[plan.platform].placeholders(audience=plan.audience,
                                                      options=plan_options(con, plan, options))
        if unset:
            fix = ("fill them in before uploading (the audience is retired: audience.toml no longer names it)"
                   if plan.retired else "set them in audience.toml and run again, or fill them in before uploading")
            messages.append(f"{plan.platform}/{plan.audience}: the files name placeholders for {', '.join(unset)}; "
                            f"{fix}.")
    return messages


def destination_messages(con: duckdb.DuckDBPyConnection, plans: Sequence[store.Plan],
                         options: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """One line per (platform, audience) whose destination on the platform (Google's account and lists) is not the
    one of the run its deltas are computed against: its add and remove files are changes to what the old destination
    holds, so the new one needs the full files."""
    messages = []
    for plan in sorted(plans, key=lambda p: (p.platform, p.audience)):
        if plan.base_run_id is None or plan.retired:
            continue
        writer, recorded = PLATFORMS[plan.platform], store.run_options(con, plan.base_run_id)
        before = writer.destinations(audience=plan.audience, options=recorded[plan.platform])
        now = writer.destinations(audience=plan.audience, options=options.get(plan.platform, {}))
        changed = [f"{key} {before.get(key) or 'unset'} -> {value or 'unset'}" for key, value in now.items()
                   if before.get(key) != value]
        if changed:
            messages.append(f"{plan.platform}/{plan.audience}: the destination changed since run {plan.base_run_id} "
                            f"({'; '.join(changed)}): this run's add and remove files are changes to what the old "
                            "destination holds; upload its full files to the new one, and empty the old one.")
    return messages


def held_back_message(plan: store.Plan) -> str:
    """The loud line a held-back (or retired) audience gets (counts only)."""
    if plan.retired:
        return (f"RETIRED: {plan.platform}/{plan.audience} is no longer in the configuration, but {plan.platform} "
                f"still holds its values, which no later run would update (withdrawals included): its "
                f"{plan.remove_rows:,} removals were written; upload them, or delete the audience on "
                f"{plan.platform}.")
    advice = PLATFORMS[plan.platform].small_removals
    removed = (f"; its {plan.remove_rows:,} removals were written so that withdrawals still reach {plan.platform}"
               f"{f' ({advice})' if advice else ''}" if plan.remove_rows else "")
    return (f"HELD BACK: {plan.platform}/{plan.audience} has {plan.customers:,} customers, below the {plan.platform} "
            f"minimum of {plan.minimum:,}; no full or add files{removed}.")


def export(
    con: duckdb.DuckDBPyConnection,
    run_dir: Path,
    plans: Sequence[store.Plan],
    options: Mapping[str, Mapping[str, Any]],
    *,
    progress: Progress = _quiet,
    writers: int = EXPORT_WRITERS,
    rows_at_once: int = EXPORT_ROWS_AT_ONCE,
) -> list[ExportFile]:
    """Write every planned file set: full, add and remove for an exported audience; only remove (so that
    withdrawals still reach the platform) for one held back below the platform minimum.

    When everything is new (a first export), the add files are the full files: hard links to them, not rebuilt.
    Up to `writers` file sets holding up to `rows_at_once` member rows together (a larger one alone) are written
    at once, the next one's members read meanwhile when it fits; the files are listed in plan order whatever
    finished first.
    """
    files: list[ExportFile] = []
    with ThreadPoolExecutor(max_workers=writers) as pool:
        pending: deque[tuple[store.Plan, int, Future[list[ExportFile]]]] = deque()
        for plan in plans:
            ops = _queried(plan)
            rows = sum(_ROWS[op](plan) for op in ops)
            while pending and (len(pending) == writers or sum(r for _, r, _ in pending) + rows > rows_at_once):
                files += _written(pending.popleft(), progress)
            members = {op: store.members(con, plan.platform, plan.audience, op) for op in ops}
            pending.append((plan, rows, pool.submit(_write_plan, plan, members, run_dir,
                                                    plan_options(con, plan, options))))
            del members  # held by the writer alone, so that it is freed as soon as its files are written
        while pending:
            files += _written(pending.popleft(), progress)
    return files


_ROWS: dict[Op, Callable[[store.Plan], int]] = {
    "full": lambda plan: plan.values, "add": lambda plan: plan.add_rows, "remove": lambda plan: plan.remove_rows,
}
"""The member rows a plan's op holds."""


def _ops(plan: store.Plan) -> tuple[Op, ...]:
    """The file sets of a plan: full, add and remove for an exported audience; only remove for one held back."""
    return ("full", "add", "remove") if plan.status == "exported" else ("remove",)


def _queried(plan: store.Plan) -> tuple[Op, ...]:
    """The ops whose members are read from the workspace: all but an add that is the whole audience (its files are
    the full files)."""
    return tuple(op for op in _ops(plan) if not (op == "add" and plan.add_rows == plan.values))


def _write_plan(plan: store.Plan, members: Mapping[Op, pa.Table], run_dir: Path,
                options: Mapping[str, Any]) -> list[ExportFile]:
    """One plan's files, in op order (full, add, remove): written from `members`, or copied from the full files."""
    writer = PLATFORMS[plan.platform]
    written: dict[Op, list[ExportFile]] = {}
    for op in _ops(plan):
        if op in members:
            written[op] = writer.write(members[op], audience=plan.audience, op=op, run_dir=run_dir, options=options)
        else:
            written[op] = _copy(written["full"], Target.of(run_dir, plan.platform, plan.audience, op))
    return [f for files in written.values() for f in files]


def _written(pending: tuple[store.Plan, int, Future[list[ExportFile]]], progress: Progress) -> list[ExportFile]:
    """A plan's files once written, with its progress line."""
    plan, _, future = pending
    files = future.result()
    progress(f"{plan.platform}/{plan.audience}: {plan.status}, {plan.values:,} values, "
             f"+{plan.add_rows:,} / -{plan.remove_rows:,}")
    return files


def _copy(files: Sequence[ExportFile], target: Target) -> list[ExportFile]:
    """The same files, byte for byte, in `target`'s folder."""
    return target.finish([target.link(f) for f in files])


def confirm(
    con: duckdb.DuckDBPyConnection, run_id: str, as_of: datetime, run_dir: Path, files: Sequence[ExportFile],
    finished_at: datetime,
) -> Path:
    """Write the manifest (last) under a pending name and record the run's lineage and success in one transaction,
    then put the manifest in place: a run killed before the commit leaves no manifest, and one killed after it has
    its manifest put in place by the next run (`start`)."""
    def write() -> str:
        return file_sha256(write_manifest(run_dir, run_id=run_id, as_of=as_of.isoformat(), files=files, pending=True))

    store.commit_run(con, run_id, finished_at, files, write)
    publish_manifest(run_dir)
    return run_dir / MANIFEST_NAME


def abort(con: duckdb.DuckDBPyConnection, run_id: str, run_dir: Path, error: BaseException, now: datetime) -> None:
    """Record a failed run and remove the files it wrote (none of them were confirmed by a manifest); a run whose
    lineage was committed before the error (an interrupt just after it) is successful, and its files stay."""
    if not store.fail_run(con, run_id, now, _failure(error)):
        publish_manifest(run_dir)
    elif run_dir.is_dir():
        shutil.rmtree(run_dir)


def _failure(error: BaseException) -> str:
    """What a failed run's record says of its error: our own messages and file system errors (which name paths, never
    data) as they are, anything else by its type."""
    if isinstance(error, AudienceError):
        return str(error)
    if isinstance(error, OSError):
        return os_error_text(error)
    return f"{type(error).__name__} (see the run's log)"
