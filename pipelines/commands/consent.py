"""`audience consent import | status | verify`: the consent ledger of a workspace."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Literal

import duckdb
import typer

from audience.audit.queries import erased_seqs, latest_run_keys
from audience.errors import InputError, TransientError
from consent.evaluate import DEFAULT_CUSTOMER_KEYS
from consent.importer import import_file
from consent.integrity import verify as verify_ledger
from consent.records import HistoryEntry, ImportReport
from consent.status import Status, parse_instant
from consent.status import status as customer_status
from pipelines.commands.options import (ConfigOption, DbOption, OutOption, locked_workspace, reported_errors,
                                       settings_from)

app = typer.Typer(
    no_args_is_help=True,
    help="The consent ledger: import events and suppressions, explain a customer's decisions, verify the chain.",
)

SHOWN_REJECTIONS = 10


@app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="Events or suppressions file: .csv, .jsonl/.ndjson or .parquet.")],
    kind: Annotated[
        Literal["events", "suppressions"] | None,
        typer.Option("--kind", help="What the file holds (default: told by an `action` or a `kind` column)."),
    ] = None,
    config: ConfigOption = None,
    db: DbOption = None,
    out: OutOption = None,
) -> None:
    """Append a consent events or suppressions file to the workspace's ledger (importing it again adds nothing).

    Rows with missing or malformed fields are rejected with row number, column and reason, and the rest imported
    (exit 0); a file that cannot be used at all is refused and nothing imported (exit 1).

    Example: audience consent import consent.csv --config audience.toml
    """
    settings = settings_from(config, db, out)
    with reported_errors(), locked_workspace(settings) as con:
        report = import_file(con, file, kind, default_region=settings.default_region)
    _print_report(file, report)


@app.command()
def status(
    customer_id: Annotated[str, typer.Argument(help="The customer's id, as in the customers file.")],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="ISO 8601 time with offset to decide as of (default: now).")
    ] = None,
    config: ConfigOption = None,
    db: DbOption = None,
    out: OutOption = None,
) -> None:
    """Show a customer's ledger history and the decision on every platform, with the reason.

    Example: audience consent status C00000042 --as-of 2026-03-01T00:00:00+01:00
    """
    settings = settings_from(config, db, out)
    with reported_errors(), _read_only(settings.db) as con:
        moment = parse_instant(as_of) if as_of is not None else datetime.now(UTC)
        keys = latest_run_keys(con, DEFAULT_CUSTOMER_KEYS)
        found = customer_status(con, customer_id, moment, max_consent_age_days=settings.max_consent_age_days,
                                customer_keys=keys)
        erased = erased_seqs(con)
    _print_status(found, erased)


@app.command()
def verify(config: ConfigOption = None, db: DbOption = None, out: OutOption = None) -> None:
    """Check that seq runs 1, 2, 3, ... and that every hash of the chain recomputes; exit 1 and say where if not.

    Example: audience consent verify --db workspace.duckdb
    """
    settings = settings_from(config, db, out)
    with reported_errors(), _read_only(settings.db) as con:
        result = verify_ledger(con)
    if result.broken is not None:
        typer.secho(f"ledger broken at seq {result.broken.seq}: {result.broken.what}", err=True, fg="red")
        raise typer.Exit(code=1)
    typer.echo(f"ledger intact: {result.rows:,} rows, seq 1 to {result.head_seq:,} without gaps, "
               f"head hash {result.head_hash}")


@contextmanager
def _read_only(db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    if not db.exists():
        raise InputError(f"There is no workspace database at {db}; pass --db or --config, or import consent first.")
    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.IOException:
        raise TransientError(f"The workspace database {db} is in use by another process; retry when it is done.") \
            from None
    try:
        yield con
    finally:
        con.close()


def _print_report(file: Path, report: ImportReport) -> None:
    typer.echo(f"Imported {report.kind} from {file.name} (batch {report.batch_id}, sha256 {report.file_sha256[:12]}): "
               f"{report.rows:,} rows: {report.accepted:,} accepted, {report.duplicates:,} already recorded, "
               f"{report.rejected:,} rejected.")
    if report.last_seq is not None:
        typer.echo(f"Appended seq {report.first_seq:,} to {report.last_seq:,}.")
    if report.extra_columns:
        typer.echo(f"Columns outside the contract, kept with each row as `extra`: {', '.join(report.extra_columns)}.")
    if report.withheld_columns:
        typer.echo("Columns outside the contract not kept, since they hold identifiers: "
                   f"{'; '.join(f'{w.column} ({w.reason})' for w in report.withheld_columns)}.")
    if report.rejections:
        typer.echo(f"Rejections (first {min(SHOWN_REJECTIONS, report.rejections_total)} of "
                   f"{report.rejections_total:,}; all are in the import_rejection table, batch {report.batch_id}):")
        for r in report.rejections[:SHOWN_REJECTIONS]:
            typer.echo(f"  row {r.row}, {r.column}: {r.reason}")
    if report.rejected:
        typer.echo(f"{report.rejected:,} row(s) were rejected and the others imported. Fix those rows and import the "
                   "file again: rows already imported count as duplicates.")


def _print_status(found: Status, erased: frozenset[int]) -> None:
    typer.echo(f"Customer {found.customer_id} as of {found.as_of.isoformat()}")
    typer.echo(f"History ({len(found.history)} ledger row(s)):")
    for entry in found.history:
        typer.echo(f"  {_history_line(entry, found.as_of, erased)}")
    if not found.matched_by_identifier:
        typer.echo("  (suppressions given by email or phone are not matched: no run has recorded the customers' "
                   "keys yet)")
    typer.echo("Decisions (by the ledger's rule):")
    for d in found.decisions:
        typer.echo(f"  {d.platform:<8} {'eligible' if d.eligible else 'not eligible':<13} {d.reason}")
    if any(entry.seq in erased for entry in found.history):
        typer.echo("Erased by `audience forget`: no run exports this customer, whatever its as-of time.")


def _history_line(entry: HistoryEntry, as_of: datetime, erased: frozenset[int]) -> str:
    what = entry.what if entry.event_id is not None else f"suppression: {entry.what}"
    who = f"event {entry.event_id}" if entry.event_id is not None else f"matched by {entry.matched_by}"
    covers = f" ({', '.join(entry.identifiers)})" if entry.what == "grant" else ""
    after = [name for name, moment in (("recorded", entry.recorded_at), ("effective", entry.effective_at))
             if moment > as_of]
    late = f"  [{' and '.join(after)} after the as-of time: does not count]" if after else ""
    if after and entry.seq in erased:
        late = f"  [{' and '.join(after)} after the as-of time, but an erasure by `audience forget`: counts for runs]"
    return (f"seq {entry.seq:<6} effective {entry.effective_at.isoformat()}  recorded {entry.recorded_at.isoformat()}"
            f"  {what} {entry.platform} {who}{covers}{late}")
