"""Checking the ledger: the sequence runs 1, 2, 3, ... and every hash of the chain recomputes.

Any UPDATE or DELETE made on a ledger table behind the writer's back shows here as the first broken seq. What the
chain cannot show by itself (the newest rows deleted and the import_batch rows edited to match, or the whole chain
rewritten) shows by comparing `ledger.head()` with the head a run recorded in its lineage.
"""

import duckdb

from consent import chain, ledger
from consent.records import ChainBreak, Verification


def verify(con: duckdb.DuckDBPyConnection) -> Verification:
    """Recompute the sequence and the hash chain over both ledger tables; the first break, if any."""
    if not ledger.exists(con):
        return Verification(0, 0, chain.GENESIS, None)
    statement = ledger.sql("verify", event_content=ledger.content_sql("consent_event"),
                           suppression_content=ledger.content_sql("suppression"))
    found = con.execute(statement, {"genesis": chain.GENESIS}).fetchall()
    rows = int(con.execute(
        "SELECT (SELECT count(*) FROM consent_event) + (SELECT count(*) FROM suppression)"
    ).fetchall()[0][0])
    head_seq, head_hash = ledger.head(con)
    broken = ChainBreak(int(found[0][0]), str(found[0][1])) if found else None
    return Verification(rows, head_seq, head_hash, broken)
