"""One run per workspace at a time: an exclusive, non-blocking lock on a file next to the workspace database.

The operating system releases the lock when the holding process exits, however it exits, so a stale lock file
never blocks a later run. The lock is re-entrant within a process (the CLI takes it before starting Prefect so a
second run is refused at once; the flow takes it again for scheduled runs).
"""

import fcntl
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from audience.errors import AudienceError


class WorkspaceBusy(AudienceError):
    """Another process is running on this workspace."""


_held: dict[Path, int] = {}
_guard = threading.Lock()


def lock_path(db: Path) -> Path:
    """The lock file of the workspace whose database is `db`."""
    return db.with_name(db.name + ".lock")


@contextmanager
def workspace_lock(db: Path) -> Iterator[None]:
    """Hold the workspace's run lock for the duration of the block.

    Raises:
        WorkspaceBusy: another process holds it (the message names its pid and start time).
    """
    path = lock_path(db).resolve()
    with _guard:
        if path in _held:
            _held[path] += 1
            reentered = True
        else:
            reentered = False
    if reentered:
        try:
            yield
        finally:
            with _guard:
                _held[path] -= 1
        return
    fd = _acquire(path)
    with _guard:
        _held[path] = 1
    try:
        yield
    finally:
        with _guard:
            del _held[path]
        os.ftruncate(fd, 0)
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _acquire(path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _holder(fd)
        os.close(fd)
        raise WorkspaceBusy(
            f"another run ({holder}) is using this workspace ({path.parent}); wait for it to finish, or if that "
            "process is gone, run again (the lock is released when its process exits)."
        ) from None
    os.ftruncate(fd, 0)
    note = {"pid": os.getpid(), "started": datetime.now(UTC).isoformat(timespec="seconds")}
    os.write(fd, json.dumps(note).encode("utf-8"))
    os.fsync(fd)
    return fd


def _holder(fd: int) -> str:
    try:
        note = json.loads(os.pread(fd, 4096, 0).decode("utf-8") or "{}")
    except (OSError, ValueError):
        note = {}
    return f"pid {note.get('pid', 'unknown')}, started {note.get('started', 'at an unknown time')}"
