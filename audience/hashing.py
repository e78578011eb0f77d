"""SHA-256 as every platform wants it: of the UTF-8 bytes, lowercase hex."""

import hashlib

HASH_PREFIX = 12
"""Characters of a hash that reports and audits print (never a whole value)."""


def sha256_hex(text: str) -> str:
    """Return the lowercase hex SHA-256 of the UTF-8 bytes of `text`."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def hash_prefix(digest: str) -> str:
    """What a report or an audit shows of a hash: its first HASH_PREFIX characters and an ellipsis."""
    return digest[:HASH_PREFIX] + "…"
