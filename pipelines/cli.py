"""The `audience` command line: parse, call the library or a flow, print."""

import typer

app = typer.Typer(
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    help="Consent-filtered, hashed customer audiences for TikTok, Meta and Google.",
)
