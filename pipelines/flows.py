"""The Prefect flow of a run. It reads like the run's table of contents; every stage is a thin task over the
`audience` and `consent` libraries, and tasks hand each other paths, run ids and counts, never identifiers."""

import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing, contextmanager
from contextvars import copy_context
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.futures import PrefectFutureList, as_completed
from prefect.utilities.annotations import quote, unmapped
from prefect.types.entrypoint import EntrypointType

from audience import ingest, partition_members, partitions, stages, storage, store
from audience.audiences import audiences
from audience.audit import evidence
from audience.reports.summary import run_summary
from audience.errors import InputError, TransientError
from audience.export import ExportFile
from audience.identifiers.rules import PLATFORMS, RuleSet
from audience.store import Input
from consent import evaluate, importer, keys, ledger
from consent.records import ImportReport
from pipelines import quiet_exit
from pipelines.config import Settings
from pipelines.engines import task_runner
from pipelines.lock import workspace_lock

FLOW_NAME = "audience-run"
OWNER_ONLY = 0o077


def is_transient(task: Any, task_run: Any, state: Any) -> bool:
    """Retry a task only when it failed on a TransientError (the workspace database held by another process)."""
    try:
        state.result()
    except TransientError:
        return True
    except BaseException:
        return False
    return False


STAGE = {"persist_result": False, "cache_policy": NO_CACHE}
RETRIED = {**STAGE, "retries": 2, "retry_delay_seconds": [2, 10], "retry_condition_fn": is_transient}


@dataclass(frozen=True, slots=True)
class RunHandle:
    """What every stage of one run needs to find its work."""

    run_id: str
    as_of: datetime
    run_dir: Path
    abandoned: tuple[str, ...]
    started_at: datetime
    """When the run began: the default as-of time, and the import time its consent files are recorded at."""


@dataclass(frozen=True, slots=True)
class RunResult:
    """The outcome of a successful run, for the CLI, the benchmark and tests; counts only."""

    run_id: str
    as_of: datetime
    run_dir: Path
    manifest: Path
    customers: stages.CustomerCounts
    consent: tuple[store.InputRecord, ...]
    eligible: int
    plans: tuple[store.Plan, ...]
    files: tuple[ExportFile, ...]
    abandoned: tuple[str, ...]
    notices: tuple[str, ...] = ()
    """What the files need before upload (`upload_notices`)."""

    @property
    def held_back(self) -> tuple[store.Plan, ...]:
        """The audiences not exported because they are below the platform minimum."""
        return tuple(p for p in self.plans if p.status == "held_back")


@contextmanager
def _timed(con: duckdb.DuckDBPyConnection, run: RunHandle, stage: str) -> Iterator[duckdb.DuckDBPyConnection]:
    """`con`, with the stage's duration recorded in the run's lineage."""
    began = time.perf_counter()
    yield con
    store.record_stage(con, run.run_id, stage, time.perf_counter() - began)


@task(name="open-workspace", **RETRIED)
def open_workspace(settings: Settings) -> store.Session:
    """Open the workspace database for the run (retried while another process holds it)."""
    return store.Session(settings.db)


@task(name="start", **STAGE)
def start(ws: store.Session, settings: Settings, as_of: datetime | None) -> RunHandle:
    """Recover from runs that died, check the customers file, record the run, and make sure the ledger and its
    key exist before the stages that run side by side use them."""
    started_at = datetime.now(UTC)
    run_id = stages.new_run_id(started_at)
    config = settings.digest_json()
    record = store.RunRecord(
        run_id=run_id, as_of=as_of or started_at, started_at=started_at, code_version=stages.code_version(),
        rules_version=_rules(settings).version, config_json=config, config_sha256=stages.config_digest(config),
        out_dir=settings.out / run_id, partition_dir=settings.partition_dir_of(run_id),
    )
    abandoned = stages.start(ws.con, record, _customers(settings), settings.partition_dir_of)
    keys.workspace_key(ws.con)
    if abandoned:
        get_run_logger().warning(f"removed the unconfirmed files and partitions of {len(abandoned)} earlier run(s) "
                                 f"that died: {', '.join(abandoned)}")
    return RunHandle(run_id, record.as_of, record.out_dir, tuple(abandoned), started_at)


