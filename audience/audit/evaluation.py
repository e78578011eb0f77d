"""Consent as of a run's as-of time, re-read from the ledger by the audit's own SQL (not the run's query), into the
temporary tables `audit_decision` (platform, customer_id, event_id, action, effective_at, identifiers, expired,
granted) and `audit_suppressed` (customer_id, kind). A run is re-evaluated on what the ledger held when it ran
(rows up to the head it recorded)."""

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import duckdb

from audience.audit.queries import SQL
from audience.platforms import PLATFORMS

DEFAULT_MAX_CONSENT_AGE_DAYS = 730
WHOLE_LEDGER = 2**62
"""The head used for a run that recorded none: every ledger row."""


@dataclass(frozen=True, slots=True)
class RunTime:
    """What an evaluation of a run depends on: its as-of time, the ledger head it saw and the consent lifetime."""

    run_id: str
    as_of: datetime
    head_seq: int
    max_consent_age_days: int

    def params(self) -> dict[str, Any]:
        """The named parameters of the evaluation's SQL files."""
        return {"as_of": self.as_of, "head_seq": self.head_seq, "platforms": sorted(PLATFORMS),
                "grant_cutoff": self.as_of - timedelta(days=self.max_consent_age_days)}


def run_time(con: duckdb.DuckDBPyConnection, run_id: str) -> RunTime:
    """A run's as-of time, ledger head and the consent lifetime its configuration set."""
    (row,) = SQL.rows(con, "run_time.sql", {"run_id": run_id})
    config = json.loads(row["config"]) if row["config"] else {}
    head = WHOLE_LEDGER if row["ledger_head_seq"] is None else row["ledger_head_seq"]
    return RunTime(run_id, row["as_of"], head,
                   int(config.get("max_consent_age_days", DEFAULT_MAX_CONSENT_AGE_DAYS)))


def evaluate(con: duckdb.DuckDBPyConnection, run: RunTime) -> None:
    """Decide consent and suppression as of a finished run, for every customer, matching suppressions by email or
    phone through the keys the run recorded."""
    SQL.script(con, "ledger.sql", {"run_id": run.run_id})
    SQL.script(con, "suppressed.sql", run.params())
    SQL.script(con, "decisions.sql", run.params())


def evaluate_suppressed(con: duckdb.DuckDBPyConnection, run: RunTime) -> None:
    """During a run: who is suppressed (through the staged customer keys), and the consent decisions of those
    customers only (what the waterfall needs besides the run's own evaluation)."""
    SQL.script(con, "staging_keys.sql")
    SQL.script(con, "suppressed.sql", run.params())
    SQL.script(con, "staging_events.sql")
    SQL.script(con, "decisions.sql", run.params())
