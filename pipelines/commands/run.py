"""`audience run`, `init`, `demo` and `schedule`: one workspace's runs, from a single run to a nightly schedule.

The flow module (and with it Prefect, about a second to import) is imported only by the commands that run it.
"""

import gc
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from audience import store
from audience.errors import InputError
from audience.export import write_atomic
from audience.reports.build import build_report
from audience.reports.render import render
from audience.stages import held_back_message
from consent.status import parse_instant
from pipelines import prefect_api, quiet_exit
from pipelines.commands.options import ConfigOption, DbOption, OutOption, fail, reported_errors, settings_from
from pipelines.config import CONFIG_FILE, Engine, Inputs, Settings, documented_toml, load_settings
from pipelines.lock import workspace_lock

if TYPE_CHECKING:
    from pipelines.flows import RunResult

app = typer.Typer()

CustomersOption = Annotated[Path | None, typer.Option("--customers", help="Customers file; overrides the config.")]
ConsentOption = Annotated[Path | None, typer.Option("--consent", help="Consent events file; overrides the config.")]
SuppressionsOption = Annotated[
    Path | None, typer.Option("--suppressions", help="Suppressions file; overrides the config.")
]
EngineOption = Annotated[
    Engine | None, typer.Option("--engine", help="local (threads) or dask (a Dask cluster); overrides the config.")
]
DaskAddressOption = Annotated[
    str | None, typer.Option("--dask-address", help="Dask scheduler, e.g. tcp://scheduler:8786 (implies --engine dask).")
]
DEMO_AUDIENCES = {"loyal": "orders_12m >= 5", "newsletter": "newsletter"}
PREFECT_UI = "prefect server start   # then open http://127.0.0.1:4200 (runs recorded so far are listed there)"


@app.command()
def run(
    config: ConfigOption = None,
    customers: CustomersOption = None,
    consent: ConsentOption = None,
    suppressions: SuppressionsOption = None,
    db: DbOption = None,
    out: OutOption = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Evaluate consent as of this ISO 8601 time with offset (default: now).")
    ] = None,
    engine: EngineOption = None,
    dask_address: DaskAddressOption = None,
) -> None:
    """Export every audience to every platform, consent-filtered, with deltas and lineage.

    Example: audience run --config audience.toml --as-of 2026-11-01T03:00:00+01:00
    """
    quiet_exit.install()
    settings = _with_engine(_with_inputs(settings_from(config, db, out), customers, consent, suppressions), engine,
                            dask_address)
    moment = _timestamp(as_of)
    with reported_errors(), workspace_lock(settings.db):  # a second run is refused before it waits for Prefect
        api = prefect_api.start()
        from pipelines.flows import run_pipeline

        gc.freeze()  # the modules just imported live as long as the run: the collector's full passes skip them
        with prefect_api.used(api):
            result = run_pipeline(settings, as_of=moment)
    _print_result(result, settings)


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="Workspace directory (created if missing).")] = Path("."),
    customers: CustomersOption = None,
    consent: ConsentOption = None,
    suppressions: SuppressionsOption = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing audience.toml.")] = False,
) -> None:
    """Write a documented audience.toml (a comment on every key) into a workspace directory.

    Example: audience init srv/audience --customers customers.csv --consent consent.csv
    """
    path = directory / CONFIG_FILE
    if path.exists() and not force:
        fail(f"{path} already exists; edit it, or pass --force to replace it with a fresh one.")
    directory.mkdir(parents=True, exist_ok=True)
    inputs = {name: _from_workspace(given, directory) for name, given in
              (("customers", customers), ("consent", consent), ("suppressions", suppressions))}
    path.write_text(documented_toml(Settings(inputs=Inputs(**inputs))), encoding="utf-8")
    typer.echo(f"Wrote {path}; input paths in it are relative to {directory}. Next: audience run --config {path}")


def _from_workspace(given: Path | None, directory: Path) -> Path | None:
    """An input path given to `init` as the workspace's config holds it: a file that exists where the command runs,
    relative to the workspace directory; anything else as given (a file yet to arrive there)."""
    if given is None or given.is_absolute() or not given.exists():
        return given
    return Path(os.path.relpath(given.resolve(), directory.resolve()))


@app.command()
def demo(
    directory: Annotated[Path, typer.Argument(help="Where to create the sample workspace.")] = Path("demo"),
    customers: Annotated[int, typer.Option("--customers", min=100, help="Sample customers to generate.")] = 20_000,
    seed: Annotated[int, typer.Option("--seed", help="Generator seed (same seed, same data).")] = 7,
) -> None:
    """Generate a sample workspace, run it, and show where the files, the lineage and the Prefect UI are.

    Example: audience demo ./demo --customers 50000
    """
    quiet_exit.install()
    api = prefect_api.start()
    from data.generator import AS_OF, write_sample_workspace_inputs
    from pipelines.flows import run_pipeline

    typer.echo(f"Generating {customers:,} sample customers with consent events and suppressions in {directory}/inputs")
    inputs = write_sample_workspace_inputs(directory / "inputs", customers, seed=seed)
    settings = Settings(
        inputs=Inputs(customers=_relative(inputs.customers, directory), consent=_relative(inputs.consent, directory),
                      suppressions=_relative(inputs.suppressions, directory)),
        audiences=DEMO_AUDIENCES,
    )
    (directory / CONFIG_FILE).write_text(documented_toml(settings), encoding="utf-8")
    with reported_errors():
        settings = load_settings(directory / CONFIG_FILE)
        with prefect_api.used(api):
            result = run_pipeline(settings, as_of=AS_OF)
        with store.opened(settings.db) as con:
            built = build_report(con, result.run_id, now=datetime.now(UTC))
    write_atomic(directory / "report.html", [render("report.html.j2", report=built).encode("utf-8")])
    _print_result(result, settings)
    typer.echo(f"Report:   {directory / 'report.html'} (open it in a browser; `audience report` rebuilds it)")
    typer.echo(f"\nConfig:   {directory / CONFIG_FILE}\nInputs:   {directory / 'inputs'}\nPrefect UI: {PREFECT_UI}")
    typer.echo(f"Run again with: audience run --config {directory / CONFIG_FILE} --as-of {AS_OF.isoformat()}")


