"""Evaluation details the conformance suite does not spell out: inputs refused, reasons, late knowledge, status."""

from datetime import UTC, datetime, timedelta

import duckdb
import pytest

from audience.errors import InputError
from consent.evaluate import decisions, evaluate
from consent.late import late_withdrawals
from consent.records import ConsentEvent, CustomerKey, Decision, Suppression
from consent.status import history, parse_instant, status
from consent_ledgers import append_events, append_suppressions, fresh, stage_keys

T = datetime(2026, 3, 1, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    db = fresh()
    append_events(db, [
        ConsentEvent("G1", "C1", "*", "grant", T - 800 * DAY, T - 800 * DAY),
        ConsentEvent("G2", "C2", "google", "grant", T - 10 * DAY, T - 10 * DAY, ("phone",)),
        ConsentEvent("W2", "C2", "meta", "withdraw", T - 5 * DAY, T - 5 * DAY),
        ConsentEvent("G3", "C3", "*", "grant", T - 10 * DAY, T - 10 * DAY),
        ConsentEvent("W4", "C2", "google", "withdraw", T - 2 * DAY, T + 3 * DAY),
    ])
    append_suppressions(db, [
        Suppression("erasure", T - 3 * DAY, T - 3 * DAY, email_hmac="mail-of-c3"),
        Suppression("objection", T - 1 * DAY, T + 1 * DAY, customer_id="C2"),
    ])
    stage_keys(db, [CustomerKey("C3", "mail-of-c3", None), CustomerKey("C2", None, "phone-of-c2")])
    return db


def test_decisions_give_the_reason_on_every_platform(con: duckdb.DuckDBPyConnection) -> None:
    assert decisions(con, "C1", T) == [
        Decision(p, False, "grant expired (G1 is more than 730 days old)", "G1") for p in ("google", "meta", "tiktok")]
    assert decisions(con, "C2", T) == [
        Decision("google", True, "granted by G2 (phone)", "G2", ("phone",)),
        Decision("meta", False, "withdrawn by W2", "W2"),
        Decision("tiktok", False, "no consent event"),
    ]
    assert decisions(con, "C3", T)[0] == Decision(
        "google", False, "suppressed (erasure, effective 2026-02-26T00:00:00+00:00, matched by email)", "G3")
    assert decisions(con, "C3", T, customer_keys=None)[0].eligible


def test_a_longer_lifetime_revives_an_old_grant(con: duckdb.DuckDBPyConnection) -> None:
    assert {r[1] for r in evaluate(con, T, max_consent_age_days=900).fetchall()} == {"C1", "C2"}


def test_refused_inputs(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(InputError, match="no UTC offset"):
        evaluate(con, datetime(2026, 3, 1))
    with pytest.raises(InputError, match="customer_keys=None"):
        evaluate(con, T, customer_keys="no_such_table")
    with pytest.raises(InputError, match="plain table name"):
        evaluate(con, T, customer_keys="customer_key; DROP TABLE consent_event")
    con.execute("CREATE TEMP TABLE partial_keys (customer_id VARCHAR, email_hmac VARCHAR)")
    with pytest.raises(InputError, match="phone_hmac"):
        evaluate(con, T, customer_keys="partial_keys")
    with pytest.raises(InputError, match="at least 1"):
        evaluate(con, T, max_consent_age_days=0)


def test_late_withdrawals_show_what_a_run_at_t_could_not_know(con: duckdb.DuckDBPyConnection) -> None:
    rows = late_withdrawals(con, T).order("seq").fetchall()
    assert [(table, event_id, customer, what, lag) for table, _, event_id, customer, _, what, _, _, lag in rows] == [
        ("consent_event", "W4", "C2", "withdraw", 5 * DAY),
        ("suppression", None, "C2", "objection", 2 * DAY),
    ]
    assert [r[2] for r in late_withdrawals(con, T, until=T + 2 * DAY).fetchall()] == [None]
    rerun = {r[1] for r in evaluate(con, T + 4 * DAY).fetchall()}
    assert "C2" not in rerun, "the next run removes them"


def test_status_lists_the_history_and_falls_back_without_customer_keys(con: duckdb.DuckDBPyConnection) -> None:
    found = status(con, "C3", T)
    assert found.matched_by_identifier
    assert [(h.seq, h.what, h.matched_by) for h in found.history] == [(4, "grant", "customer_id"),
                                                                     (6, "erasure", "email")]
    con.execute("DROP TABLE customer_key")
    fallback = status(con, "C3", T)
    assert not fallback.matched_by_identifier and fallback.decisions[0].eligible
    assert [h.seq for h in history(con, "C3", customer_keys=None)] == [4]


def test_status_needs_a_ledger_and_times_need_an_offset() -> None:
    with pytest.raises(InputError, match="no consent ledger"):
        status(duckdb.connect(), "C1", T)
    with pytest.raises(InputError, match="no UTC offset"):
        parse_instant("2026-03-01T00:00:00")
    with pytest.raises(InputError, match="not an ISO 8601"):
        parse_instant("yesterday")
    with pytest.raises(InputError, match="finer than a microsecond"):
        parse_instant("2026-03-01T00:59:59.9999999+01:00")
    assert parse_instant("2026-03-01T00:00:00.000000000Z") == T
    assert parse_instant("2026-03-01T01:00:00+01:00") == T
