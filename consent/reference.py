"""A plain-Python reading of pipeline.md ("Who may be exported"), one record at a time, to check the SQL against.

Events and suppressions are given in ledger order (their position is the tie-breaker "later in the input").
"""

from collections.abc import Sequence
from datetime import datetime, timedelta

from consent.records import (
    ALL_PLATFORMS, PLATFORMS, ConsentEvent, CustomerKey, Eligibility, Platform, Suppression,
)


def suppressed_customers(suppressions: Sequence[Suppression], keys: Sequence[CustomerKey] | None,
                         as_of: datetime) -> set[str]:
    """The customers some suppression known and effective at `as_of` excludes."""
    found: set[str] = set()
    for s in suppressions:
        if s.effective_at > as_of or s.recorded_at > as_of:
            continue
        if s.customer_id is not None:
            found.add(s.customer_id)
        for key in keys or ():
            if (s.email_hmac is not None and key.email_hmac == s.email_hmac) or (
                s.phone_hmac is not None and key.phone_hmac == s.phone_hmac
            ):
                found.add(key.customer_id)
    return found


def deciding_event(events: Sequence[ConsentEvent], customer_id: str, platform: Platform,
                   as_of: datetime) -> ConsentEvent | None:
    """The customer's latest event known and effective at `as_of` for `platform` or `*`."""
    best: tuple[datetime, datetime, int] | None = None
    chosen = None
    for position, e in enumerate(events):
        if e.customer_id != customer_id or e.platform not in (platform, ALL_PLATFORMS):
            continue
        if e.effective_at > as_of or e.recorded_at > as_of:
            continue
        order = (e.effective_at, e.recorded_at, position)
        if best is None or order > best:
            best, chosen = order, e
    return chosen


def eligible(
    events: Sequence[ConsentEvent],
    suppressions: Sequence[Suppression],
    as_of: datetime,
    *,
    keys: Sequence[CustomerKey] | None = None,
    max_consent_age_days: int = 730,
) -> set[Eligibility]:
    """Every (platform, customer) that may be exported as of `as_of`, with the deciding grant's identifiers."""
    suppressed = suppressed_customers(suppressions, keys, as_of)
    oldest = as_of - timedelta(days=max_consent_age_days)
    result = set()
    for customer_id in {e.customer_id for e in events} - suppressed:
        for platform in PLATFORMS:
            e = deciding_event(events, customer_id, platform, as_of)
            if e is not None and e.action == "grant" and e.effective_at >= oldest:
                result.add(Eligibility(platform, customer_id, tuple(sorted(e.identifiers)), e.event_id))
    return result