@app.command()
def schedule(
    config: ConfigOption = None,
    db: DbOption = None,
    out: OutOption = None,
    cron: Annotated[str | None, typer.Option("--cron", help='Cron schedule, e.g. "0 3 * * *" (03:00 daily).')] = None,
    interval: Annotated[int | None, typer.Option("--interval", min=10, help="Run every N seconds instead.")] = None,
    name: Annotated[str, typer.Option("--name", help="Deployment name shown in the Prefect UI.")] = "nightly",
) -> None:
    """Serve the run as a Prefect deployment on a schedule, until stopped (Ctrl-C).

    Needs a Prefect server: run `prefect server start` and set PREFECT_API_URL=http://127.0.0.1:4200/api.
    Example: audience schedule --config audience.toml --cron "0 3 * * *"
    """
    from prefect.settings import PREFECT_API_URL

    from pipelines.flows import serve

    if (cron is None) == (interval is None):
        fail('Give exactly one of --cron "0 3 * * *" or --interval SECONDS.')
    if not PREFECT_API_URL.value():
        fail("Schedules need a Prefect server: run `prefect server start` in another terminal, then "
             "export PREFECT_API_URL=http://127.0.0.1:4200/api and run this command again.")
    settings = settings_from(config, db, out)
    typer.echo(f"Serving deployment {name!r} for workspace {settings.db.parent}; Ctrl-C stops it.")
    with reported_errors():
        serve(settings, name=name, cron=cron, interval=interval)


def _with_inputs(settings: Settings, customers: Path | None, consent: Path | None,
                 suppressions: Path | None) -> Settings:
    flags = {"customers": customers, "consent": consent, "suppressions": suppressions}
    given = {key: value.resolve() for key, value in flags.items() if value is not None}
    return settings.model_copy(update={"inputs": settings.inputs.model_copy(update=given)})


def _with_engine(settings: Settings, engine: Engine | None, dask_address: str | None) -> Settings:
    if engine == "local" and dask_address is not None:
        fail("--engine local runs the partitions in this process, so it takes no --dask-address; give one or the "
             "other.")
    flags = {"engine": "dask" if dask_address is not None and engine is None else engine,
             "dask_address": dask_address}
    given = {key: value for key, value in flags.items() if value is not None}
    if engine == "local":  # --engine local runs here, whatever cluster the config names
        given["dask_address"] = None
    try:
        chosen = Settings.model_validate({**settings.model_dump(), **given})
    except ValueError as e:
        fail(f"--dask-address {dask_address!r} is not a scheduler address ({e.__class__.__name__}); "
             "write it like tcp://scheduler:8786.")
    if chosen.engine == "local" and chosen.dask_address is not None:
        typer.secho(f'Note: dask_address {chosen.dask_address} is ignored, since engine = "local" (the partitions run '
                    'in this process); set engine = "dask" to use that cluster.', fg="yellow", err=True)
    return chosen


def _timestamp(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        return parse_instant(text).astimezone(UTC)
    except InputError as e:
        fail(f"--as-of: {e}")


def _relative(path: Path, base: Path) -> Path:
    return path.resolve().relative_to(base.resolve())


def _print_result(result: "RunResult", settings: Settings) -> None:
    c = result.customers
    typer.echo(f"Run {result.run_id} (as of {result.as_of.isoformat()}) finished.")
    typer.echo(f"Customers: {c.rows_accepted:,} accepted, {c.rows_rejected:,} rows rejected, "
               f"{c.fields_rejected:,} identifier values rejected (rows, columns and reasons in rejected_row)")
    for record in result.consent:
        typer.echo(f"{record.input.capitalize()}: {record.rows_accepted:,} new, {record.rows_duplicate:,} already "
                   f"recorded, {record.rows_rejected:,} rows rejected")
    typer.echo(f"\n{'platform':8} {'audience':16} {'status':9} {'customers':>10} {'values':>10} {'add':>9} "
               f"{'remove':>9}")
    for p in result.plans:
        typer.echo(f"{p.platform:8} {p.audience:16} {p.status:9} {p.customers:>10,} {p.values:>10,} "
                   f"{p.add_rows:>9,} {p.remove_rows:>9,}")
    for p in result.held_back:
        typer.secho(held_back_message(p), fg="yellow", err=True)
    for notice in result.notices:
        typer.secho(notice, fg="yellow", err=True)
    typer.echo(f"\nFiles:    {result.run_dir} ({len(result.files)} files)\nManifest: {result.manifest}")
    typer.echo(f"Lineage:  {settings.db} (tables run, run_input, rejected_row, audience_export, membership; "
               "view exported_value)")
