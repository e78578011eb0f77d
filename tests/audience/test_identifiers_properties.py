"""Property tests: the column path equals the scalar reference, and the reference keeps the contract."""

import re
import unicodedata

import phonenumbers
import pyarrow as pa
from email_validator import EmailNotValidError, validate_email
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audience.identifiers import reasons
from audience.identifiers.columns import (
    canonical_email_column,
    canonical_maid_column,
    canonical_phone_column,
    platform_column,
)
from audience.identifiers.fast_sql import WHITESPACE
from audience.identifiers.reference import (
    canonical_email,
    canonical_maid,
    canonical_phone,
    platform_value,
)
from audience.identifiers.rules import PLATFORMS, RuleSet

ALL_REASONS = {v for k, v in vars(reasons).items() if k.isupper()}
DIFFERENTIAL = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PROPERTY = settings(max_examples=300, deadline=None)

padding = st.text(alphabet=" \t\r\n\xa0\u3000\u2028\x1c", max_size=2)
local_chars = st.sampled_from(
    list("abcXYZ09._+-'!#$%&*/=?^`{|}~") + list("ąęłśżźćńóÉÜßİ") + ["\u0301", " ", '"', "@", "<", ">", "\\", "(",
                                                                    "д", "\u200b", "\x00", "＠", "ǅ"]
)
labels = st.sampled_from([
    "wp", "pl", "gmail", "googlemail", "com", "example", "xn--bcher-kva", "bücher", "test", "localhost", "onion",
    "ab--c", "-a", "a-", "a" * 63, "b" * 64, "123", "arpa", "EXAMPLE", "Gmail", "co", "x", "", "d\u0301", "ＷＰ",
    "pl,", "x_y", "wp!", "a@b", "invalid", "INVALID", "c" * 250,
])
domains = st.lists(labels, min_size=0, max_size=4).map(".".join)
composed_emails = st.builds(
    lambda pre, local, at, domain, post: f"{pre}{local}{at}{domain}{post}",
    padding, st.one_of(st.text(local_chars, max_size=12), st.text(local_chars, max_size=8).map(lambda q: f'"{q}"')),
    st.sampled_from(["@", "@", "@", "", "@@", " @"]), domains, padding,
)
idn_labels = st.sampled_from(["żabka-mail", "ŻABKA", "xn--abka-mail-9bc", "XN--BCHER-KVA", "ż" * 20, "ü" * 9, "b" * 50,
                              "bu\u0308cher", "пример", "xn--", "ż-", "ﬁ"])
idn_emails = st.builds(lambda local, labels: f"{local}@{'.'.join(labels)}.pl", st.text("ab.ąÉ", min_size=1, max_size=200),
                       st.lists(idn_labels, min_size=1, max_size=4))
"""Plain parts before the @-sign with internationalised domains, across the length limits of the whole address."""
emails = st.one_of(composed_emails, idn_emails, st.emails(), st.text(max_size=30),
                   st.builds(lambda a, b: a + b, st.text(local_chars, min_size=60, max_size=70), st.just("@wp.pl")),
                   st.builds(lambda d: "jan@" + d, st.text("abc.", min_size=240, max_size=260)))

digits = st.text("0123456789", min_size=1, max_size=18)
separators = st.sampled_from(["", " ", "-", "(", ")", ".", "/", "  ", "\xa0", "x", " ext. ", "#", "*"])
phone_bodies = st.lists(st.tuples(separators, digits), min_size=1, max_size=5).map(
    lambda parts: "".join(a + b for a, b in parts))
phones = st.one_of(
    st.builds(lambda pre, body, post: pre + body + post,
              st.sampled_from(["", "", "+", "00", "011", "+ ", "(+48) ", "+48", "48", "tel:+", "0", "+1", "+44"]),
              phone_bodies, st.sampled_from(["", " ", "\t", ";ext=12", " x 9", "#"])),
    st.text(max_size=20),
)
regions = st.sampled_from(["PL", "DE", "GB", "US", "CZ", "UA", "FR", "IT", "ES", "pl", " PL ", None, "XX", "", "ZZ",
                           "001", "GR", "MX"])
maids = st.one_of(
    st.uuids().map(str).map(lambda s: s.upper()),
    st.uuids().map(str),
    st.builds(lambda pre, u, post: pre + u + post, padding, st.uuids().map(str), padding),
    st.just("00000000-0000-0000-0000-000000000000"),
    st.text("0123456789abcdefABCDEF-", max_size=40),
    st.text(max_size=40),
)


def _pairs(outcomes) -> list[tuple[str | None, str | None]]:
    return [(o.value, o.reason) for o in outcomes]


def _columns(result) -> list[tuple[str | None, str | None]]:
    return list(zip(result.values.to_pylist(), result.reasons.to_pylist()))


@DIFFERENTIAL
@given(st.lists(emails, min_size=1, max_size=60))
def test_email_column_equals_reference(values: list[str]) -> None:
    assert _columns(canonical_email_column(pa.array(values))) == _pairs(map(canonical_email, values))


@DIFFERENTIAL
@given(st.lists(st.tuples(phones, regions), min_size=1, max_size=60), st.sampled_from(["PL", "US", "DE"]))
def test_phone_column_equals_reference(rows: list[tuple[str, str | None]], default_region: str) -> None:
    values, countries = [r for r, _ in rows], [c for _, c in rows]
    column = canonical_phone_column(pa.array(values), pa.array(countries, pa.string()), default_region)
    assert _columns(column) == [(o.value, o.reason) for o in
                                (canonical_phone(v, c, default_region) for v, c in rows)]


