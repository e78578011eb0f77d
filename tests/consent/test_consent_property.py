"""On random ledgers, the SQL evaluation gives exactly what a plain-Python reading of the rules gives."""

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consent.evaluate import evaluate
from consent.records import (
    ACTIONS, IDENTIFIERS, PLATFORMS, SUPPRESSION_KINDS, ConsentEvent, CustomerKey, Eligibility, Suppression,
)
from consent.reference import eligible
from consent_ledgers import append_events, append_suppressions, fresh, stage_keys

BASE = datetime(2026, 1, 1, tzinfo=UTC)
CUSTOMERS = ("c0", "c1", "c2", "c3")
HASHES = ("h0", "h1", "h2")

moments = st.integers(0, 8).map(lambda k: BASE + timedelta(hours=12 * k))
lags = st.sampled_from([timedelta(0), timedelta(hours=-12), timedelta(hours=12), timedelta(days=3)])
identifier_sets = st.sets(st.sampled_from(IDENTIFIERS), min_size=1).map(lambda s: tuple(sorted(s)))


@st.composite
def events(draw: st.DrawFn) -> list[ConsentEvent]:
    found = []
    for i in range(draw(st.integers(0, 24))):
        effective = draw(moments)
        found.append(ConsentEvent(
            event_id=f"e{i}", customer_id=draw(st.sampled_from(CUSTOMERS)),
            platform=draw(st.sampled_from((*PLATFORMS, "*"))), action=draw(st.sampled_from(ACTIONS)),
            effective_at=effective, recorded_at=effective + draw(lags), identifiers=draw(identifier_sets),
        ))
    return found


@st.composite
def suppressions(draw: st.DrawFn) -> list[Suppression]:
    found = []
    for _ in range(draw(st.integers(0, 3))):
        effective = draw(moments)
        customer = draw(st.none() | st.sampled_from(CUSTOMERS))
        email = draw(st.none() | st.sampled_from(HASHES))
        phone = draw(st.none() | st.sampled_from(HASHES))
        if customer is None and email is None and phone is None:
            customer = draw(st.sampled_from(CUSTOMERS))
        found.append(Suppression(draw(st.sampled_from(SUPPRESSION_KINDS)), effective, effective + draw(lags),
                                 customer, email, phone))
    return found


keys = st.lists(
    st.builds(CustomerKey, st.sampled_from(CUSTOMERS), st.none() | st.sampled_from(HASHES),
              st.none() | st.sampled_from(HASHES)),
    max_size=4, unique_by=lambda k: k.customer_id,
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events(), suppressions(), keys, moments, st.sampled_from([1, 2, 730]), st.booleans())
def test_sql_evaluation_equals_the_plain_reading(
    ledger_events: list[ConsentEvent], ledger_suppressions: list[Suppression], customer_keys: list[CustomerKey],
    as_of: datetime, max_age: int, with_keys: bool,
) -> None:
    con = fresh()
    append_events(con, ledger_events)
    append_suppressions(con, ledger_suppressions)
    stage_keys(con, customer_keys)
    rows = evaluate(con, as_of, max_consent_age_days=max_age,
                    customer_keys="customer_key" if with_keys else None).fetchall()
    got = {Eligibility(p, c, tuple(ids), e) for p, c, ids, e in rows}
    assert len(got) == len(rows)
    assert got == eligible(ledger_events, ledger_suppressions, as_of, keys=customer_keys if with_keys else None,
                           max_consent_age_days=max_age)
