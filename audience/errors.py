"""Errors raised on purpose by audience; each says what went wrong and how to fix it, never whose data."""

import re
from collections.abc import Sequence

_COLUMN_NAME = re.compile(r"\s*[A-Za-z_][A-Za-z0-9_ .-]{0,63}")
"""What a column name looks like: no `@`, `+` or leading digit, so that no email, phone or device ID passes."""
_VALUE_LIKE = re.compile(r"'[^']*'?|\"[^\"]*\"?|\S*@\S*|\+?\d[\d ().-]{4,}\d|[0-9A-Fa-f]{6,}-[0-9A-Fa-f-]*")
"""Quoted text, and unquoted text that could be an email, a phone number or a device ID."""
_DEVICE_ID_LIKE = re.compile(r"[0-9A-Fa-f]{8}[-0-9A-Fa-f]*")
"""Hex digits and dashes beginning with eight hex digits: in place of a column name, taken for an advertising ID."""


class AudienceError(Exception):
    """Base for every error this package raises on purpose."""


class InputError(AudienceError):
    """An input file or value cannot be used as given; the message says what to change."""


class TransientError(AudienceError):
    """A failure worth retrying (a lock, a busy file system)."""


def os_error_text(error: OSError) -> str:
    """A file system error as a message: what failed, and on which path (paths name files, never their contents)."""
    what = error.strerror or type(error).__name__
    return f"{what} ({error.filename})" if error.filename else what


def is_column_name(text: str) -> bool:
    """Whether `text` looks like a column name, and so may be shown in a message (a file without a header row has
    values where the names should be, which may be identifiers: an advertising ID may begin with a letter)."""
    return _COLUMN_NAME.fullmatch(text) is not None and _DEVICE_ID_LIKE.fullmatch(text.strip()) is None


def without_values(message: str) -> str:
    """The first line of a library's error message with every quoted text, and anything else that could be an
    identifier, replaced by `…`: such messages quote the data they failed on (`Could not convert string '…' to
    INT32`)."""
    first = message.strip().splitlines()[0] if message.strip() else ""
    return _VALUE_LIKE.sub("…", first.split("Input:")[0]).strip()


def shown_names(names: Sequence[str]) -> str:
    """Column names for a message, each one that does not look like a name shown as `?`."""
    return ", ".join(n if is_column_name(n) else "?" for n in names) or "none"


def separator_hint(names: Sequence[str]) -> str:
    """A hint for a header read as one name holding `;`, a tab or `|` (a file not separated by commas), else ''."""
    if len(names) == 1 and any(sep in names[0] for sep in ";\t|"):
        return " It looks like the file is not comma-separated; save it as CSV with commas."
    return ""
