"""The customers' `phone` column: valid Polish and foreign numbers in every common written form, some broken."""

import functools
import random
from dataclasses import dataclass

import numpy as np
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc
from phonenumbers import PhoneNumberType

from data.columns import assemble, join, pad
from data.draws import Draws
from data.regions import COUNTRIES, HOME

REGIONS: tuple[str, ...] = tuple(dict.fromkeys(c.phone_region for c in COUNTRIES))
"""Every region a sample phone number belongs to; Poland first."""
HOME_REGION = COUNTRIES[HOME].phone_region

ABROAD_WEIGHTS = {"UA": 40.0, "DE": 20.0, "GB": 15.0, "CZ": 8.0, "US": 7.0, "SK": 3.0, "LT": 2.0, "NL": 2.0,
                  "FR": 1.0, "IT": 1.0, "NO": 0.5, "IE": 0.3, "ES": 0.2}
"""Where the foreign numbers of customers living in Poland come from."""

STATUS_WEIGHTS = {"valid": 83.6, "missing": 12.0, "invalid": 4.4}
"""About 5 % of the phone numbers present are invalid."""

OWN_REGION_SHARE = {True: 0.96, False: 0.75}
"""Share of customers living in Poland (True) or abroad (False) whose number is from their own country; the others
have a foreign number (from ABROAD_WEIGHTS), or a Polish one, always written in international form."""
FIXED_LINE_SHARE = {True: 0.15, False: 0.2}
"""Share of landlines among Polish (True) and foreign (False) numbers."""
PADDED_SHARE = 0.02

_TYPES = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE)
_CHECKS = 6
"""Random completions (besides all-zeros and all-nines) that must be valid for a prefix to be used."""


@dataclass(frozen=True, slots=True)
class Form:
    """One way of writing a number: what comes before it, how its digit groups are separated, what follows."""

    lead: str
    separator: str | None
    weight: float
    international: bool
    parens: bool = False
    trail: str = ""


MOBILE_FORMS = (
    Form("", None, 30.0, False),
    Form("", " ", 20.0, False),
    Form("", "-", 8.0, False),
    Form("+{cc} ", " ", 12.0, True),
    Form("+{cc}", None, 12.0, True),
    Form("00{cc} ", " ", 4.0, True),
    Form("{cc}", None, 6.0, False),
    Form(" +{cc}-", "-", 2.0, True, trail=" "),
    Form("+{cc} ", "-", 3.0, True),
    Form("00{cc}", None, 3.0, True),
    Form("(+{cc}) ", " ", 2.0, True),
)
FIXED_FORMS = (
    Form("", " ", 25.0, False, parens=True),
    Form("", " ", 20.0, False),
    Form("", None, 20.0, False),
    Form("+{cc} ", " ", 15.0, True),
    Form("+{cc}", None, 10.0, True),
    Form("+{cc} ", "-", 5.0, True, parens=True),
    Form("00{cc} ", " ", 5.0, True),
)
FOREIGN_FORMS = (
    Form("+{cc} ", " ", 30.0, True),
    Form("+{cc}", None, 25.0, True),
    Form("00{cc} ", " ", 10.0, True),
    Form("{trunk}", None, 15.0, False),
    Form("{trunk}", " ", 15.0, False),
    Form("+{cc}-", "-", 5.0, True),
)

_INVALID = (
    ("+48 ", 3, " ", 3, " ", 2, ""),
    ("+48 ", 9, "", 0, "", 0, "1"),
    ("+48 ", 3, " ", 3, " ", 2, "o"),
    ("+48 0", 9, "", 0, "", 0, ""),
    ("+48 10 ", 3, " ", 2, " ", 2, ""),
    ("+48 (11) ", 3, "-", 2, "-", 2, ""),
)
"""Broken numbers built from real digits: (lead, digits, separator, digits, separator, digits, trail)."""

_INVALID_WORDS = ("000000000", "+48 000 000 000", "brak", "nie podano", "-", "n/a", "123", "0")


@dataclass(frozen=True, slots=True)
class Plan:
    """How to make valid numbers of one type in one region: a known-good prefix followed by free digits."""

    region: str
    calling_code: int
    prefixes: tuple[str, ...]
    free_digits: int
    groups: tuple[int, ...]
    trunk: str
    forms: tuple[Form, ...]


