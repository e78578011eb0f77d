"""Errors raised on purpose by audience; each says what went wrong and how to fix it, never whose data."""


class AudienceError(Exception):
    """Base for every error this package raises on purpose."""


class InputError(AudienceError):
    """An input file or value cannot be used as given; the message says what to change."""


class TransientError(AudienceError):
    """A failure worth retrying (a lock, a busy file system)."""
