"""Running every named check over a workspace."""

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from audience.audit import checks, queries
from audience.audit.model import LateAct, Verification
from audience.errors import InputError
from audience.reports import queries as report_queries
from consent import ledger


def verify(con: duckdb.DuckDBPyConnection, out: Path, *, run_id: str | None = None, now: datetime,
           names: Sequence[str] | None = None) -> Verification:
    """Run every check in `checks.CHECKS` (or those `names` lists) over every successful run (or `run_id`) and the
    output directory, and list the runs' late acts (what each could not count, and which run removed it).

    Raises:
        InputError: `run_id` is not a successful run of the workspace, or a name is not a check's.
    """
    queries.ensure_schema(con)
    report_queries.ensure_schema(con)
    ledger.ensure_schema(con)
    workspace = checks.Workspace(con, out, run_id)
    unknown = sorted(set(names or ()) - set(checks.CHECKS))
    if unknown:
        raise InputError(f"No check named {', '.join(unknown)}; the checks are {', '.join(checks.CHECKS)}.")
    results = tuple(check(workspace) for name, check in checks.CHECKS.items() if names is None or name in names)
    seq, head = ledger.head(con)
    runs = tuple(d.id for d in workspace.runs)
    return Verification(now.isoformat(timespec="seconds"), runs, seq, head, results, late_acts(con, runs))


def late_acts(con: duckdb.DuckDBPyConnection, runs: Sequence[str]) -> tuple[LateAct, ...]:
    """The withdrawals and suppressions effective by each run's as-of time that reached the ledger after it, for
    the customers it exported (`sql/audit/late_acts.sql`)."""
    return tuple(
        LateAct(r["run_id"], r["customer_id"], r["platform"], r["seq"], r["act"], _time(r["effective_at"]),
                _time(r["recorded_at"]), _time(r["imported_at"]), str(r["lag"]), r["back_dated"], r["seen_by"],
                r["still_held"])
        for r in queries.rows(con, "late_acts.sql", {"runs": list(runs)})
    )


def _time(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds")
