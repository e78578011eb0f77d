"""Workspaces with real runs for the report and audit tests, driven stage by stage through the library in the order
the Prefect flow calls it (no Prefect, so they take a fraction of a second), plus `audience.audit.record_run`."""

import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

from audience import stages, store
from audience.audiences import audiences
from audience.audit import queries as audit_queries
from audience.audit.evidence import record_run
from audience.identifiers.rules import RuleSet
from consent import evaluate, importer, ledger
from consent.keys import customer_key_hmacs
from data.generator import AS_OF, write_sample_workspace_inputs
from pipelines.config import Settings

AUDIENCES = {"loyal": "orders_12m >= 5"}
MINIMUMS = {"google": 100, "meta": 100, "tiktok": 200}


@dataclass(frozen=True, slots=True)
class Workspace:
    """A workspace directory: its database, output directory and inputs."""

    root: Path

    @property
    def db(self) -> Path:
        return self.root / "workspace.duckdb"

    @property
    def out(self) -> Path:
        return self.root / "out"

    @property
    def inputs(self) -> Path:
        return self.root / "inputs"

    def connect(self) -> duckdb.DuckDBPyConnection:
        return store.connect(self.db)

    def copy(self, root: Path) -> "Workspace":
        """A copy of the whole workspace (database, files, inputs) at `root`, with run directories re-pointed."""
        shutil.copytree(self.root, root)
        copied = Workspace(root)
        with store.opened(copied.db) as con:
            con.execute("UPDATE run SET out_dir = replace(out_dir, ?, ?)", [str(self.root), str(root)])
            audit_queries.ensure_schema(con)
            con.execute("UPDATE erasure SET out_dir = replace(out_dir, ?, ?)", [str(self.root), str(root)])
        return copied


def settings(**overrides: object) -> Settings:
    return Settings.model_validate({"audiences": AUDIENCES, "min_audience": MINIMUMS, **overrides})


def run(con: duckdb.DuckDBPyConnection, ws: Workspace, as_of: datetime, *, customers: Path,
        consent: list[Path] = (), suppressions: list[Path] = (), config: Settings | None = None,
        record: bool = True) -> str:
    """One run of the pipeline's stages over `customers`, importing the consent files first; returns its run id."""
    config = config or settings()
    started_at = datetime.now(UTC)
    run_id = stages.new_run_id(started_at)
    rules = RuleSet(default_region=config.default_region, tiktok_phone_plus=config.tiktok.phone_plus)
    digest_json = config.digest_json()
    record_ = store.RunRecord(run_id, as_of, started_at, "test", rules.version, digest_json,
                              stages.config_digest(digest_json), ws.out / run_id)
    stages.start(con, record_, customers)
    ledger.ensure_schema(con)
    for path in consent:
        importer.import_events(con, path, now=as_of)
    for path in suppressions:
        importer.import_suppressions(con, path, default_region=config.default_region, now=as_of)
    store.set_ledger_head(con, run_id, *ledger.head(con))
    stages.stage_customers(con, run_id, customers, rules, key_hmacs=customer_key_hmacs)
    store.stage_eligible(con, evaluate.evaluate(con, as_of, max_consent_age_days=config.max_consent_age_days,
                                                customer_keys="customer_key"))
    plans = stages.build_audiences(con, audiences(config.audiences), config.min_audience)
    if record:
        record_run(con, run_id)
    files = stages.export(con, ws.out / run_id, plans, {p: config.platform_options(p) for p in config.min_audience})
    stages.confirm(con, run_id, as_of, ws.out / run_id, files, started_at + timedelta(seconds=1))
    return run_id


def sample(root: Path, customers: int = 600, *, seed: int = 11) -> Workspace:
    """A workspace with generated inputs and one run as of the generator's reference time."""
    ws = Workspace(root)
    write_sample_workspace_inputs(ws.inputs, customers, seed=seed)
    with ws.connect() as con:
        run(con, ws, AS_OF, customers=ws.inputs / "customers.csv", consent=[ws.inputs / "consent.csv"],
            suppressions=[ws.inputs / "suppressions.csv"])
    return ws


def write_csv(path: Path, header: str, rows: Iterable[tuple[str, ...]]) -> Path:
    """A small CSV input file (values without commas or quotes)."""
    lines = [header] + [",".join(r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@dataclass(frozen=True, slots=True)
class History:
    """A workspace with three runs a day apart: withdrawals (one recorded late), an erasure by email and objections
    between the first two; new grants for some of the withdrawn between the last two."""

    ws: Workspace
    runs: tuple[str, str, str]
    withdrawn: tuple[str, ...]
    late: str
    erased: str
    regranted: tuple[str, ...]


def history(root: Path, customers: int = 600, *, seed: int = 11) -> History:
    """Build the three-run workspace described by `History`."""
    ws = sample(root, customers, seed=seed)
    with ws.connect() as con:
        (first,) = [r[0] for r in con.execute("SELECT run_id FROM run").fetchall()]
        exported = [r[0] for r in con.execute(
            "SELECT DISTINCT customer_id FROM membership WHERE platform = 'meta' AND audience = 'all' "
            "ORDER BY customer_id").fetchall()]
        withdrawn, late, erased = tuple(exported[0:12]), exported[12], exported[13]
        regranted = withdrawn[:4]
        emails = dict(con.execute("SELECT customer_id, email FROM read_csv(?, all_varchar = true)",
                                  [str(ws.inputs / "customers.csv")]).fetchall())
        day = timedelta(days=1)
        consent2 = write_csv(ws.inputs / "consent-2.csv", "event_id,customer_id,platform,action,effective_at,recorded_at", [
            *((f"T-W-{c}", c, "*", "withdraw", _t(AS_OF + day / 2), _t(AS_OF + day / 2)) for c in withdrawn),
            (f"T-L-{late}", late, "*", "withdraw", _t(AS_OF - day), _t(AS_OF + day / 2)),
        ])
        suppressions2 = write_csv(ws.inputs / "suppressions-2.csv", "customer_id,email,phone,kind,effective_at,recorded_at",
                                  [("", emails[erased], "", "erasure", _t(AS_OF + day / 2), _t(AS_OF + day / 2))])
        second = run(con, ws, AS_OF + day, customers=ws.inputs / "customers.csv", consent=[consent2],
                     suppressions=[suppressions2])
        consent3 = write_csv(ws.inputs / "consent-3.csv", "event_id,customer_id,platform,action,effective_at,recorded_at",
                             [(f"T-G-{c}", c, "*", "grant", _t(AS_OF + day * 1.25), _t(AS_OF + day * 1.25))
                              for c in regranted])
        third = run(con, ws, AS_OF + 2 * day, customers=ws.inputs / "customers.csv", consent=[consent3])
    return History(ws, (first, second, third), withdrawn, late, erased, regranted)


def _t(moment: datetime) -> str:
    return moment.isoformat()
