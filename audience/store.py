"""The workspace database: schema, run records, staging tables and lineage. Every SQL statement of a run is here
or in `audience/sql/`.

Staging tables are temporary tables of the run's connection (they vanish with it) and never hold raw emails or
phones: identifiers arrive hashed, suppression keys as HMACs. Lineage tables hold SHA-256 hashes, row numbers and
reasons, never an input value. Values are bound with `?`; the only text spliced into SQL besides names from code is
an audience condition, which is SQL by design and checked to be one expression first (`audience.audiences`).
"""

import json
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any, Literal

import duckdb
import psutil
import pyarrow as pa
import pyarrow.compute as pc

from audience import storage
from audience.errors import AudienceError, TransientError, without_values
from audience.export import ExportFile, Op, sync_directory
from audience.identifiers import reasons
from audience.identifiers.columns import NAME_TYPES
from audience.ingest import REASON_DUPLICATE_ID, narrowest_types
from audience.platforms import PLATFORMS
from consent import evaluate, ledger

Input = Literal["customers", "consent", "suppressions"]
Status = Literal["exported", "held_back"]
IDENTIFIER_COLUMNS = ("customer_id", "source_row", "identifier", "platform", "id_type", "sha256", "unhashed")
REJECTION_COLUMNS = ("source_row", "column", "platform", "reason")
BIT_PLATFORMS = sorted(PLATFORMS)
"""The platforms in the order of their identifier bits (`sql/identifier_bits.sql`), which the exclusion waterfall
(`reports/funnel.sql`) reads with the same layout."""


@dataclass(frozen=True, slots=True)
class RunRecord:
    """What identifies a run and everything that could change its output."""

    run_id: str
    as_of: datetime
    started_at: datetime
    code_version: str
    rules_version: str
    config_json: str
    config_sha256: str
    out_dir: Path
    partition_dir: str | None = None
    """Where the run writes its partitions (a path or an fsspec URL), if it partitions its customers."""


@dataclass(frozen=True, slots=True)
class InputRecord:
    """One input file of a run and what became of its rows."""

    input: Input
    path: Path
    size_bytes: int
    sha256: str
    rows_accepted: int
    rows_rejected: int
    rows_duplicate: int = 0


RETIRED = "false /* retired: no longer in the configuration */"
"""The condition of a retired target: an audience the configuration no longer names, whose platform still holds
values of it. It has no members, so the run removes them all."""


@dataclass(frozen=True, slots=True)
class Target:
    """One audience on one platform, with the platform minimum that applies."""

    platform: str
    audience: str
    condition: str | None
    minimum: int

    @property
    def retired(self) -> bool:
        """Whether the configuration no longer names this audience (see RETIRED)."""
        return self.condition == RETIRED


@dataclass(frozen=True, slots=True)
class Plan:
    """What a run does with one target."""

    platform: str
    audience: str
    customers: int
    values: int
    minimum: int
    status: Status
    base_run_id: str | None
    add_rows: int
    remove_rows: int
    retired: bool = False
    """The audience is no longer configured: this run removes what the platform holds of it (see RETIRED)."""


MEMORY_SHARE = 0.4
"""The share of the machine's memory the workspace database may hold; beyond it, DuckDB spills to `<db>.tmp`."""


def memory_limit() -> str:
    """The workspace database's DuckDB memory_limit: MEMORY_SHARE of this machine's memory."""
    return f"{int(psutil.virtual_memory().total * MEMORY_SHARE) >> 20}MB"


def connect(db: Path) -> duckdb.DuckDBPyConnection:
    """Open the workspace database (created owner-only if missing) with its lineage schema in place, its memory
    bounded by `memory_limit()`.

    Raises:
        TransientError: another process holds the database.
    """
    db.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        con = duckdb.connect(str(db))
    except duckdb.IOException as e:
        if "lock" not in str(e).lower():
            raise
        raise TransientError(f"The workspace database {db} is in use by another process ({e}); retry later.") from None
    con.execute("SET preserve_insertion_order = false")
    con.execute(f"SET memory_limit = '{memory_limit()}'")
    # A run never downloads code: an audience condition that needs an extension DuckDB lacks fails at once.
    con.execute("SET autoinstall_known_extensions = false")
    run_script(con, "schema.sql")
    run_script(con, "audit/schema.sql")
    if ledger.exists(con):
        run_script(con, "audit/erasure_backfill.sql")
    for path in (db, db.with_name(db.name + ".wal")):
        if path.exists():
            os.chmod(path, 0o600)
    return con


