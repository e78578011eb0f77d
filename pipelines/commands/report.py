"""`audience report`: the analysts' report on a run, as one self-contained HTML file."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from audience import store
from audience.export import write_atomic
from audience.reports.build import build_report
from audience.reports.model import DEFAULT_THRESHOLD
from audience.reports.render import render
from audience.reports.summary import summary_markdown
from pipelines.commands.options import ConfigOption, DbOption, OutOption, reported_errors, settings_from

app = typer.Typer()

RunOption = Annotated[str | None, typer.Option("--run", help="Run id (default: the latest successful run).")]
ThresholdOption = Annotated[
    int, typer.Option("--threshold", min=1, help='Counts below this are shown as "< N".')
]


@app.command()
def report(
    config: ConfigOption = None,
    db: DbOption = None,
    out: OutOption = None,
    run: RunOption = None,
    html: Annotated[Path | None, typer.Option("--html", help="Write the report to this HTML file.")] = None,
    threshold: ThresholdOption = DEFAULT_THRESHOLD,
) -> None:
    """Report on a run: exclusion waterfall, identifier quality, match rates and trend, held-back audiences.

    Without --html, prints a short summary. Example: audience report --config audience.toml --html report.html
    """
    settings = settings_from(config, db, out, existing=True)
    with reported_errors(), store.opened(settings.db) as con:
        built = build_report(con, run, threshold=threshold, now=datetime.now(UTC))
    if html is not None:
        write_atomic(html, [render("report.html.j2", report=built).encode("utf-8")])
        typer.echo(f"Wrote {html} (run {built.run.run_id}; self-contained: open it in any browser, offline).")
    else:
        typer.echo(summary_markdown(built), nl=False)
