"""SHA-256 as every platform wants it: of the UTF-8 bytes, lowercase hex."""

import hashlib


def sha256_hex(text: str) -> str:
    """Return the lowercase hex SHA-256 of the UTF-8 bytes of `text`."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
