"""The generator's own idea of which identifiers are usable agrees with the identifier contract's validators."""

import numpy as np
import pytest

from data.devices import devices
from data.draws import Draws
from data.emails import emails
from data.phones import phones, plans
from data.regions import COUNTRIES, customer_countries
from sample_checks import canonical_email, canonical_maid, e164

ROWS = Draws.rows(seed=21, start=0, stop=4_000)


def test_emails_marked_usable_are_exactly_the_valid_ones() -> None:
    column = emails(ROWS)
    verdicts = [v is not None and canonical_email(v) is not None for v in column.raw.to_pylist()]
    assert verdicts == column.usable.tolist()


def test_phones_marked_usable_are_exactly_the_valid_ones() -> None:
    countries = customer_countries(ROWS)
    column = phones(ROWS, countries)
    verdicts = [
        raw is not None and e164(raw, COUNTRIES[c].code or None) is not None
        for raw, c in zip(column.raw.to_pylist(), countries)
    ]
    assert verdicts == column.usable.tolist()


@pytest.mark.parametrize("plan", plans(), ids=lambda p: f"{p.region}-{p.calling_code}-{p.groups}")
def test_every_number_plan_makes_valid_numbers(plan) -> None:
    rng = np.random.default_rng(len(plan.prefixes))
    for prefix in plan.prefixes:
        for tail in rng.integers(0, 10**plan.free_digits, 5):
            assert e164(f"+{plan.calling_code}{prefix}{tail:0{plan.free_digits}d}", None), prefix


def test_devices_marked_usable_are_exactly_the_valid_ones() -> None:
    column = devices(ROWS)
    verdicts = [v is not None and canonical_maid(v) is not None for v in column.device_id.to_pylist()]
    assert verdicts == column.usable.tolist()