def is_workspace(db: Path) -> bool:
    """Whether `db` is a workspace database (a DuckDB file with the run records), read without changing it. One that
    another process holds counts as one: only a run or a workspace command holds it."""
    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.IOException as e:
        return "lock" in str(e).lower()
    except duckdb.Error:
        return False
    try:
        return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' AND "
                                "table_name = 'run'").fetchall()[0][0])
    finally:
        con.close()


@contextmanager
def opened(db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """`connect`, closed on exit."""
    con = connect(db)
    try:
        yield con
    finally:
        con.close()


def rewrite(db: Path) -> None:
    """Replace the workspace database with a fresh copy of its contents, so that rows deleted from it are gone from
    the file as well: DuckDB leaves a deleted row's bytes in its blocks until they happen to be reused. Hold the
    workspace lock, with no connection open. The copy takes about 5 s per GB here, and as much disk as the database.

    Raises:
        AudienceError: the copy failed (a full disk, say) or lost rows; the database is left as it was.
    """
    fresh = db.with_name(db.name + ".rewrite")
    fresh.unlink(missing_ok=True)
    owner_only = os.umask(0o077)
    try:
        with opened(db) as con:
            con.execute("SET preserve_insertion_order = true")  # run_stage lists a run's stages in rowid order
            (name,) = con.execute("SELECT current_database()").fetchall()[0]
            try:
                lost = _copy_database(con, name, fresh)
            except duckdb.Error as e:
                raise AudienceError(f"Could not rewrite {db.name} ({without_values(str(e))}); it is left as it was, "
                                    "deleted rows possibly still in its free blocks. Free as much disk space as it "
                                    "takes and run the command again.") from None
        if lost:
            raise AudienceError(f"The rewrite of {db.name} lost rows of {', '.join(lost)}, so it is left as it was, "
                                "deleted rows possibly still in its free blocks; report this as a bug.")
        os.replace(fresh, db)
        sync_directory(db.parent)
    finally:
        os.umask(owner_only)
        fresh.unlink(missing_ok=True)


def _copy_database(con: duckdb.DuckDBPyConnection, name: str, fresh: Path) -> list[str]:
    """Copy the database `name` into a new database file `fresh`; returns the tables whose row counts differ."""
    path = str(fresh).replace("'", "''")
    con.execute(f"ATTACH '{path}' AS rewritten")
    try:
        con.execute(f'COPY FROM DATABASE "{name}" TO rewritten')
        tables = [t for (t,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND "
                                            "schema_name = 'main' ORDER BY table_name", [name]).fetchall()]
        return [t for t in tables if con.execute(f'SELECT (SELECT count(*) FROM "{name}".main."{t}") <> '
                                                 f'(SELECT count(*) FROM rewritten.main."{t}")').fetchall()[0][0]]
    finally:
        con.execute("DETACH rewritten")


class Session:
    """The workspace database opened for one run, whose staging tables live as long as the session.

    Closing it drops the connection itself, so that anything still holding the session (an orchestrator's record
    of task arguments, say) holds no database object.
    """

    def __init__(self, db: Path) -> None:
        self._con: duckdb.DuckDBPyConnection | None = connect(db)

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """The session's connection: the one that sees its staging tables."""
        if self._con is None:
            raise RuntimeError("the workspace session is closed")
        return self._con

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Another connection to the same database, for work running alongside the session's own (it does not see
        the staging tables)."""
        other = self.con.cursor()
        try:
            yield other
        finally:
            other.close()

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None


def run_script(con: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Any] | None = None, *,
               parts: Mapping[str, str] | None = None) -> None:
    """Execute `audience/sql/<name>` statement by statement, binding the named parameters each one uses; each
    `/*@part*/` marker is first replaced by the SQL text `parts` gives for it (from code, never from input)."""
    params = params or {}
    text = _sql(name)
    for part, replacement in (parts or {}).items():
        text = text.replace(f"/*@{part}*/", replacement)
    for statement in con.extract_statements(text):
        con.execute(statement, {k: params[k] for k in statement.named_parameters})


@cache
def _sql(name: str) -> str:
    return (Path(__file__).parent / "sql" / name).read_text(encoding="utf-8")


@contextmanager
def _registered(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> Iterator[None]:
    """`table` visible to SQL as `name` for the duration of the block."""
    con.register(name, table)
    try:
        yield
    finally:
        con.unregister(name)


def _has_staging(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND temporary", [name]
    ).fetchall()[0][0] > 0


def open_run(con: duckdb.DuckDBPyConnection, run: RunRecord) -> None:
    """Record a run as started."""
    con.execute(
        "INSERT INTO run (run_id, as_of, started_at, status, code_version, rules_version, config_sha256, config, "
        "out_dir, partition_dir) VALUES (?, ?, ?, 'running', ?, ?, ?, ?, ?, ?)",
        [run.run_id, run.as_of, run.started_at, run.code_version, run.rules_version, run.config_sha256,
         run.config_json, str(run.out_dir), run.partition_dir],
    )


def abandon_unfinished(con: duckdb.DuckDBPyConnection, now: datetime) -> list[tuple[str, Path, str | None]]:
    """Mark runs left `running` (their process died) as abandoned; returns their run ids, output directories and
    partition directories (None where the run recorded none)."""
    rows = con.execute(
        "UPDATE run SET status = 'abandoned', finished_at = ?, "
        "message = 'interrupted before it finished; its files were never confirmed and were removed' "
        "WHERE status = 'running' RETURNING run_id, out_dir, partition_dir",
        [now],
    ).fetchall()
    return [(run_id, Path(out_dir), partition_dir) for run_id, out_dir, partition_dir in rows]


def succeeded_out_dirs(con: duckdb.DuckDBPyConnection) -> list[Path]:
    """The output directories of the successful runs."""
    return [Path(r[0]) for r in con.execute("SELECT out_dir FROM run WHERE status = 'succeeded'").fetchall()]


def fail_run(con: duckdb.DuckDBPyConnection, run_id: str, now: datetime, message: str) -> bool:
    """Record that a run stopped on an error (the message names no person); False when it had already ended (a run
    interrupted after its lineage was committed stays successful)."""
    (updated,) = con.execute(
        "UPDATE run SET status = 'failed', finished_at = ?, message = ? WHERE run_id = ? AND status = 'running'",
        [now, message, run_id],
    ).fetchall()[0]
    return updated > 0


def record_stage(con: duckdb.DuckDBPyConnection, run_id: str, stage: str, seconds: float) -> None:
    """Record how long a stage took."""
    con.execute("INSERT OR REPLACE INTO run_stage VALUES (?, ?, ?)", [run_id, stage, seconds])


def stage_seconds(con: duckdb.DuckDBPyConnection, run_id: str | None = None) -> dict[str, float]:
    """How long each stage of a run took, in the order the stages ended; by default of the latest run (run ids sort
    by start time)."""
    return dict(con.execute(
        "SELECT stage, seconds FROM run_stage WHERE run_id = coalesce(?, (SELECT max(run_id) FROM run)) ORDER BY rowid",
        [run_id],
    ).fetchall())


def record_input(con: duckdb.DuckDBPyConnection, run_id: str, record: InputRecord) -> None:
    """Record an input file's checksum and row counts."""
    con.execute(
        "INSERT OR REPLACE INTO run_input VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [run_id, record.input, str(record.path), record.size_bytes, record.sha256, record.rows_accepted,
         record.rows_rejected, record.rows_duplicate],
    )


