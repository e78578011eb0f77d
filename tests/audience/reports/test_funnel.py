"""The exclusion waterfall a run records equals a plain-Python reading of its inputs: the customers file through the
identifier contract's scalar reference, the ledger through the consent package's reference evaluator."""

import csv
from collections import defaultdict
from datetime import timedelta

import pytest
from staged_runs import History

from audience.identifiers.reference import canonical_email, canonical_phone, platform_value
from audience.identifiers.rules import PLATFORMS
from consent.keys import identifier_hmac
from consent.records import ConsentEvent, CustomerKey, Suppression
from consent.reference import deciding_event, suppressed_customers

KINDS = {"email": "email", "phone": "phone", "device_id": "maid"}
MAX_AGE = timedelta(days=730)


def expected_funnel(history: History) -> dict[tuple[str, str], dict[str, int]]:
    """(platform, identifier or 'any') → counts at each step, for audience `all` of the first run."""
    ws = history.ws
    with ws.connect() as con:
        (as_of,) = con.execute("SELECT as_of FROM run WHERE run_id = ?", [history.runs[0]]).fetchone()
        events = [ConsentEvent(*row) for row in con.execute(
            "SELECT event_id, customer_id, platform, action, effective_at, recorded_at, identifiers "
            "FROM consent_event ORDER BY seq").fetchall()]
        suppressions = [Suppression(*row) for row in con.execute(
            "SELECT kind, effective_at, recorded_at, customer_id, email_hmac, phone_hmac FROM suppression "
            "ORDER BY seq").fetchall()]
        with (ws.inputs / "customers.csv").open(encoding="utf-8", newline="") as handle:
            seen, people = set(), []
            for row in csv.DictReader(handle):
                if row["customer_id"].strip() and row["customer_id"] not in seen:
                    seen.add(row["customer_id"])
                    people.append(row)
        keys = []
        for p in people:
            email, phone = canonical_email(p["email"] or ""), canonical_phone(p["phone"] or "", p["country"])
            keys.append(CustomerKey(p["customer_id"], identifier_hmac(con, email.value) if email.ok else None,
                                    identifier_hmac(con, phone.value) if phone.ok else None))
    by_customer = defaultdict(list)
    for e in events:
        by_customer[e.customer_id].append(e)
    suppressed = suppressed_customers(suppressions, keys, as_of)
    counts: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for platform in PLATFORMS:
        for p in people:
            deciding = deciding_event(by_customer[p["customer_id"]], p["customer_id"], platform, as_of)
            granted = deciding is not None and deciding.action == "grant" and deciding.effective_at >= as_of - MAX_AGE
            flags = {}
            for column, kind in KINDS.items():
                if not p[column].strip():
                    continue
                valid = platform_value(kind, platform, p[column], region=p["country"]).ok
                consented = valid and granted and column in deciding.identifiers
                flags[column] = (valid, consented, consented and p["customer_id"] not in suppressed)
            for identifier, (valid, consented, member) in [*flags.items(), ("any", tuple(
                    any(f[i] for f in flags.values()) for i in range(3)))] if flags else []:
                step = counts[(platform, identifier)]
                step["with_identifier"] += 1
                step["valid"] += valid
                step["consented"] += consented
                step["not_suppressed"] += member
    return counts


@pytest.fixture(scope="module")
def expected(reported: History) -> dict[tuple[str, str], dict[str, int]]:
    return expected_funnel(reported)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_the_first_runs_waterfall_equals_an_independent_reading(reported: History, expected, platform: str) -> None:
    with reported.ws.connect() as con:
        rows = con.execute("SELECT identifier, customers, with_identifier, valid, consented, not_suppressed, exported "
                           "FROM funnel WHERE run_id = ? AND platform = ? AND audience = 'all'",
                           [reported.runs[0], platform]).fetchall()
        (accepted,) = con.execute("SELECT rows_accepted FROM run_input WHERE run_id = ? AND input = 'customers'",
                                  [reported.runs[0]]).fetchone()
    assert len(rows) == 4
    for identifier, customers, with_identifier, valid, consented, not_suppressed, exported in rows:
        want = expected[(platform, identifier)]
        assert customers == accepted
        assert (with_identifier, valid, consented, not_suppressed) == (
            want["with_identifier"], want["valid"], want["consented"], want["not_suppressed"]), identifier
        assert exported == not_suppressed


def test_the_waterfall_narrows_at_every_step_and_ends_at_the_exported_audience(reported: History) -> None:
    with reported.ws.connect() as con:
        rows = con.execute("""
            SELECT f.customers, f.with_identifier, f.valid, f.consented, f.not_suppressed, f.exported, x.customers,
                   x.status
            FROM funnel f JOIN audience_export x USING (run_id, platform, audience)
            WHERE f.identifier = 'any'""").fetchall()
    assert len(rows) == 18
    for customers, with_identifier, valid, consented, not_suppressed, exported, members, status in rows:
        assert customers >= with_identifier >= valid >= consented >= not_suppressed >= exported
        assert not_suppressed == members
        assert exported == (members if status == "exported" else 0)
