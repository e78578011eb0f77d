"""Who may be exported to which platform as of a moment, by the rules of pipeline.md ("Who may be exported").

1. Only events and suppressions with effective_at <= T and recorded_at <= T count (what was known at T).
2. A counting suppression excludes the customer everywhere (by customer_id, or by keyed email/phone hash).
3. The latest counting event for the platform or `*` decides (ties: later recorded_at, then higher seq); a grant
   makes the customer eligible, a withdrawal or no event does not.
4. A grant older than the consent lifetime at T no longer counts.
5. The deciding grant's identifier types are the ones that may be exported.
"""

import re
from datetime import datetime, timedelta

import duckdb

from audience.errors import InputError
from consent import ledger
from consent.records import PLATFORMS, Decision, Identifier, Platform

DEFAULT_MAX_CONSENT_AGE_DAYS = 730
DEFAULT_CUSTOMER_KEYS = "customer_key"
KEY_COLUMNS = ("customer_id", "email_hmac", "phone_hmac")
COUNTING = "effective_at <= $as_of AND recorded_at <= $as_of"
"""A suppression counts as of T when it was effective and known at T."""
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def evaluate(
    con: duckdb.DuckDBPyConnection,
    as_of: datetime,
    *,
    max_consent_age_days: int = DEFAULT_MAX_CONSENT_AGE_DAYS,
    customer_keys: str | None = DEFAULT_CUSTOMER_KEYS,
    counting: str = COUNTING,
) -> duckdb.DuckDBPyRelation:
    """The customers eligible on each platform as of `as_of`: platform, customer_id, identifiers, event_id.

    Args:
        as_of: the moment T (timezone-aware).
        max_consent_age_days: a grant older than this at T no longer counts.
        customer_keys: a table (customer_id, email_hmac, phone_hmac) that suppressions given by email or phone are
            matched against; None matches suppressions by customer_id only.
        counting: the condition (SQL from code) a row of `suppression` meets to count; `"true"` when the table
            holds only the suppressions that count (a run's share of the ledger).

    Returns:
        A lazy relation (it runs again on every read: insert or materialise it once), one row per eligible customer
        and platform, `identifiers` sorted.
    """
    cutoff = grant_cutoff(as_of, max_consent_age_days)
    params: dict[str, object] = {"as_of": as_of, "grant_cutoff": cutoff}
    statement = ledger.sql("evaluate", deciding=_deciding_sql(params),
                           suppressed=suppressed_sql(con, customer_keys, counting))
    return con.sql(statement, params=params)


def decisions(
    con: duckdb.DuckDBPyConnection,
    customer_id: str,
    as_of: datetime,
    *,
    max_consent_age_days: int = DEFAULT_MAX_CONSENT_AGE_DAYS,
    customer_keys: str | None = DEFAULT_CUSTOMER_KEYS,
) -> list[Decision]:
    """One customer's decision on every platform as of `as_of`, with the reason, by the same rules as `evaluate`."""
    cutoff = grant_cutoff(as_of, max_consent_age_days)
    params: dict[str, object] = {"as_of": as_of, "customer_id": customer_id}
    deciding = con.execute(
        "WITH deciding AS (" + _deciding_sql(params, one_customer=True) + ") "
        "SELECT d.platform, d.version.grant, d.version.effective_at, e.event_id, list_sort(e.identifiers) "
        "FROM deciding d JOIN consent_event e ON e.seq = d.version.seq",
        params,
    ).fetchall()
    suppression = _first_suppression(con, customer_id, as_of, customer_keys)
    latest = {platform: (grant, effective_at, event_id, tuple(identifiers))
              for platform, grant, effective_at, event_id, identifiers in deciding}
    return [_decision(p, latest.get(p), suppression, cutoff, max_consent_age_days)
            for p in PLATFORMS]


def counting_sql(table: ledger.LedgerTable) -> str:
    """SQL for the rows of `table` (consent_event or suppression) that count as of `$as_of`, with only the columns
    `evaluate` reads.

    Tables of these names holding just these rows decide as the whole ledger does; so do tables holding the rows of
    some customers (their events and suppressions by customer_id) and every suppression by email or phone.
    """
    return ledger.sql(f"counting_{table}")


