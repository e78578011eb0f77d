"""The scalar reference of the identifier contract: one raw value in, the canonical or platform string out.

This module is the definition: plain Python over one value, easy to read. The column implementation in
`columns.py` must agree with it on every input.
"""

import re
import unicodedata
from dataclasses import dataclass

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from phonenumbers import NumberParseException

from audience.identifiers import reasons
from audience.identifiers.rules import PLATFORM_RULES, Kind, Platform, RuleSet

MAID_PATTERN = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
ZERO_MAID = "00000000-0000-0000-0000-000000000000"

_PARSE_REASONS = {
    NumberParseException.INVALID_COUNTRY_CODE: reasons.PHONE_COUNTRY_CODE,
    NumberParseException.NOT_A_NUMBER: reasons.PHONE_NOT_A_NUMBER,
    NumberParseException.TOO_SHORT_AFTER_IDD: reasons.PHONE_TOO_SHORT,
    NumberParseException.TOO_SHORT_NSN: reasons.PHONE_TOO_SHORT,
    NumberParseException.TOO_LONG: reasons.PHONE_TOO_LONG,
}


@dataclass(frozen=True, slots=True)
class Outcome:
    """A normalised string, or the reason there is none."""

    value: str | None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.value is not None


def _reject(reason: str) -> Outcome:
    return Outcome(None, reason)


def canonical_email(raw: str) -> Outcome:
    """The canonical email: NFC, stripped, valid per email-validator, its normalised form lowercased."""
    text = unicodedata.normalize("NFC", raw).strip()
    if not text:
        return _reject(reasons.EMPTY)
    try:
        validated = validate_email(text, check_deliverability=False, allow_smtputf8=True)
    except EmailNotValidError as e:
        return _reject(email_reason(text, str(e)))
    return Outcome(validated.normalized.lower())


def email_reason(text: str, message: str) -> str:
    """Why email-validator rejected `text`, as a fixed reason (its message may quote characters of the value)."""
    if "too long" in message:
        return reasons.EMAIL_TOO_LONG
    if "special-use or reserved" in message:
        return reasons.EMAIL_SPECIAL_USE
    if "@" not in text:
        return reasons.EMAIL_NO_AT
    return reasons.EMAIL_SYNTAX


def cut_local_part(canonical: str) -> Outcome:
    """Cut the local part at the first `+` and remove every `.` from it (Google for Gmail, TikTok always)."""
    local, _, domain = canonical.rpartition("@")
    local = local.split("+", 1)[0].replace(".", "")
    if not local:
        return _reject(reasons.EMAIL_EMPTY_AFTER_CUT)
    return Outcome(f"{local}@{domain}")


def platform_email(canonical: str, platform: Platform) -> Outcome:
    """The platform's email string, derived from the canonical form."""
    cut_domains = PLATFORM_RULES[platform].email_cut_domains
    if cut_domains is None or canonical.rpartition("@")[2] in cut_domains:
        return cut_local_part(canonical)
    return Outcome(canonical)


def phone_region(country: str | None, default_region: str) -> str:
    """The region used for national numbers: the record's country when it is a region phonenumbers knows, as
    written (`GB`; phonenumbers does not know `gb` or ` GB`), else `default_region`."""
    return country if is_region(country) else default_region


def is_region(region: str | None) -> bool:
    """Whether phonenumbers knows `region` as written, as a region of national numbers (`PL`, `GB`)."""
    return region in phonenumbers.SUPPORTED_REGIONS


def region_problem(region: str) -> str:
    """Why `region` cannot be a default region for national numbers, and what to give instead."""
    return (f"{region!r} is not a region phonenumbers knows; give an ISO 3166-1 alpha-2 code in capitals, such as PL "
            "or GB")


def canonical_phone(raw: str, country: str | None = None, default_region: str = "PL") -> Outcome:
    """The canonical phone number: E.164 (`+48512345678`) of a number phonenumbers calls valid."""
    text = raw.strip()
    if not text:
        return _reject(reasons.EMPTY)
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, phone_region(country, default_region))
    except NumberParseException as e:
        return _reject(_PARSE_REASONS.get(e.error_type, reasons.PHONE_NOT_A_NUMBER))
    if not phonenumbers.is_valid_number(number):
        return _reject(reasons.PHONE_INVALID)
    return Outcome(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def platform_phone(e164: str, platform: Platform, rules: RuleSet = RuleSet()) -> str:
    """The platform's phone string, derived from E.164."""
    return e164 if rules.platform(platform).phone_plus else e164.removeprefix("+")


def canonical_maid(raw: str) -> Outcome:
    """The canonical mobile advertising ID: stripped, lowercased, hyphenated UUID, not all zeros."""
    text = raw.strip().lower()
    if not text:
        return _reject(reasons.EMPTY)
    if not MAID_PATTERN.fullmatch(text):
        return _reject(reasons.MAID_FORMAT)
    if text == ZERO_MAID:
        return _reject(reasons.MAID_ZERO)
    return Outcome(text)


def platform_value(kind: Kind, platform: Platform, raw: str, region: str | None = None,
                   rules: RuleSet = RuleSet()) -> Outcome:
    """The string a platform matches on (before hashing) for one raw value, or why there is none."""
    if kind == "email":
        canonical = canonical_email(raw)
        return platform_email(canonical.value, platform) if canonical.ok else canonical
    if kind == "phone":
        canonical = canonical_phone(raw, region, rules.default_region)
        return Outcome(platform_phone(canonical.value, platform, rules)) if canonical.ok else canonical
    return canonical_maid(raw)
