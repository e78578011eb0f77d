"""Which columns outside the contract a consent file keeps as `extra`: none that holds identifiers.

The ledger is append-only and hash-chained, so what it keeps it keeps for good, and `audience forget` cannot take
it out; raw identifiers may live only in a run's staging tables. A column outside the contract is therefore
withheld (never read into any table, and listed with the reason in the import report) when its name says it holds
identifiers, or when its name or any of its values in the file contains something that looks like an email address,
a phone number (nine digits or more, with the usual separators) or an advertising ID. A reference number of nine
digits or more is withheld too: the ledger errs on the side of keeping no identifier.
"""

import re
from collections.abc import Sequence
from dataclasses import replace

import duckdb

from audience.errors import is_column_name
from audience.identifiers.fast_sql import MAID
from consent.records import WithheldColumn
from consent.sources import Source, columns_matching

IDENTIFIER_COLUMN_NAMES = ("email", "e-mail", "mail", "emailaddress", "phone", "phonenumber", "mobile", "msisdn",
                           "tel", "telephone", "deviceid", "device_id", "maid", "idfa", "gaid", "aaid", "adid",
                           "advertisingid", "mobilephone", "cell", "cellphone", "telefon", "nrtel", "komorka",
                           "whatsapp", "advid")
"""Names of columns that hold identifiers, compared after `normalised_name`: `E-mail`, `Phone Number`, `device id`
and `Mobile` all match."""
EMAIL_PATTERN = r"[^\s@]+@[^\s@]+\.[^\s@]+"
"""Text that looks like an email address (text@domain.tld) anywhere in a value; RE2 and Python `re` alike."""
PHONE_PATTERN = r"[0-9](?:[ ().-]*[0-9]){8,}"
"""Nine digits or more, with spaces, dots, dashes or brackets between them (a phone number, with or without its
country code; a date has fewer)."""
DEVICE_ID_PATTERN = f"(?i:{MAID})"
"""An advertising ID (IDFA or GAID) as the identifier core recognises one, in either case."""
IDENTIFIER_PATTERN = f"{EMAIL_PATTERN}|{PHONE_PATTERN}|{DEVICE_ID_PATTERN}"
"""Text that looks like an identifier anywhere in a value or name."""
NAMED = "its name says it holds identifiers (emails, phone numbers or device IDs)"
NAMED_LIKE_IDENTIFIER = "its name looks like an email address, a phone number or a device ID"
HOLDS_IDENTIFIERS = "some of its values look like email addresses, phone numbers or device IDs"
_SEPARATORS = re.compile(r"[\s._-]+")
_IDENTIFIER_NAMES = frozenset(_SEPARATORS.sub("", name) for name in IDENTIFIER_COLUMN_NAMES)
_IDENTIFIER = re.compile(IDENTIFIER_PATTERN)


def normalised_name(name: str) -> str:
    """A column name without case, spaces, `.`, `-` and `_`: `E-Mail ` and `e_mail` are both `email`."""
    return _SEPARATORS.sub("", name.lower())


def named_identifier(name: str) -> bool:
    """Whether a column's name says it holds identifiers (one of IDENTIFIER_COLUMN_NAMES, normalised)."""
    return normalised_name(name) in _IDENTIFIER_NAMES


def screen(con: duckdb.DuckDBPyConnection, source: Source,
           wanted: Sequence[str]) -> tuple[Source, tuple[WithheldColumn, ...]]:
    """The source with its identifier-holding columns outside `wanted` withheld, and those columns with why.

    Names are checked first; the values of the other columns outside `wanted`, if there are any, in one pass over
    the file that keeps nothing.
    """
    outside = source.outside(wanted)
    reasons: dict[int, str] = {}
    for name, position in outside.items():
        if named_identifier(name):
            reasons[position] = NAMED
        elif _IDENTIFIER.search(name):
            reasons[position] = NAMED_LIKE_IDENTIFIER
    unnamed = [position for position in outside.values() if position not in reasons]
    for position, holds in zip(unnamed, columns_matching(con, source, unnamed, IDENTIFIER_PATTERN), strict=True):
        if holds:
            reasons[position] = HOLDS_IDENTIFIERS
    if not reasons:
        return source, ()
    withheld = tuple(WithheldColumn(_shown(source.columns[p]), reasons[p]) for p in sorted(reasons))
    return replace(source, withheld=tuple(sorted(reasons))), withheld


def _shown(name: str) -> str:
    return name.strip() if is_column_name(name) and not _IDENTIFIER.search(name) else "?"
