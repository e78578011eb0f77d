"""Late knowledge: withdrawals and suppressions that were effective before a run's as-of time but recorded after it.

A run as of T evaluates only what was recorded by T, so that a rerun at T gives the same answer. What arrives
later with an earlier effective_at is listed here, with its lag (recorded_at - effective_at), so that the next run
removes the people concerned and the audit can show how late each one was known.
"""

from datetime import datetime

import duckdb

from audience.errors import InputError
from consent import ledger
from consent.evaluate import DEFAULT_CUSTOMER_KEYS, suppressed_sql

LATE = "effective_at <= $since AND recorded_at > $since"


def late_withdrawals(
    con: duckdb.DuckDBPyConnection,
    since_as_of: datetime,
    *,
    until: datetime | None = None,
    customer_keys: str | None = DEFAULT_CUSTOMER_KEYS,
) -> duckdb.DuckDBPyRelation:
    """Withdrawals and suppressions effective by `since_as_of` but recorded after it (and by `until`, if given).

    Rows: ledger_table, seq, event_id (null for suppressions), customer_id (each customer a suppression matches
    through `customer_keys`, null if none), platform ('*' for suppressions), what (withdraw or the suppression
    kind), effective_at, recorded_at, lag.
    """
    for moment in (since_as_of, until):
        if moment is not None and moment.utcoffset() is None:
            raise InputError("Times for late withdrawals need a UTC offset, e.g. 2026-03-01T10:00:00+01:00.")
    params: dict[str, object] = {"since": since_as_of}
    until_sql = ""
    if until is not None:
        params["until"] = until
        until_sql = "AND recorded_at <= $until"
    counting = f"{LATE} {until_sql}"
    statement = ledger.sql("late", suppressed=suppressed_sql(con, customer_keys, counting), until=until_sql)
    return con.sql(statement, params=params)