@DIFFERENTIAL
@given(st.lists(maids, min_size=1, max_size=60))
def test_maid_column_equals_reference(values: list[str]) -> None:
    assert _columns(canonical_maid_column(pa.array(values))) == _pairs(map(canonical_maid, values))


@DIFFERENTIAL
@given(st.lists(emails, min_size=1, max_size=30), st.sampled_from(PLATFORMS), st.booleans())
def test_platform_email_column_equals_reference(values: list[str], platform: str, plus: bool) -> None:
    rules = RuleSet(tiktok_phone_plus=plus)
    result = platform_column("email", platform, pa.array(values), rules)
    expected = [platform_value("email", platform, v, rules=rules) for v in values]
    assert result.column("normalized").to_pylist() == [o.value for o in expected]
    assert result.column("reason").to_pylist() == [o.reason for o in expected]


def test_nulls_are_absent_not_rejected() -> None:
    result = canonical_email_column(pa.array([None, "jan@wp.pl"], pa.string()))
    assert _columns(result) == [(None, None), ("jan@wp.pl", None)]


@PROPERTY
@given(emails)
def test_email_reference_follows_email_validator(raw: str) -> None:
    text = unicodedata.normalize("NFC", raw).strip()
    outcome = canonical_email(raw)
    try:
        expected = validate_email(text, check_deliverability=False, allow_smtputf8=True).normalized.lower()
    except (EmailNotValidError, ValueError):
        expected = None
    assert outcome.value == (expected if text else None)
    assert outcome.ok or outcome.reason in ALL_REASONS


@PROPERTY
@given(emails)
def test_canonical_email_is_idempotent(raw: str) -> None:
    outcome = canonical_email(raw)
    if outcome.ok:
        assert canonical_email(outcome.value).value == outcome.value
        assert outcome.value == outcome.value.lower() and outcome.value == outcome.value.strip()


@PROPERTY
@given(emails, st.sampled_from(PLATFORMS))
def test_platform_emails_follow_their_rules(raw: str, platform: str) -> None:
    canonical = canonical_email(raw)
    outcome = platform_value("email", platform, raw)
    if not canonical.ok:
        assert outcome == canonical
        return
    local, _, domain = canonical.value.rpartition("@")
    cut = platform == "tiktok" or (platform == "google" and domain in {"gmail.com", "googlemail.com"})
    if not cut:
        assert outcome.value == canonical.value
    elif outcome.ok:
        new_local = outcome.value.rpartition("@")[0]
        assert "." not in new_local and "+" not in new_local and new_local
        assert outcome.value.endswith("@" + domain)
    else:
        assert outcome.reason == reasons.EMAIL_EMPTY_AFTER_CUT


def test_country_counts_only_as_phonenumbers_knows_it() -> None:
    """identifiers.md: the record's country is the region "when it is a region phonenumbers knows", as written;
    `gb` and ` GB` are not (phonenumbers refuses them), so the default region applies."""
    rows = [("020 7183 8750", "GB"), ("020 7183 8750", "gb"), ("020 7183 8750", " GB"), ("512 345 678", "gb"),
            ("512 345 678", "XX")]
    expected = [("+442071838750", None), (None, reasons.PHONE_INVALID), (None, reasons.PHONE_INVALID),
                ("+48512345678", None), ("+48512345678", None)]
    assert [(o.value, o.reason) for o in (canonical_phone(r, c, "PL") for r, c in rows)] == expected
    column = canonical_phone_column(pa.array([r for r, _ in rows]), pa.array([c for _, c in rows]), "PL")
    assert _columns(column) == expected


@PROPERTY
@given(phones, regions)
def test_phone_reference_follows_phonenumbers(raw: str, country: str | None) -> None:
    outcome = canonical_phone(raw, country, "PL")
    text = raw.strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, country if country in phonenumbers.SUPPORTED_REGIONS else "PL")
        valid = phonenumbers.is_valid_number(number)
    except phonenumbers.NumberParseException:
        valid = False
    if valid:
        assert outcome.value == phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        assert re.fullmatch(r"\+[1-9]\d{1,16}", outcome.value)
        assert canonical_phone(outcome.value, None, "PL").value == outcome.value
    else:
        assert not outcome.ok and outcome.reason in ALL_REASONS


@PROPERTY
@given(phones, regions, st.sampled_from(PLATFORMS), st.booleans())
def test_platform_phones_differ_only_by_plus(raw: str, country: str | None, platform: str, plus: bool) -> None:
    rules = RuleSet(tiktok_phone_plus=plus)
    canonical = canonical_phone(raw, country, "PL")
    outcome = platform_value("phone", platform, raw, country, rules)
    if canonical.ok:
        keeps_plus = platform == "google" or (platform == "tiktok" and plus)
        assert outcome.value == (canonical.value if keeps_plus else canonical.value[1:])
    else:
        assert outcome == canonical


@PROPERTY
@given(maids)
def test_maid_reference_is_lowercase_uuid(raw: str) -> None:
    outcome = canonical_maid(raw)
    if outcome.ok:
        assert re.fullmatch(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", outcome.value)
        assert outcome.value == raw.strip().lower() and set(outcome.value) != {"0", "-"}
    else:
        assert outcome.reason in ALL_REASONS


@PROPERTY
@given(st.one_of(emails, phones, maids))
def test_reasons_never_echo_the_value(raw: str) -> None:
    for outcome in (canonical_email(raw), canonical_phone(raw), canonical_maid(raw)):
        assert outcome.ok or outcome.reason in ALL_REASONS


def test_whitespace_set_is_what_str_strip_removes() -> None:
    assert "".join(WHITESPACE).strip() == "" and all(("x" + ch).strip() == "x" for ch in WHITESPACE)
