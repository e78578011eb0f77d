"""The consent conformance suite: each folder of tests/cases/consent/ is a scenario kept as data files.

A folder holds events.csv, optionally suppressions.csv and customers.csv (customer_id, email, phone, country), and
expected.json: the as-of time, the eligible set per platform (identifiers and deciding event), and optionally the
imports in order with their counts, the late withdrawals since the as-of time, and a later as-of time's set.
"""

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from audience.identifiers.reference import canonical_email, canonical_phone
from consent.evaluate import decisions, evaluate
from consent.importer import import_file
from consent.integrity import verify
from consent.keys import customer_key_hmacs
from consent.late import late_withdrawals
from consent.records import PLATFORMS
from consent_ledgers import fresh

CASES = Path(__file__).parents[1] / "cases" / "consent"
SCENARIOS = sorted(p.name for p in CASES.iterdir() if (p / "expected.json").exists())
DEFAULT_IMPORTED_AT = "2026-01-01T00:00:00Z"


def test_the_suite_covers_the_issue_scenarios() -> None:
    assert len(SCENARIOS) >= 12


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_scenario(scenario: str) -> None:
    folder = CASES / scenario
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    con = fresh()
    reports = [import_file(con, folder / step["file"], now=_instant(step.get("imported_at", DEFAULT_IMPORTED_AT)))
               for step in _imports(folder, expected)]
    for report, want in zip(reports, expected.get("import_counts", []), strict=False):
        assert (report.accepted, report.duplicates, report.rejected) == \
            (want["accepted"], want["duplicates"], want["rejected"])
        if "rejections" in want:
            assert [[r.row, r.column, r.row_kept] for r in report.rejections] == want["rejections"]
    keys = _stage_customer_keys(con, folder / "customers.csv")
    age = expected.get("max_consent_age_days", 730)
    for moment in (expected, expected.get("later")):
        if moment is not None:
            as_of = _instant(moment["as_of"])
            assert _eligible(con, as_of, age, keys) == moment["eligible"]
            _decisions_agree(con, as_of, age, keys, moment["eligible"])
    if "late" in expected:
        assert _late(con, _instant(expected["as_of"]), keys) == expected["late"]
    assert verify(con).intact


def _imports(folder: Path, expected: dict[str, Any]) -> list[dict[str, str]]:
    if "imports" in expected:
        return expected["imports"]
    return [{"file": name} for name in ("events.csv", "suppressions.csv") if (folder / name).exists()]


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _stage_customer_keys(con: duckdb.DuckDBPyConnection, customers: Path) -> str | None:
    """The pipeline's customer_key table for the scenario's customers.csv (canonical values, then keyed hashes)."""
    if not customers.exists():
        return None
    rows = con.sql("SELECT * FROM read_csv($p, all_varchar = true)", params={"p": str(customers)}).fetchall()
    keys = pa.table({
        "customer_id": [r[0] for r in rows],
        "email": [canonical_email(r[1]).value if r[1] else None for r in rows],
        "phone": [canonical_phone(r[2], r[3]).value if r[2] else None for r in rows],
    })
    customer_key_hmacs(con, keys).to_table("customer_key")
    return "customer_key"


def _eligible(con: duckdb.DuckDBPyConnection, as_of: datetime, age: int, keys: str | None) -> dict[str, Any]:
    found: dict[str, Any] = {p: {} for p in PLATFORMS}
    for platform, customer, identifiers, event_id in evaluate(
        con, as_of, max_consent_age_days=age, customer_keys=keys
    ).fetchall():
        assert customer not in found[platform], "one row per customer and platform"
        found[platform][customer] = {"identifiers": identifiers, "event_id": event_id}
    return found


def _decisions_agree(con: duckdb.DuckDBPyConnection, as_of: datetime, age: int, keys: str | None,
                     eligible: dict[str, Any]) -> None:
    """`decisions` (behind `consent status`) says eligible exactly where `evaluate` does, with the same grant."""
    customers = [r[0] for r in con.execute("SELECT DISTINCT customer_id FROM consent_event").fetchall()]
    for customer in customers:
        for decision in decisions(con, customer, as_of, max_consent_age_days=age, customer_keys=keys):
            want = eligible[decision.platform].get(customer)
            assert decision.eligible == (want is not None), (customer, decision)
            if want is not None:
                assert decision.event_id == want["event_id"]
                assert list(decision.identifiers) == want["identifiers"]


def _late(con: duckdb.DuckDBPyConnection, since: datetime, keys: str | None) -> list[dict[str, Any]]:
    rows = late_withdrawals(con, since, customer_keys=keys).order("seq, customer_id").fetchall()
    return [{"ledger_table": table, "event_id": event_id, "customer_id": customer, "what": what,
             "lag_hours": lag.total_seconds() / 3600}
            for table, _, event_id, customer, _, what, _, _, lag in rows]