def key_table(con: duckdb.DuckDBPyConnection, name: str) -> str:
    """`name` as a SQL identifier, after checking it names a table or view with the customer key columns.

    Raises:
        InputError: there is no such table, or it lacks a key column.
    """
    if not _NAME.fullmatch(name):
        raise InputError(f"{name!r} is not a plain table name; name the customer keys table with letters, digits "
                         "and underscores.")
    found = {r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = $name", {"name": name}
    ).fetchall()}
    if not found:
        raise InputError(f"There is no table {name!r} of customer keys to match suppressions by email or phone; "
                         "stage the customers first, or pass customer_keys=None to match by customer_id only.")
    missing = [c for c in KEY_COLUMNS if c not in found]
    if missing:
        raise InputError(f"Table {name!r} lacks the customer key column(s) {', '.join(missing)}.")
    return f'"{name}"'


def suppressed_sql(con: duckdb.DuckDBPyConnection, customer_keys: str | None, counting: str = COUNTING) -> str:
    """The query of customers excluded by the suppressions meeting `counting` (SQL from code, over `suppression`).

    Rows: customer_id, seq, kind, effective_at, recorded_at, matched_by (customer_id, email or phone).
    """
    by_identifier = "" if customer_keys is None else ledger.sql("by_identifier", keys=key_table(con, customer_keys))
    return ledger.sql("suppressed", counting=counting, by_identifier=by_identifier)


def grant_cutoff(as_of: datetime, max_consent_age_days: int) -> datetime:
    """The oldest effective_at a grant may have and still count at `as_of`.

    Raises:
        InputError: `as_of` has no offset, or the lifetime is under a day or reaches back before year 1.
    """
    if as_of.tzinfo is None or as_of.utcoffset() is None:
        raise InputError("The as-of time has no UTC offset; give one, e.g. 2026-03-01T10:00:00+01:00.")
    if max_consent_age_days < 1:
        raise InputError("max_consent_age_days must be at least 1.")
    try:
        return as_of - timedelta(days=max_consent_age_days)
    except OverflowError:
        raise InputError(f"max_consent_age_days = {max_consent_age_days:,} reaches back before year 1 from the as-of "
                         f"time {as_of.isoformat()}; give a later as-of time or a shorter max_consent_age_days.") \
            from None


def _deciding_sql(params: dict[str, object], *, one_customer: bool = False) -> str:
    """The deciding-events query; adds a `platform_<i>` parameter per platform of the registry."""
    latest, rows = [], []
    for i, platform in enumerate(PLATFORMS):
        params[f"platform_{i}"] = platform
        latest.append(f"max(version) FILTER (WHERE platform = $platform_{i} OR platform = '*') AS latest_{i}")
        rows.append(f"SELECT $platform_{i} AS platform, customer_id, latest_{i} AS version FROM latest "
                    f"WHERE latest_{i} IS NOT NULL")
    return ledger.sql(
        "deciding",
        customer="AND customer_id = $customer_id" if one_customer else "",
        latest_per_platform=", ".join(latest),
        one_row_per_platform="\nUNION ALL\n".join(rows),
    )


def _first_suppression(con: duckdb.DuckDBPyConnection, customer_id: str, as_of: datetime,
                       customer_keys: str | None) -> tuple[str, datetime, str] | None:
    """The earliest-effective suppression counting for the customer: (kind, effective_at, matched_by)."""
    rows = con.execute(
        f"SELECT kind, effective_at, matched_by FROM ({suppressed_sql(con, customer_keys)}) "
        "WHERE customer_id = $customer_id ORDER BY effective_at, seq LIMIT 1",
        {"as_of": as_of, "customer_id": customer_id},
    ).fetchall()
    return (str(rows[0][0]), rows[0][1], str(rows[0][2])) if rows else None


def _decision(
    platform: Platform,
    latest: tuple[bool, datetime, str, tuple[Identifier, ...]] | None,
    suppression: tuple[str, datetime, str] | None,
    grant_cutoff: datetime,
    max_age_days: int,
) -> Decision:
    event_id = latest[2] if latest else None
    if suppression is not None:
        kind, effective_at, matched_by = suppression
        by = "" if matched_by == "customer_id" else f", matched by {matched_by}"
        return Decision(platform, False, f"suppressed ({kind}, effective {effective_at.isoformat()}{by})", event_id)
    if latest is None:
        return Decision(platform, False, "no consent event")
    grant, effective_at, event_id, identifiers = latest
    if not grant:
        return Decision(platform, False, f"withdrawn by {event_id}", event_id)
    if effective_at < grant_cutoff:
        return Decision(platform, False, f"grant expired ({event_id} is more than {max_age_days} days old)", event_id)
    return Decision(platform, True, f"granted by {event_id} ({', '.join(identifiers)})", event_id, identifiers)