@task(name="import-consent", **STAGE)
def import_consent(ws: store.Session, settings: Settings, run: RunHandle) -> tuple[store.InputRecord, ...]:
    """Append the consent events and suppressions files to the ledger (idempotent) and note the ledger head.

    The run's start is the files' import time (the default recorded_at), so that a run as of now (the default)
    counts what it imports, and a run as of an earlier time does not. It runs alongside the customers'
    normalisation, on a connection of its own."""
    records = []
    with ws.cursor() as other, _timed(other, run, "import-consent") as con:
        if settings.inputs.consent is not None:
            report = importer.import_events(con, settings.inputs.consent, now=run.started_at)
            records.append(_imported(con, run, "consent", settings.inputs.consent, report))
        if settings.inputs.suppressions is not None:
            report = importer.import_suppressions(con, settings.inputs.suppressions,
                                                  default_region=settings.default_region, now=run.started_at)
            records.append(_imported(con, run, "suppressions", settings.inputs.suppressions, report))
        store.set_ledger_head(con, run.run_id, *ledger.head(con))
    return tuple(records)


@task(name="split-customers", **STAGE)
def split_customers(settings: Settings, run: RunHandle) -> partitions.Split:
    """Split the customers file by a stable hash of customer_id into Parquet partitions for the engine."""
    began = time.perf_counter()
    path = _customers(settings)
    count = settings.partitions or partitions.partition_count(path, settings.partition_rows)
    split = partitions.split_customers(path, settings.partition_dir_of(run.run_id), count,
                                       batch_rows=settings.inputs.batch_rows)
    get_run_logger().info(f"customers: {split.rows_read:,} rows read into {len(split.partitions)} partition(s) "
                          f"({time.perf_counter() - began:.1f} s)")
    return split


@task(name="normalise-partition", **STAGE)
def normalise_partition(partition: partitions.Partition, rules: RuleSet, key: partitions.WorkspaceKey,
                        prehashed: frozenset[str], batch_rows: int) -> partitions.PartitionOutput:
    """Normalise and hash one partition's identifiers and compute its suppression keys, into Parquet files (runs on
    the engine: it never opens the workspace)."""
    return partitions.process_partition(partition, rules, key, prehashed=prehashed, batch_rows=batch_rows)


@task(name="stage-customers", **STAGE)
def stage_customers(ws: store.Session, settings: Settings, run: RunHandle, split: partitions.Split,
                    outputs: PrefectFutureList) -> stages.CustomerCounts:
    """Load what each partition wrote into staging as soon as it is done (the flow's process is the workspace's
    single writer)."""
    done = (future.result() for future in as_completed(outputs))
    with _timed(ws.con, run, "normalise-and-hash") as con:
        counts = stages.stage_partitioned_customers(con, run.run_id, _customers(settings), split, done)
    get_run_logger().info(f"customers: {counts.rows_accepted:,} staged from {len(split.partitions)} partition(s)")
    return counts


@task(name="check-audiences", **STAGE)
def check_audiences(ws: store.Session, settings: Settings) -> partition_members.Targets:
    """Check every audience's condition against the customers, and name the run's (platform, audience) targets."""
    targets = stages.check_audiences(ws.con, audiences(settings.audiences), settings.min_audience,
                                     progress=get_run_logger().info)
    return partition_members.Targets.of(ws.con, targets)


@task(name="split-ledger", **STAGE)
def split_ledger(ws: store.Session, run: RunHandle, split: partitions.Split) -> partition_members.LedgerSplit:
    """Split the consent events and suppressions that count as of the run's as-of time like the customers. It runs
    right after the import, alongside the customers' normalisation, on a connection of its own."""
    with ws.cursor() as other, _timed(other, run, "split-ledger") as con:
        return partition_members.split_ledger(con, storage.join(split.directory, "ledger"), len(split.partitions),
                                              run.as_of)


@task(name="members-partition", **STAGE)
def members_partition(output: partitions.PartitionOutput, ledger: partition_members.LedgerSplit,
                      targets: partition_members.Targets, max_consent_age_days: int) -> partition_members.MembersOutput:
    """Decide who of one partition may be exported to each platform as of T, and find every audience's members
    among them, into Parquet files (runs on the engine: it never opens the workspace)."""
    return partition_members.members_of_partition(output, ledger, targets, max_consent_age_days=max_consent_age_days)


