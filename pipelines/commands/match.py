"""`audience match`: what the platforms matched (imported), and overlaps with a partner's hashed list."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Literal

import typer

from audience import store
from audience.reports.matches import import_matches, measure_overlap
from audience.reports.model import DEFAULT_THRESHOLD, share, shown
from pipelines.commands.options import ConfigOption, DbOption, OutOption, reported_errors, settings_from

app = typer.Typer(help="Match rates: import what platforms report, measure overlap with a partner list.",
                  no_args_is_help=True)

FileArgument = Annotated[Path, typer.Argument(help="The file to read.")]


@app.command("import")
def import_command(file: FileArgument, config: ConfigOption = None, db: DbOption = None,
                   out: OutOption = None) -> None:
    """Import a CSV of platform match results: run_id,platform,audience,uploaded,matched,match_rate_range.

    Give uploaded and matched counts (e.g. Meta num_received / num_matched), or Google's match_rate_range
    (MATCH_RANGE_41_TO_50, …). Example: audience match import matches.csv
    """
    settings = settings_from(config, db, out, existing=True)
    with reported_errors(), store.opened(settings.db) as con:
        result = import_matches(con, file, now=datetime.now(UTC))
    typer.echo(f"{file.name}: {result.rows} rows, {result.accepted} kept, {result.rejected} rejected.")
    for r in result.rejections:
        typer.echo(f"  row {r.row}, column {r.column}: {r.reason}")
    if result.rejected:
        typer.echo("Fix the rejected rows and import the file again (kept rows are replaced, not doubled).")
    if not result.accepted:
        raise typer.Exit(code=1)


@app.command("against")
def against(
    file: FileArgument,
    platform: Annotated[Literal["google", "meta", "tiktok"], typer.Option("--platform", help="Platform export to compare.")],
    run: Annotated[str | None, typer.Option("--run", help="Run id (default: the latest export).")] = None,
    config: ConfigOption = None,
    db: DbOption = None,
    out: OutOption = None,
) -> None:
    """Overlap of a partner's SHA-256 hashes (one per line, normalised as the platform's) with an export.

    Example: audience match against partner.txt --platform meta
    """
    settings = settings_from(config, db, out, existing=True)
    with reported_errors(), store.opened(settings.db) as con:
        result = measure_overlap(con, file, platform, run_id=run, now=datetime.now(UTC))
    n = DEFAULT_THRESHOLD
    typer.echo(f"{file.name} against run {result.run_id} on {platform}: {shown(result.partner_values, n)} "
               f"distinct partner hashes, {result.invalid_lines} lines that are not a SHA-256 hex"
               + (f" (rows {', '.join(map(str, result.first_invalid))})" if result.first_invalid else ""))
    typer.echo("exported: the distinct hashed values of every identifier type the run sent (emails, phones, IDs); "
               "counts are masked and rounded as in the report.")
    typer.echo(f"{'audience':16} {'exported':>10} {'overlap':>10} {'of partner':>10} {'of exported':>11}")
    for a in result.audiences:
        typer.echo(f"{a.audience:16} {shown(a.exported_values, n):>10} {shown(a.overlap, n):>10} "
                   f"{share(a.overlap, result.partner_values, n):>10} {share(a.overlap, a.exported_values, n):>11}")
