"""messy_values: deterministic adversarial identifiers covering the edge-case catalogue."""

import pytest

from data.edge_cases import CATALOGUES
from data.vocabulary import MAIL_DOMAINS
from data.generator import messy_values
from sample_checks import canonical_email, canonical_maid, e164

KINDS = ("email", "phone", "maid")


@pytest.mark.parametrize("kind", KINDS)
def test_same_arguments_give_the_same_values(kind: str) -> None:
    assert messy_values(kind, 500, seed=3) == messy_values(kind, 500, seed=3)
    assert messy_values(kind, 500, seed=3) != messy_values(kind, 500, seed=4)


@pytest.mark.parametrize("kind", KINDS)
def test_large_samples_hold_every_edge_case(kind: str) -> None:
    values = messy_values(kind, 2_000)
    assert len(values) == 2_000 and all(isinstance(v, str) for v in values)
    assert set(CATALOGUES[kind]) <= set(values)


@pytest.mark.parametrize(
    ("kind", "canonical"),
    [("email", canonical_email), ("phone", lambda v: e164(v, None)), ("maid", canonical_maid)],
    ids=KINDS,
)
def test_values_mix_accepted_and_rejected_ones(kind: str, canonical: object) -> None:
    values = messy_values(kind, 1_000, seed=9)
    accepted = sum(canonical(v) is not None for v in values) / len(values)
    assert 0.3 <= accepted <= 0.9
    assert len(set(values)) > 0.5 * len(values)


def test_catalogues_reach_the_length_limits() -> None:
    local_parts = {len(v.partition("@")[0]) for v in CATALOGUES["email"]}
    assert {64, 65} <= local_parts
    domains = {len(v.partition("@")[2]) for v in CATALOGUES["email"]}
    assert {253, 254} <= domains
    assert {254, 255} <= {len(v) for v in CATALOGUES["email"]}


def test_punycode_domains_decode_to_their_unicode_twins() -> None:
    domains = {d for group in MAIL_DOMAINS.values() for d, _ in group}
    for domain in (d for d in domains if d.startswith("xn--")):
        assert domain.encode().decode("idna") in domains
