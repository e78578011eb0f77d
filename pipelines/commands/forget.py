"""`audience forget` and `audience purge`: erasure of one person, and retention of export files."""

from datetime import UTC, datetime
from typing import Annotated

import typer

from audience import store
from audience.audit.forget import forget as erase
from audience.audit.person import find
from audience.audit.purge import purge as delete_old
from audience.identifiers.rules import PLATFORMS, RuleSet
from pipelines.commands.options import (ConfigOption, DbOption, OutOption, locked_workspace, reported_errors,
                                       settings_from)
from pipelines.lock import workspace_lock

app = typer.Typer()


@app.command()
def forget(
    email: Annotated[str | None, typer.Option("--email", help="The person's email address.")] = None,
    phone: Annotated[str | None, typer.Option("--phone", help="The person's phone number.")] = None,
    customer_id: Annotated[str | None, typer.Option("--customer-id", help="The person's customer id.")] = None,
    config: ConfigOption = None,
    db: DbOption = None,
    out: OutOption = None,
) -> None:
    """Erase a person: record an erasure suppression, so the next run removes them from every platform and
    audience; write now the removals of advertising IDs sent unhashed; delete their raw values from the workspace
    and its file.

    Example: audience forget --customer-id C00012345
    """
    settings = settings_from(config, db, out, existing=True)
    rules = RuleSet(default_region=settings.default_region, tiktok_phone_plus=settings.tiktok.phone_plus)
    options = {p: settings.platform_options(p) for p in PLATFORMS}
    with reported_errors(), workspace_lock(settings.db):
        with locked_workspace(settings) as con:
            person = find(con, email=email, phone=phone, customer_id=customer_id, rules=rules)
            done = erase(con, person, out=settings.out, now=datetime.now(UTC), email=email, phone=phone,
                         default_region=settings.default_region, options=options)
        typer.echo(f"Erasure {done.erasure_id}: {done.suppressions} erasure suppression(s) recorded in the consent "
                   f"ledger for customer id(s) {', '.join(done.customers) or 'none found'}.")
        if done.removal_dir is not None:
            typer.echo(f"Upload now: {done.removal_files} removal file(s) with {done.removals} removal(s) of "
                       f"advertising IDs sent unhashed (one per platform and audience that holds one), in "
                       f"{done.removal_dir} (their raw IDs are now deleted from the workspace).")
        store.rewrite(settings.db)
    typer.echo(f"Deleted {done.unhashed_deleted} raw value(s), and rewrote {settings.db.name} so that they are gone "
               "from its file too. The next `audience run` removes the person's remaining values from every platform "
               "and audience; `audience audit trace` shows them.")


@app.command()
def purge(
    older_than: Annotated[int, typer.Option("--older-than", min=0, help="Delete export files older than DAYS.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List what would be deleted; delete nothing.")] = False,
    config: ConfigOption = None,
    db: DbOption = None,
    out: OutOption = None,
) -> None:
    """Delete the export directories of runs (and erasures) older than DAYS, recording each deletion (run, path,
    time, files, bytes); lineage and the ledger are kept. Example: audience purge --older-than 30
    """
    settings = settings_from(config, db, out, existing=True)
    with reported_errors(), locked_workspace(settings, recover=not dry_run) as con:
        deleted = delete_old(con, settings.out, older_than, now=datetime.now(UTC), dry_run=dry_run)
    verb = "Would delete" if dry_run else "Deleted"
    for d in deleted:
        gone = "" if d.found else "; already gone: deleted earlier without a purge record"
        typer.echo(f"{verb} {d.path} ({d.files:,} files, {d.bytes:,} bytes{gone})")
    typer.echo(f"{verb} {len(deleted)} export director{'y' if len(deleted) == 1 else 'ies'} older than "
               f"{older_than} day(s).")
