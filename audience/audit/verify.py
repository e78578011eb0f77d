"""Running every named check over a workspace."""

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import duckdb

from audience.audit import checks, queries
from audience.audit.model import Verification
from audience.errors import InputError
from audience.reports import queries as report_queries
from consent import ledger


def verify(con: duckdb.DuckDBPyConnection, out: Path, *, run_id: str | None = None, now: datetime,
           names: Sequence[str] | None = None) -> Verification:
    """Run every check in `checks.CHECKS` (or those `names` lists) over every successful run (or `run_id`) and the
    output directory.

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
    return Verification(now.isoformat(timespec="seconds"), tuple(d.id for d in workspace.runs), seq, head, results)
