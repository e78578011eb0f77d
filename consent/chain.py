"""The ledger's hash chain: row_hash = sha256(prev_hash || content), each row's prev_hash the row_hash before it.

Content is the canonical serialisation of a row (`sql/event_content.sql`, `sql/suppression_content.sql`). Checking
the chain is whole-table SQL (`integrity.py`); writing it is a fold, because every hash needs the one before it.
"""

from collections.abc import Iterable
from hashlib import sha256

import pyarrow as pa

GENESIS = "0" * 64
"""The prev_hash of seq 1."""


def row_hash(prev_hash: str, content: str) -> str:
    """The row_hash of a row with this content, following a row whose row_hash is `prev_hash`."""
    return sha256((prev_hash + content).encode()).hexdigest()


def link(prev_hash: str, contents: Iterable[bytes]) -> tuple[pa.Array, pa.Array]:
    """The prev_hash and row_hash columns of consecutive rows with these UTF-8 contents, chained after `prev_hash`.

    The one loop per row of the ledger: SHA-256 chaining is sequential by design, so no column operation can do it.
    """
    hashes = []
    append = hashes.append
    current = prev_hash.encode()
    for content in contents:
        current = sha256(current + content).hexdigest().encode()
        append(current)
    rows = pa.array(hashes, pa.binary()).cast(pa.string())
    previous = pa.concat_arrays([pa.array([prev_hash], pa.string()), rows.slice(0, max(len(rows) - 1, 0))])
    return previous.slice(0, len(rows)), rows
