"""`audience audit`: named checks with pass/fail and counts, and one person's trace through every run."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from audience import store
from audience.audit.model import LateAct, Verification
from audience.audit.person import find
from audience.audit.trace import Trace, trace
from audience.audit.verify import verify
from audience.export import write_atomic
from audience.identifiers.rules import RuleSet
from audience.reports.render import render
from pipelines.commands.options import ConfigOption, DbOption, OutOption, reported_errors, settings_from

SHOWN_LATE = 20
"""Late acts `audit verify` prints; the HTML report lists them all."""
app = typer.Typer(help="Proof for auditors: named checks over lineage, ledger and files; one person's trace.",
                  no_args_is_help=True)


@app.command("verify")
def verify_command(
    config: ConfigOption = None,
    db: DbOption = None,
    out: OutOption = None,
    run: Annotated[str | None, typer.Option("--run", help="Check one run (default: every successful run).")] = None,
    html: Annotated[Path | None, typer.Option("--html", help="Also write the auditor's report here.")] = None,
) -> None:
    """Run every audit check and print a table of pass/fail with counts; exit 1 if any check fails.

    Example: audience audit verify --config audience.toml --html audit.html
    """
    settings = settings_from(config, db, out, existing=True)
    with reported_errors(), store.opened(settings.db) as con:
        result = verify(con, settings.out, run_id=run, now=datetime.now(UTC))
    _print(result)
    if html is not None:
        write_atomic(html, [_html(result, settings.db.resolve().parent.name).encode("utf-8")])
        typer.echo(f"Wrote {html}.")
    if not result.passed:
        raise typer.Exit(code=1)


@app.command("trace")
def trace_command(
    email: Annotated[str | None, typer.Option("--email", help="The person's email address.")] = None,
    phone: Annotated[str | None, typer.Option("--phone", help="The person's phone number.")] = None,
    customer_id: Annotated[str | None, typer.Option("--customer-id", help="The person's customer id.")] = None,
    config: ConfigOption = None,
    db: DbOption = None,
    out: OutOption = None,
) -> None:
    """Every run, platform, audience and file that carried a person's values, the consent event of each, and the
    removals sent. An email or phone is normalised and hashed first; only hash prefixes are printed.

    Example: audience audit trace --email jan.kowalski@example.pl
    """
    settings = settings_from(config, db, out, existing=True)
    rules = RuleSet(default_region=settings.default_region, tiktok_phone_plus=settings.tiktok.phone_plus)
    with reported_errors(), store.opened(settings.db) as con:
        result = trace(con, find(con, email=email, phone=phone, customer_id=customer_id, rules=rules), settings.out)
    _print_trace(result)


def _print(result: Verification) -> None:
    typer.echo(f"{'check':24} {'result':6} {'checked':>10} {'failed':>8}")
    for r in result.results:
        typer.echo(f"{r.name:24} {'pass' if r.passed else 'FAIL':6} {r.checked:>10,} {r.failed:>8,}")
        for example in r.examples if not r.passed else ():
            typer.echo(f"    {example}")
        if r.note:
            typer.echo(f"    note: {r.note}")
    typer.echo(f"Late acts (effective by the as-of time of a run that exported the customer, in the ledger only "
               f"after it): {len(result.late)}")
    for act in result.late[:SHOWN_LATE]:
        typer.echo(f"    {_late_line(act)}")
    if len(result.late) > SHOWN_LATE:
        typer.echo(f"    … and {len(result.late) - SHOWN_LATE:,} more (all of them are in --html)")
    typer.echo(f"Consent ledger head: seq {result.ledger_head_seq}, {result.ledger_head_hash}")
    failed = len(result.failed)
    typer.echo(f"{len(result.runs)} run(s) checked: " + ("all checks passed." if not failed else
                                                       f"{failed} check(s) FAILED."))


def _late_line(act: LateAct) -> str:
    dated = "; BACK-DATED: recorded by the as-of time, yet imported after the run" if act.back_dated else ""
    return (f"{act.run_id} {act.platform} customer {act.customer_id}: seq {act.seq} {act.act}, effective "
            f"{act.effective_at}, recorded {act.recorded_at} (lag {act.lag}), imported {act.imported_at}{dated}; "
            f"{act.outcome}")


def _html(result: Verification, workspace: str) -> str:
    counts = {r.name: (f"{r.checked:,}", f"{r.failed:,}") for r in result.results}
    verdict = "every check passed" if result.passed else f"{len(result.failed)} check(s) failed"
    return render("audit.html.j2", verification=result, workspace=workspace, counts=counts, verdict=verdict,
                  late=[_late_line(a) for a in result.late],
                  head_seq=f"{result.ledger_head_seq:,}", head_hash=result.ledger_head_hash,
                  runs=", ".join(result.runs) or "none")


def _print_trace(result: Trace) -> None:
    if not result.carried:
        typer.echo(f"No run carried a value of this {result.given.replace('_', ' ')}.")
    if result.customers:
        typer.echo(f"Customer id(s): {', '.join(result.customers)}")
    for r in result.runs:
        typer.echo(f"Run {r.run_id}: as of {r.as_of}, rules {r.rules_version}, code {r.code_version}; read "
                   + ("; ".join(r.inputs) or "no input recorded"))
    for c in result.carried:
        where = ", ".join(c.files) if c.files else ("no file: audience held back" if c.op == "kept" else "no file")
        typer.echo(f"{c.run_id} {c.platform}/{c.audience} {c.op:6} {c.id_type:13} {c.hash_prefix} "
                   f"customer {c.customer_id} consent {c.event_id} ({c.consent}) files: {where}")
    removals = result.removals
    typer.echo(f"Removals sent by runs: {len(removals)}"
               + "".join(f"\n  {c.run_id} {c.platform}/{c.audience} {c.id_type} {c.hash_prefix}" for c in removals))
    typer.echo(f"Removals written by erasures: {len(result.erasures)}"
               + "".join(f"\n  {e.erasure_id} {e.platform}/{e.audience} {e.id_type} {e.hash_prefix}"
                         for e in result.erasures))
    typer.echo(f"Suppressions naming them: {len(result.suppressions)}"
               + "".join(f"\n  seq {s.seq} {s.kind} effective {s.effective_at} recorded {s.recorded_at} "
                         f"(by {s.matched_by})" for s in result.suppressions))
