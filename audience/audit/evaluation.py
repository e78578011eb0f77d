"""Consent as of a run's as-of time, re-read from the ledger by the audit's own SQL (not the run's query), into the
temporary tables `audit_decision` (platform, customer_id, event_id, action, effective_at, identifiers, expired,
granted) and `audit_suppressed` (customer_id, kind)."""

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

import duckdb

from audience.audit.queries import SQL

DEFAULT_MAX_CONSENT_AGE_DAYS = 730
Keys = Literal["staging", "lineage"]


@dataclass(frozen=True, slots=True)
class RunTime:
    """What an evaluation of a run depends on: its as-of time and consent lifetime."""

    run_id: str
    as_of: datetime
    max_consent_age_days: int


def run_time(con: duckdb.DuckDBPyConnection, run_id: str) -> RunTime:
    """A run's as-of time and the consent lifetime its configuration set."""
    (row,) = SQL.rows(con, "run_time.sql", {"run_id": run_id})
    config = json.loads(row["config"]) if row["config"] else {}
    return RunTime(run_id, row["as_of"], int(config.get("max_consent_age_days", DEFAULT_MAX_CONSENT_AGE_DAYS)))


def evaluate(con: duckdb.DuckDBPyConnection, run: RunTime, keys: Keys) -> None:
    """Decide consent and suppression as of the run, matching suppressions by email or phone through the keys
    staged now (`staging`, during the run) or recorded for the run (`lineage`, afterwards)."""
    if keys == "staging":
        SQL.script(con, "staging_keys.sql")
    else:
        SQL.script(con, "ledger.sql", {"run_id": run.run_id})
    cutoff = run.as_of - timedelta(days=run.max_consent_age_days)
    SQL.script(con, "decisions.sql", {"as_of": run.as_of, "grant_cutoff": cutoff})