def _valid_completions(region: str, prefix: str, free: int, kind: int, rng: random.Random) -> bool:
    samples = ["0" * free, "9" * free] + [f"{rng.randrange(10 ** free):0{free}d}" for _ in range(_CHECKS)]
    for tail in samples:
        number = phonenumbers.parse(prefix + tail, region)
        if not phonenumbers.is_valid_number(number):
            return False
        if phonenumbers.number_type(number) not in (kind, PhoneNumberType.FIXED_LINE_OR_MOBILE):
            return False
    return True


def _home_plan(kind: int) -> Plan:
    """Polish numbers: every three-digit prefix whose completions are all valid numbers of that type."""
    rng = random.Random(f"{HOME_REGION}-{kind}")
    prefixes = tuple(str(p) for p in range(100, 1000) if _valid_completions(HOME_REGION, str(p), 6, kind, rng))
    mobile = kind == PhoneNumberType.MOBILE
    return Plan(
        region=HOME_REGION,
        calling_code=phonenumbers.country_code_for_region(HOME_REGION),
        prefixes=prefixes,
        free_digits=6,
        groups=(3, 3, 3) if mobile else (2, 3, 2, 2),
        trunk="",
        forms=MOBILE_FORMS if mobile else FIXED_FORMS,
    )


def _foreign_plan(region: str, kind: int) -> Plan:
    """Numbers like the region's example number, with as many trailing digits free as stay valid."""
    example = phonenumbers.example_number_for_type(region, kind)
    national = phonenumbers.national_significant_number(example)
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    trunk = metadata.national_prefix or ""
    rng = random.Random(f"{region}-{kind}")
    free = next(f for f in (6, 5, 4, 3, 2) if _valid_completions(region, national[:-f], f, kind, rng))
    stem = national[: -free - 1]
    prefixes = tuple(p for p in (stem + str(k) for k in range(10)) if _valid_completions(region, p, free, kind, rng))
    return Plan(region, example.country_code, prefixes, free, (3, len(national) - 3), trunk, FOREIGN_FORMS)


@functools.cache
def plans() -> tuple[Plan, ...]:
    """A plan per (region in REGIONS, type in mobile/fixed line), in that order."""
    return tuple(
        _home_plan(kind) if region == HOME_REGION else _foreign_plan(region, kind)
        for region in REGIONS
        for kind in _TYPES
    )


def plan_index(region: str, kind: int) -> int:
    """The position in plans() of the plan for one region and number type."""
    return REGIONS.index(region) * len(_TYPES) + _TYPES.index(kind)


@dataclass(frozen=True, slots=True)
class Phones:
    """One phone per customer: the cell as written, the number's plan and national digits, and usability."""

    raw: pa.StringArray
    plan: np.ndarray
    national: pa.StringArray
    usable: np.ndarray


