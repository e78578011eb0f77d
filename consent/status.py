"""One customer's consent story for `audience consent status`: their ledger rows and the decision per platform."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

from audience.errors import InputError
from consent import ledger
from consent.evaluate import DEFAULT_CUSTOMER_KEYS, DEFAULT_MAX_CONSENT_AGE_DAYS, decisions, key_table, suppressed_sql
from consent.records import Decision, HistoryEntry

ANY_TIME = "true"
_FINER_THAN_MICROSECONDS = re.compile(r"(:|T\d{4})\d\d[.,]\d{6}0*[1-9]")


@dataclass(frozen=True, slots=True)
class Status:
    """A customer's ledger rows and decisions as of a moment."""

    customer_id: str
    as_of: datetime
    history: tuple[HistoryEntry, ...]
    decisions: tuple[Decision, ...]
    matched_by_identifier: bool
    """Whether suppressions given by email or phone were matched (a customer keys table exists)."""


def parse_instant(text: str) -> datetime:
    """An ISO 8601 timestamp with a UTC offset.

    Raises:
        InputError: it does not parse, has no offset, or is finer than a microsecond (Python would cut it).
    """
    if _FINER_THAN_MICROSECONDS.search(text):
        raise InputError(f"{text!r} is finer than a microsecond; give at most 6 decimal places.")
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"{text!r} is not an ISO 8601 timestamp; write it like 2026-03-01T10:00:00+01:00.") from None
    if moment.utcoffset() is None:
        raise InputError(f"{text!r} has no UTC offset; add one, e.g. 2026-03-01T10:00:00+01:00 or ...Z.")
    try:
        moment.astimezone(UTC)
    except OverflowError:
        raise InputError(f"{text!r} is out of range in UTC; give a time between years 0001 and 9999.") from None
    return moment


def history(con: duckdb.DuckDBPyConnection, customer_id: str, *,
            customer_keys: str | None = DEFAULT_CUSTOMER_KEYS) -> list[HistoryEntry]:
    """Every ledger row concerning the customer, in ledger order (known at any time, effective at any time)."""
    statement = ledger.sql("history", suppressed=suppressed_sql(con, customer_keys, ANY_TIME))
    rows = con.execute(statement, {"customer_id": customer_id}).fetchall()
    return [HistoryEntry(int(seq), effective, recorded, str(what), platform, event_id, tuple(ids), matched)
            for seq, effective, recorded, what, platform, event_id, ids, matched in rows]


def status(
    con: duckdb.DuckDBPyConnection,
    customer_id: str,
    as_of: datetime,
    *,
    max_consent_age_days: int = DEFAULT_MAX_CONSENT_AGE_DAYS,
    customer_keys: str | None = DEFAULT_CUSTOMER_KEYS,
) -> Status:
    """The customer's history and decisions; suppressions match by email or phone only if `customer_keys` exists."""
    if not ledger.exists(con):
        raise InputError("This workspace has no consent ledger yet; import events with `audience consent import`.")
    keys = customer_keys if customer_keys is not None and _has_keys(con, customer_keys) else None
    found = decisions(con, customer_id, as_of, max_consent_age_days=max_consent_age_days, customer_keys=keys)
    return Status(customer_id, as_of, tuple(history(con, customer_id, customer_keys=keys)), tuple(found),
                  keys is not None)


def _has_keys(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    try:
        key_table(con, name)
    except InputError:
        return False
    return True
