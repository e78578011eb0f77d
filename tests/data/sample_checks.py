"""The identifier contract (shared/spec/identifiers.md) restated with the reference libraries, to judge samples."""

import re
import unicodedata

import phonenumbers
from email_validator import EmailNotValidError, validate_email

MAID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def canonical_email(raw: str) -> str | None:
    """The canonical email, or None when the contract rejects the value."""
    try:
        result = validate_email(
            unicodedata.normalize("NFC", raw).strip(), check_deliverability=False, allow_smtputf8=True
        )
    except EmailNotValidError:
        return None
    return result.normalized.lower()


def e164(raw: str, country: str | None) -> str | None:
    """The E.164 phone number, or None when the contract rejects the value."""
    text = raw.strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, country or "PL")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def canonical_maid(raw: str) -> str | None:
    """The canonical mobile advertising ID, or None when the contract rejects the value."""
    text = raw.strip().lower()
    return text if MAID.fullmatch(text) and text != "00000000-0000-0000-0000-000000000000" else None
