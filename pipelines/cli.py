"""The `audience` command line: parse, call the library or a flow, print."""

import typer

from pipelines.commands import audit, consent, forget, match, report, run
from pipelines.commands.hash import hash_command

app = typer.Typer(no_args_is_help=True, pretty_exceptions_show_locals=False)


@app.callback()
def main() -> None:
    """Consent-filtered, hashed customer audiences for TikTok, Meta and Google."""


app.command("hash")(hash_command)
app.add_typer(run.app)
app.add_typer(report.app)
app.add_typer(match.app, name="match")
app.add_typer(audit.app, name="audit")
app.add_typer(forget.app)
app.add_typer(consent.app, name="consent")
