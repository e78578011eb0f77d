"""The exclusion waterfall of a run, counted from its staging tables (the only time the per-customer facts exist)
and kept in the `funnel` table for reports."""

import duckdb

from audience.reports import queries
from audience.store import BIT_PLATFORMS


def record(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    """Count run `run_id`'s waterfall per target and identifier kind; needs the run's staging tables and the
    audit's consent decisions (`audit_decision`) as of the run."""
    queries.ensure_schema(con)
    queries.script(con, "funnel.sql", {"run_id": run_id, "platforms": BIT_PLATFORMS})
