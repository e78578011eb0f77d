"""The consent ledger's own integrity, as the audit reports it."""

import duckdb

from consent.integrity import verify


def broken(con: duckdb.DuckDBPyConnection) -> str | None:
    """Where the ledger's sequence or hash chain first breaks, or None when it recomputes end to end."""
    result = verify(con)
    return None if result.intact else f"ledger broken at seq {result.broken.seq}: {result.broken.what}"