@task(name="build-audiences", **STAGE)
def build_audiences(ws: store.Session, run: RunHandle, split: partitions.Split, targets: partition_members.Targets,
                    outputs: PrefectFutureList) -> tuple[int, tuple[store.Plan, ...]]:
    """Stage each partition's eligibility and audiences as it is done, then plan every audience on every platform:
    members, size against the platform minimum, deltas; then delete the partitions."""
    done = (future.result() for future in as_completed(outputs))
    with _timed(ws.con, run, "build-audiences") as con:
        eligible, plans = stages.build_partitioned_audiences(con, targets.targets, done, len(split.partitions))
    partitions.remove(split.directory)
    for plan in plans:
        if plan.status == "held_back":
            get_run_logger().warning(stages.held_back_message(plan))
    return eligible, tuple(plans)


@task(name="record-evidence", **STAGE)
def record_evidence(ws: store.Session, run: RunHandle) -> None:
    """Record what reports and audits need from this run's staging: the exclusion waterfall, the digest of the
    consent evaluation used, and the suppression keys of the customers it exports; then drop the staging that only
    they needed."""
    with _timed(ws.con, run, "record-evidence") as con:
        evidence.record_run(con, run.run_id)
        store.release_staging(con)


@task(name="export", **STAGE)
def export(ws: store.Session, settings: Settings, run: RunHandle,
           plans: tuple[store.Plan, ...]) -> tuple[ExportFile, ...]:
    """Write every platform's files for every audience under the run directory."""
    with _timed(ws.con, run, "export") as con:
        return tuple(stages.export(con, run.run_dir, plans, _platform_options(settings),
                                   progress=get_run_logger().info))


@task(name="upload-notices", **STAGE)
def upload_notices(ws: store.Session, settings: Settings, plans: tuple[store.Plan, ...]) -> tuple[str, ...]:
    """What the files need before upload: placeholders to fill in, and destinations that changed since the run the
    deltas are computed against (logged, and shown by the CLI)."""
    options = _platform_options(settings)
    notices = (*stages.placeholder_messages(ws.con, plans, options),
               *stages.destination_messages(ws.con, plans, options))
    for notice in notices:
        get_run_logger().warning(notice)
    return notices


@task(name="record-lineage", **STAGE)
def record_lineage(ws: store.Session, run: RunHandle, files: tuple[ExportFile, ...]) -> Path:
    """Write the manifest, then record lineage and success in one transaction."""
    with _timed(ws.con, run, "record-lineage") as con:
        return stages.confirm(con, run.run_id, run.as_of, run.run_dir, files, datetime.now(UTC))


@task(name="report", **STAGE)
def report(ws: store.Session, run: RunHandle) -> None:
    """Publish the run's summary (counts only, small ones masked) as Prefect artifacts."""
    markdown, rows = run_summary(ws.con, run.run_id, now=datetime.now(UTC))
    create_markdown_artifact(key=f"{FLOW_NAME}-summary", markdown=markdown, description=f"Run {run.run_id}")
    create_table_artifact(key=FLOW_NAME, table=rows, description=f"Run {run.run_id}: audiences per platform")


@task(name="abort", **STAGE)
def abort(ws: store.Session, run: RunHandle, error: BaseException) -> None:
    """Record the failure and remove the unconfirmed files."""
    stages.abort(ws.con, run.run_id, run.run_dir, error, datetime.now(UTC))


@flow(name=FLOW_NAME, persist_result=False, log_prints=False, task_runner=ThreadPoolTaskRunner(max_workers=2))
def audience_run(settings: Settings, as_of: datetime | None = None) -> RunResult:
    """Ingest, normalise and hash, evaluate consent and find the members (both by partition), plan the audiences,
    export, record lineage and report."""
    os.umask(OWNER_ONLY)
    quiet_exit.install()
    with workspace_lock(settings.db), closing(open_workspace(settings)) as ws:
        run = start(ws, settings, as_of)
        key = partitions.WorkspaceKey(keys.workspace_key(ws.con))
        driver = ThreadPoolExecutor(max_workers=1)
        imported = _alongside(driver, import_consent, ws, settings, run)
        try:
            split = split_customers(settings, run)
            ledger = _alongside(driver, split_ledger, ws, run, split)
            outputs = normalise_partition.map(split.partitions, unmapped(_rules(settings)), unmapped(key),
                                              unmapped(frozenset(settings.inputs.prehashed)),
                                              unmapped(settings.inputs.batch_rows))
            customers = stage_customers(ws, settings, run, split, quote(outputs))
            consent = imported.result()
            targets = check_audiences(ws, settings)
            members = members_partition.map(outputs, unmapped(ledger.result()), unmapped(targets),
                                            unmapped(settings.max_consent_age_days))
            eligible, plans = build_audiences(ws, run, split, targets, quote(members))
            record_evidence(ws, run)
            files = export(ws, settings, run, plans)
            notices = upload_notices(ws, settings, plans)
            manifest = record_lineage(ws, run, files)
        except BaseException as error:
            driver.shutdown(cancel_futures=True)
            abort(ws, run, error)
            raise
        finally:
            driver.shutdown()
            partitions.remove(settings.partition_dir_of(run.run_id))
        report(ws, run)
    return RunResult(run.run_id, run.as_of, run.run_dir, manifest, customers, consent, eligible, plans, files,
                     run.abandoned, notices)


def run_pipeline(settings: Settings, *, as_of: datetime | None = None, heartbeats: bool = False) -> RunResult:
    """Run the flow once in this process, holding the workspace lock from before Prefect starts.

    Heartbeats (which let a Prefect server notice a dead run) cost about 2 s per one-shot run here; they are off
    unless asked for.
    """
    _check_inputs(settings)
    evaluate.grant_cutoff(as_of or datetime.now(UTC), settings.max_consent_age_days)
    run = audience_run.with_options(task_runner=task_runner(settings))
    with workspace_lock(settings.db):
        if heartbeats:
            return run(settings, as_of)
        with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
            return run(settings, as_of)


def _platform_options(settings: Settings) -> dict[str, dict[str, Any]]:
    return {platform: settings.platform_options(platform) for platform in PLATFORMS}


def _rules(settings: Settings) -> RuleSet:
    return RuleSet(default_region=settings.default_region, tiktok_phone_plus=settings.tiktok.phone_plus)


def _check_inputs(settings: Settings) -> None:
    """Refuse at once, before Prefect starts, inputs that cannot work: no customers file, a customers header
    without the required columns, an output directory that is a file, a consent or suppressions file that does not
    exist or whose header lacks required columns."""
    ingest.columns(_customers(settings))
    if any(p.exists() and not p.is_dir() for p in (settings.out, *settings.out.parents)):
        raise InputError(f"The output directory {settings.out} is a file or lies under one; set out in audience.toml "
                         "or --out to a directory (it is created when missing).")
    for key, kind in (("consent", "events"), ("suppressions", "suppressions")):
        path = getattr(settings.inputs, key)
        if path is None:
            continue
        if not path.is_file():
            raise InputError(f"The {key} file {path} does not exist; check inputs.{key} or --{key}.")
        importer.check_header(path, kind)


def _alongside(pool: ThreadPoolExecutor, stage: Callable[..., Any], *args: Any) -> Future:
    """`stage(*args)` in another thread of this process, as a task of the same flow run: driver work that goes on
    while the engine works on partitions (a submitted task would go to the engine)."""
    return pool.submit(copy_context().run, stage, *args)


def _customers(settings: Settings) -> Path:
    if settings.inputs.customers is None:
        raise InputError("No customers file: set inputs.customers in audience.toml or pass --customers FILE.")
    return settings.inputs.customers


def _imported(con: duckdb.DuckDBPyConnection, run: RunHandle, name: Input, path: Path,
              report: ImportReport) -> store.InputRecord:
    """Record an imported consent file in the run's lineage and log its counts."""
    record = store.InputRecord(name, path, path.stat().st_size, report.file_sha256, report.accepted, report.rejected,
                               report.duplicates)
    store.record_input(con, run.run_id, record)
    store.record_rejections(con, run.run_id, name, importer.rejections_table(con, report.batch_id))
    get_run_logger().info(f"{name}: {report.accepted:,} new, {report.duplicates:,} already recorded, "
                          f"{report.rejected:,} rows rejected")
    if report.withheld_columns:
        get_run_logger().warning(f"{name}: columns not kept, since they hold identifiers: "
                                 f"{', '.join(w.column for w in report.withheld_columns)}")
    return record


def serve(settings: Settings, *, name: str, cron: str | None = None, interval: int | None = None) -> None:
    """Serve the run for this workspace as a Prefect deployment on a schedule, one run at a time, until stopped.

    Needs a Prefect server (PREFECT_API_URL). Stopping leaves the schedule active for the next `serve`.
    """
    audience_run.serve(
        name=name, cron=cron, interval=interval, parameters={"settings": settings.model_dump(mode="json")},
        pause_on_shutdown=False, limit=1, entrypoint_type=EntrypointType.MODULE_PATH,
        description=f"audience run for the workspace {settings.db}",
    )