def record_rejections(con: duckdb.DuckDBPyConnection, run_id: str, input: Input, rows: pa.Table) -> None:
    """Record rejected rows or fields (source_row, column, platform, reason) of an input in lineage."""
    if rows.num_rows:
        with _registered(con, "rejections", rows.select(list(REJECTION_COLUMNS))):
            con.execute(
                'INSERT INTO rejected_row SELECT ?, ?, source_row, "column", platform, reason FROM rejections',
                [run_id, input],
            )


def set_ledger_head(con: duckdb.DuckDBPyConnection, run_id: str, seq: int | None, row_hash: str | None) -> None:
    """Record the consent ledger's head as the run saw it."""
    con.execute("UPDATE run SET ledger_head_seq = ?, ledger_head_hash = ? WHERE run_id = ?", [seq, row_hash, run_id])


def run_suppressions_sql() -> str:
    """SQL for the suppressions that count for a run as of `$as_of` (`sql/run_suppressions.sql`): those the ledger's
    rule counts, and every erasure `audience forget` recorded, whatever the as-of time."""
    return _sql("run_suppressions.sql").replace("/*@counting*/", evaluate.counting_sql("suppression"))


def reset_staging(con: duckdb.DuckDBPyConnection) -> None:
    """Empty every staging table before a run stages its inputs."""
    run_script(con, "staging.sql", parts={f"{name}_type": sql for name, sql in NAME_TYPES.items()})