def _plan_per_row(d: Draws, countries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per customer, the plan of their number and whether it may be written in national form."""
    poland = REGIONS.index(HOME_REGION)
    own_region = np.array([REGIONS.index(c.phone_region) for c in COUNTRIES])[countries]
    abroad = np.array([REGIONS.index(r) for r in ABROAD_WEIGHTS])[d.pick("phone.abroad", list(ABROAD_WEIGHTS.values()))]
    in_poland = own_region == poland
    own = d.uniform("phone.own") < np.where(in_poland, OWN_REGION_SHARE[True], OWN_REGION_SHARE[False])
    region = np.where(own, own_region, np.where(in_poland, abroad, poland))
    fixed = d.uniform("phone.fixed") < np.where(region == poland, FIXED_LINE_SHARE[True], FIXED_LINE_SHARE[False])
    return region * len(_TYPES) + fixed, own


def _digit_groups(national: pa.Array, groups: tuple[int, ...]) -> list[pa.Array]:
    bounds = np.concatenate([[0], np.cumsum(groups)])
    return [pc.utf8_slice_codeunits(national, int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:])]


def _spell(national: pa.Array, plan: Plan, form: Form) -> pa.Array:
    """The numbers written in one form."""
    lead = form.lead.format(cc=plan.calling_code, trunk=plan.trunk)
    if form.separator is None:
        return join(lead, national, form.trail)
    groups = _digit_groups(national, plan.groups)
    if form.parens:
        groups[0] = join("(", groups[0], ")")
    spaced = pc.binary_join_element_wise(*groups, form.separator)
    return join(lead, spaced, form.trail)


def _valid_numbers(d: Draws, plan_at: np.ndarray, national_ok: np.ndarray) -> tuple[list, list]:
    """The national digits and the written form of every row, as (positions, values) pieces."""
    digits, written = [], []
    for at, plan in enumerate(plans()):
        rows = np.flatnonzero(plan_at == at)
        if not len(rows):
            continue
        sub = Draws.of(d.seed, d.index[rows])
        prefix = pa.array(plan.prefixes).take(pa.array(sub.below("phone.prefix", len(plan.prefixes))))
        tail = pc.cast(pa.array(sub.below("phone.tail", 10**plan.free_digits)), pa.string())
        national = join(prefix, pc.utf8_lpad(tail, plan.free_digits, "0"))
        digits.append((rows, national))
        weights = [f.weight for f in plan.forms]
        only_international = [f.weight if f.international else 0.0 for f in plan.forms]
        form_at = sub.pick_within("phone.form", (~national_ok[rows]).astype(np.int64), [weights, only_international])
        form_at %= len(plan.forms)
        for f in np.unique(form_at):
            chosen = form_at == f
            written.append((rows[chosen], _spell(national.filter(pa.array(chosen)), plan, plan.forms[f])))
    return digits, written


def _invalid_numbers(d: Draws) -> pa.Array:
    """Numbers that no region accepts: too short or long, a typo'd digit, a non-existent area code, words."""
    mobile = plans()[plan_index(HOME_REGION, PhoneNumberType.MOBILE)]
    prefix = pa.array(mobile.prefixes).take(pa.array(d.below("phone.bad_prefix", len(mobile.prefixes))))
    tail = pc.utf8_lpad(pc.cast(pa.array(d.below("phone.bad_digits", 10**6)), pa.string()), 6, "0")
    national = join(prefix, tail)
    forms = []
    for lead, a, sep1, b, sep2, c, trail in _INVALID:
        groups = _digit_groups(national, (a, b, c))
        forms.append(join(lead, groups[0], sep1, groups[1], sep2, groups[2], trail))
    forms.append(pa.array(_INVALID_WORDS).take(pa.array(d.below("phone.bad_word", len(_INVALID_WORDS)))))
    weights = [1.0] * len(_INVALID) + [float(len(_INVALID))]
    return pc.choose(pa.array(d.pick("phone.bad_form", weights)), *forms)


def phones(d: Draws, countries: np.ndarray) -> Phones:
    """The phone column for the customers in d, whose `country` indices are countries."""
    status = d.pick("phone.status", list(STATUS_WEIGHTS.values()))
    missing, invalid = status == 1, status == 2
    plan_at, national_ok = _plan_per_row(d, countries)
    digits, written = _valid_numbers(d, plan_at, national_ok)
    national = assemble(len(d), digits)
    raw = assemble(len(d), written)
    padded = d.chance("phone.padded", PADDED_SHARE)
    touched = invalid | missing | padded
    messy = pad(raw.filter(pa.array(touched)), d.subset(touched), "phone", padded[touched])
    messy = pc.replace_with_mask(messy, pa.array(invalid[touched]), _invalid_numbers(d.subset(invalid)))
    messy = pc.if_else(pa.array(missing[touched]), pa.scalar(None, pa.string()), messy)
    raw = pc.replace_with_mask(raw, pa.array(touched), messy)
    return Phones(raw=raw, plan=plan_at, national=national, usable=~(invalid | missing))


def international(plan_at: np.ndarray, national: pa.Array, d: Draws) -> pa.Array:
    """The numbers written for a reader without a default region: "+48 512345678", "0048512345678", …"""
    codes = pa.array([str(plan.calling_code) for plan in plans()]).take(pa.array(plan_at))
    style = d.pick("phone.international", (40.0, 30.0, 15.0, 15.0))
    forms = [
        join("+", codes, national),
        join("+", codes, " ", national),
        join("00", codes, national),
        join("00", codes, "-", national),
    ]
    return pc.choose(pa.array(style), *forms)
