"""Options every workspace command shares, and the one place CLI errors are turned into exit codes."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, NoReturn

import duckdb
import typer

from audience import stages, store
from audience.errors import AudienceError, InputError, os_error_text
from pipelines.config import Settings, load_settings
from pipelines.lock import workspace_lock

ConfigOption = Annotated[
    Path | None, typer.Option("--config", help="Workspace config file (default: ./audience.toml if present).")
]
DbOption = Annotated[Path | None, typer.Option("--db", help="Workspace DuckDB file; overrides the config.")]
OutOption = Annotated[Path | None, typer.Option("--out", help="Output directory; overrides the config.")]


def settings_from(config: Path | None, db: Path | None, out: Path | None, *, existing: bool = False) -> Settings:
    """Resolve the workspace settings from the shared flags; with `existing` (a command that reads what runs
    recorded), refuse a database path that holds no workspace rather than create an empty one there."""
    with reported_errors():
        settings = load_settings(config, db=db, out=out)
        if existing and not settings.db.is_file():
            raise InputError(f"There is no workspace database at {settings.db}; pass --db or --config naming the "
                             "workspace a run used.")
        if existing and not store.is_workspace(settings.db):
            raise InputError(f"{settings.db} is not a workspace database (it holds no run records); pass --db or "
                             "--config naming the workspace a run used.")
        return settings


@contextmanager
def locked_workspace(settings: Settings, *, recover: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
    """The workspace database, opened under the workspace lock, after cleaning up (unless `recover` is false) runs
    that died (no run is alive while the lock is held): their unconfirmed files, and their partitions, which hold raw
    identifiers."""
    with workspace_lock(settings.db), store.opened(settings.db) as con:
        for run_id in stages.recover(con, datetime.now(UTC), settings.partition_dir_of) if recover else ():
            typer.echo(f"Run {run_id} died before it finished: it is marked abandoned, and its unconfirmed files and "
                       "partitions are deleted.", err=True)
        yield con


@contextmanager
def reported_errors() -> Iterator[None]:
    """Print an AudienceError, or a file system error (permissions, a full disk), as one red line and exit 1; anything
    else propagates (without locals)."""
    try:
        yield
    except AudienceError as e:
        typer.secho(f"Error: {e}", err=True, fg="red")
        raise typer.Exit(code=1) from None
    except OSError as e:
        if not e.filename:  # not about a file (a refused connection, say)
            raise
        typer.secho(f"Error: {os_error_text(e)}; check that the path exists, is writable and its disk has room, "
                    "then run again.", err=True, fg="red")
        raise typer.Exit(code=1) from None


def fail(message: str, code: int = 1) -> NoReturn:
    """Print an error line and exit with `code`."""
    typer.secho(f"Error: {message}", err=True, fg="red")
    raise typer.Exit(code=code)