EVIDENCE_ONLY = ("staging_customer", "staging_identifier", "staging_identifier_bits", "staging_rejection",
                 "customer_key", "staging_eligible", "staging_audience")
"""The staging tables that nothing after the audit evidence reads: the export and the lineage need only the members,
removals and plans."""


def release_staging(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the staging tables that only the audit evidence still needed (the largest ones), so that the export and
    the lineage have their memory."""
    for name in EVIDENCE_ONLY:
        con.execute(f"DROP TABLE IF EXISTS temp.{name}")


def stage_customers(con: duckdb.DuckDBPyConnection, customers: pa.Table, attributes: pa.Table) -> pa.Table:
    """Stage a batch of customer attributes; returns `customers` without the rows whose customer_id an earlier
    row has (those are staged as rejections)."""
    if not _has_staging(con, "staging_customer"):
        with _registered(con, "attributes", attributes):
            con.execute("CREATE TEMP TABLE staging_customer AS SELECT * FROM attributes LIMIT 0")
    with _registered(con, "batch", customers.select(["source_row", "customer_id"])):
        repeated = con.sql(_sql("duplicates.sql")).to_arrow_table()["source_row"]
    if len(repeated):
        with _registered(con, "repeated", pa.table({"source_row": repeated})):
            con.execute(
                "INSERT INTO staging_rejection SELECT 'customers', source_row, 'customer_id', NULL, ? FROM repeated",
                [REASON_DUPLICATE_ID],
            )
        keep = pc.invert(pc.is_in(customers["source_row"], value_set=repeated.combine_chunks()))
        customers, attributes = customers.filter(keep), attributes.filter(keep)
    with _registered(con, "attributes", attributes):
        con.execute("INSERT INTO staging_customer BY NAME SELECT * FROM attributes")
    return customers


def stage_identifiers(con: duckdb.DuckDBPyConnection, identifiers: pa.Table, rejections: pa.Table) -> None:
    """Stage a batch's per-platform identifiers and the fields the identifier rules rejected."""
    with _registered(con, "identifiers", identifiers.select(list(IDENTIFIER_COLUMNS))):
        con.execute("INSERT INTO staging_identifier SELECT * FROM identifiers")
    stage_rejections(con, "customers", rejections)


def stage_rejections(con: duckdb.DuckDBPyConnection, input: Input, rejections: pa.Table) -> None:
    """Stage rejected rows or fields of an input."""
    if rejections.num_rows:
        with _registered(con, "rejections", rejections.select(list(REJECTION_COLUMNS))):
            con.execute(
                'INSERT INTO staging_rejection SELECT ?, source_row, "column", platform, reason FROM rejections',
                [input],
            )


def stage_keys(con: duckdb.DuckDBPyConnection, keys: duckdb.DuckDBPyRelation) -> None:
    """Stage customers' suppression keys: a relation with customer_id, email_hmac and phone_hmac."""
    keys.select("customer_id, email_hmac, phone_hmac").insert_into("customer_key")


def stage_partition_files(
    con: duckdb.DuckDBPyConnection, customers: Sequence[str], bits: Sequence[str], rejections: Sequence[str],
    keys: Sequence[str],
) -> None:
    """Add to staging the Parquet files that partitions of the customers file were turned into: attributes of the
    rows kept, the rows of `identifier_bits` (the identifiers themselves stay with the partitions), rejected rows
    and fields, and suppression keys; local paths or fsspec URLs (`storage`)."""
    if customers:
        into = ("INSERT INTO staging_customer BY NAME" if _has_staging(con, "staging_customer")
                else "CREATE TEMP TABLE staging_customer AS")
        con.execute(f"{into} SELECT * FROM read_parquet(?, union_by_name = true)",
                    [storage.readable(con, list(customers))])
    loads = (
        ("INSERT INTO staging_identifier_bits SELECT customer_id, present, valid FROM read_parquet(?)", bits),
        ("INSERT INTO staging_rejection SELECT 'customers', source_row, \"column\", platform, reason "
         "FROM read_parquet(?)", rejections),
        ("INSERT INTO customer_key SELECT customer_id, email_hmac, phone_hmac FROM read_parquet(?)", keys),
    )
    for statement, paths in loads:
        if paths:
            con.execute(statement, [storage.readable(con, list(paths))])


def identifier_bits(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyRelation:
    """Per customer, the identifier kinds present and valid per platform, as bits (`sql/identifier_bits.sql`), from
    the tables staging_identifier, staging_rejection and staging_customer of `con` (a run's staging, or a
    partition's tables of the same names): customer_id, present, valid."""
    return con.sql(_sql("identifier_bits.sql"), params={"platforms": BIT_PLATFORMS, "empty": reasons.EMPTY})


def stage_identifier_bits(con: duckdb.DuckDBPyConnection) -> None:
    """Stage `identifier_bits` of the run's own staging tables (a run staged batch by batch)."""
    identifier_bits(con).insert_into("staging_identifier_bits")


def finish_customers(con: duckdb.DuckDBPyConnection, run_id: str) -> tuple[int, int]:
    """Type the staged attributes and record the customers file's rejections in lineage.

    Returns:
        (rows accepted, rows rejected as a whole).
    """
    if not _has_staging(con, "staging_customer"):
        con.execute("CREATE TEMP TABLE staging_customer (source_row BIGINT, customer_id VARCHAR)")
    with _registered(con, "typed", narrowest_types(con.sql("SELECT * FROM staging_customer").to_arrow_table())):
        con.execute("CREATE OR REPLACE TEMP TABLE staging_customer AS SELECT * FROM typed")
    con.execute(
        'INSERT INTO rejected_row SELECT ?, input, source_row, "column", platform, reason FROM staging_rejection '
        "WHERE input = 'customers'",
        [run_id],
    )
    accepted = con.execute("SELECT count(*) FROM staging_customer").fetchall()[0][0]
    rejected = con.execute(
        "SELECT count(DISTINCT source_row) FROM staging_rejection "
        "WHERE input = 'customers' AND \"column\" IN ('*', 'customer_id')"
    ).fetchall()[0][0]
    return accepted, rejected


def rejected_field_count(con: duckdb.DuckDBPyConnection) -> int:
    """How many identifier fields of the customers file were rejected."""
    return con.execute(
        "SELECT count(*) FROM staging_rejection WHERE input = 'customers' AND \"column\" NOT IN ('*', 'customer_id')"
    ).fetchall()[0][0]


def customer_columns(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The staged customer attribute columns."""
    return [r[0] for r in con.execute("SELECT column_name FROM (DESCRIBE staging_customer)").fetchall()]


def stage_eligible(con: duckdb.DuckDBPyConnection, eligible: duckdb.DuckDBPyRelation) -> int:
    """Stage the consent evaluation (platform, customer_id, identifiers, event_id); returns its row count."""
    eligible.insert_into("staging_eligible")
    return eligible_count(con)


def stage_partition_members(con: duckdb.DuckDBPyConnection, eligible: str, audiences: str) -> None:
    """Add to staging a partition's consent evaluation and audiences (Parquet files: local paths or fsspec URLs)."""
    con.execute("INSERT INTO staging_eligible SELECT platform, customer_id, identifiers, event_id FROM read_parquet(?)",
                [storage.readable(con, [eligible])])
    con.execute("INSERT INTO staging_audience SELECT audience, customer_id FROM read_parquet(?)",
                [storage.readable(con, [audiences])])


def eligible_count(con: duckdb.DuckDBPyConnection) -> int:
    """The staged (platform, customer) pairs eligible for export."""
    return con.execute("SELECT count(*) FROM staging_eligible").fetchall()[0][0]


def condition_tree(con: duckdb.DuckDBPyConnection, condition: str) -> dict[str, Any]:
    """DuckDB's parse of `SELECT customer_id FROM staging_customer WHERE (condition)`."""
    statement = f"SELECT customer_id FROM staging_customer WHERE ({condition})"
    return json.loads(con.execute("SELECT json_serialize_sql(?)", [statement]).fetchall()[0][0])


def count_matching(con: duckdb.DuckDBPyConnection, condition: str | None) -> int:
    """How many staged customers meet `condition` (an audience condition already parsed as one expression)."""
    where = f"WHERE ({condition})" if condition is not None else ""
    return con.execute(f"SELECT count(*) FROM staging_customer {where}").fetchall()[0][0]


def stage_audience(con: duckdb.DuckDBPyConnection, name: str, condition: str | None) -> None:
    """Stage the customers of one audience (every customer when `condition` is None)."""
    where = f"WHERE ({condition})" if condition is not None else ""
    con.execute(f"INSERT INTO staging_audience SELECT ?, customer_id FROM staging_customer {where}", [name])


def plan_targets(con: duckdb.DuckDBPyConnection, targets: Sequence[Target],
                 member_files: Sequence[str] | None = None) -> list[Plan]:
    """Stage every target's current members and deltas against its base run, and decide what to export.

    The current members are the staging tables' (`current_members`), or, when given, the rows of `member_files`:
    Parquet files of the same columns (local paths or fsspec URLs) that partitions computed from their own tables of
    the same names.
    """
    con.execute("DELETE FROM staging_target")
    con.executemany(
        "INSERT INTO staging_target VALUES (?, ?, ?, ?)",
        [[t.platform, t.audience, t.condition, t.minimum] for t in targets],
    )
    current = "SELECT * FROM read_parquet($member_files)" if member_files else _sql("current_members.sql")
    params = {"member_files": storage.readable(con, list(member_files))} if member_files else {}
    run_script(con, "members.sql", params, parts={"current": current})
    run_script(con, "plan.sql")
    rows = con.execute(
        "SELECT platform, audience, customers, \"values\", minimum, status, base_run_id, add_rows, remove_rows "
        "FROM staging_plan ORDER BY platform, audience"
    ).fetchall()
    retired = {(t.platform, t.audience) for t in targets if t.retired}
    return [Plan(*row, retired=(row[0], row[1]) in retired) for row in rows]


def run_options(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, Any]:
    """The platform options a run was configured with (its recorded configuration's platform tables)."""
    ((config,),) = con.execute("SELECT CAST(config AS VARCHAR) FROM run WHERE run_id = ?", [run_id]).fetchall()
    recorded = json.loads(config)
    return {platform: recorded.get(platform) or {} for platform in PLATFORMS}


def retired_targets(con: duckdb.DuckDBPyConnection, configured: Sequence[Target]) -> list[tuple[str, str]]:
    """The (platform, audience) pairs `configured` does not name whose platform still holds values of them, by the
    last successful run that recorded the pair (`sql/retired.sql`)."""
    named = {(t.platform, t.audience) for t in configured}
    return [(p, a) for p, a in con.execute(_sql("retired.sql")).fetchall() if (p, a) not in named]


def current_members(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyRelation:
    """Who each staged target holds now, from the tables staging_target, staging_audience, staging_eligible and
    staging_identifier of `con` (a run's staging, or a partition's tables of the same names): platform, audience,
    customer_id, identifier, id_type, sha256 (32 bytes), unhashed, event_id."""
    return con.sql(_sql("current_members.sql"))


_EXPORT_FILE = pa.schema([("path", pa.string()), ("platform", pa.string()), ("audience", pa.string()),
                          ("op", pa.string()), ("identifier", pa.string()), ("rows", pa.int64()),
                          ("sha256", pa.string())])
"""An ExportFile's fields, in export_file's order after run_id."""
_MEMBERS = {
    "full": "SELECT customer_id, identifier, id_type, coalesce(unhashed, sha256) AS value FROM staging_member "
            "WHERE platform = ? AND audience = ?",
    "add": "SELECT customer_id, identifier, id_type, coalesce(unhashed, sha256) AS value FROM staging_member "
           "WHERE platform = ? AND audience = ? AND is_new",
    "remove": "SELECT customer_id, identifier, id_type, coalesce(unhashed, sha256) AS value FROM staging_removal "
              "WHERE platform = ? AND audience = ? AND NOT erased",
}


def members(con: duckdb.DuckDBPyConnection, platform: str, audience: str, op: Op) -> pa.Table:
    """What one file set receives: customer_id, identifier, id_type and value (exactly what the platform
    receives), in customer_id order."""
    return con.sql(_MEMBERS[op] + " ORDER BY customer_id", params=[platform, audience]).to_arrow_table()


def commit_run(
    con: duckdb.DuckDBPyConnection, run_id: str, finished_at: datetime, files: Sequence[ExportFile],
    write_manifest: Callable[[], str],
) -> None:
    """Record the run's lineage and mark it successful; `write_manifest` (returning the manifest's SHA-256) runs
    inside the same transaction, so a process that dies before the commit leaves the run `running`, and the next
    run removes its files."""
    con.execute("BEGIN TRANSACTION")
    try:
        entries = pa.Table.from_pylist([asdict(f) for f in files], _EXPORT_FILE)
        with _registered(con, "entries", entries):
            con.execute("INSERT INTO export_file SELECT $run_id, * FROM entries", {"run_id": run_id})
        run_script(con, "commit.sql", {"run_id": run_id, "finished_at": finished_at})
        con.execute("UPDATE run SET manifest_sha256 = ? WHERE run_id = ?", [write_manifest(), run_id])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise

