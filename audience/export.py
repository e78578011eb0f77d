"""Export files on disk: atomic owner-only writes, SHA-256 checksums and the run's manifest.json."""

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Literal, get_args

from audience.errors import InputError

Op = Literal["full", "add", "remove"]
FileIdentifier = Literal["email", "phone", "device_id", "multi"]

MANIFEST_NAME = "manifest.json"
PENDING_MANIFEST_NAME = ".manifest.json.pending"
"""A run's manifest from when it is written until the run is recorded as successful."""
FILE_MODE = 0o600
DIR_MODE = 0o700
_ENTRY_KEYS = ("path", "platform", "audience", "op", "identifier", "rows", "sha256")


@dataclass(frozen=True, slots=True)
class ExportFile:
    """One manifest entry: a written export file and what it holds."""

    path: str
    """Relative to the run directory, POSIX separators."""
    platform: str
    audience: str
    op: Op
    identifier: FileIdentifier
    rows: int
    sha256: str
    """SHA-256 of the file's bytes, lowercase hex."""


@dataclass(frozen=True, slots=True)
class Manifest:
    """The contents of a run's manifest.json."""

    run_id: str
    as_of: str
    files: tuple[ExportFile, ...]


def ensure_dir(path: Path) -> None:
    """Create `path` and any missing parents, each new directory owner-only (0700)."""
    missing: list[Path] = []
    current = path
    while not current.exists():
        missing.append(current)
        current = current.parent
    for directory in reversed(missing):
        try:
            directory.mkdir(mode=DIR_MODE)
        except FileExistsError:
            pass
        os.chmod(directory, DIR_MODE)


def write_atomic(path: Path, chunks: Iterable[bytes | memoryview], *, sync_dir: bool = True) -> tuple[int, str]:
    """Write `chunks` to `path` so that the file appears complete or not at all.

    The bytes go to a temporary file in the same directory, are flushed to disk and made owner-only (0600), and
    the temporary file then replaces `path`. Missing parent directories are created owner-only (0700). If
    anything fails, the temporary file is removed and an existing file at `path` is left as it was.
    With `sync_dir=False` the caller makes the rename durable itself, with one `sync_directory` call after
    writing several files into the same directory.

    Returns:
        The number of bytes written and their SHA-256 (lowercase hex).
    """
    ensure_dir(path.parent)
    digest = hashlib.sha256()
    size = 0
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), FILE_MODE)
            for chunk in chunks:
                handle.write(chunk)
                digest.update(chunk)
                size += memoryview(chunk).nbytes
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    if sync_dir:
        sync_directory(path.parent)
    return size, digest.hexdigest()


def link_atomic(source: Path, path: Path) -> None:
    """Give `path` the bytes of `source` so that it appears complete or not at all: a hard link (export files are
    never changed in place), or an atomic copy where the file system cannot link."""
    ensure_dir(path.parent)
    temp_name = path.parent / f".{path.name}.{os.urandom(8).hex()}.tmp"
    try:
        os.link(source, temp_name)
    except OSError:
        with source.open("rb") as handle:
            write_atomic(path, iter(lambda: handle.read(1 << 20), b""), sync_dir=False)
        return
    try:
        os.replace(temp_name, path)
    except BaseException:
        temp_name.unlink(missing_ok=True)
        raise


def sync_directory(directory: Path) -> None:
    """Flush a directory's entries (new names, renames) to disk."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_manifest(run_dir: Path, *, run_id: str, as_of: str, files: Sequence[ExportFile],
                   pending: bool = False) -> Path:
    """Write `run_dir/manifest.json` atomically: entries sorted by path, stable JSON (sorted keys, indent 2); with
    `pending`, under PENDING_MANIFEST_NAME instead, for `publish_manifest` to put in place once the run is recorded.

    Call it after every export file is written, so that a manifest only ever lists complete files.

    Raises:
        InputError: two entries share a path, or a path is not relative to the run directory.
    """
    entries = sorted(files, key=lambda f: f.path)
    for entry in entries:
        _check_relative(entry.path)
    paths = [entry.path for entry in entries]
    if len(set(paths)) != len(paths):
        duplicate = next(p for p in paths if paths.count(p) > 1)
        raise InputError(f"Two manifest entries share the path {duplicate}; each export file must be listed once.")
    document = {"run_id": run_id, "as_of": as_of, "files": [asdict(entry) for entry in entries]}
    text = json.dumps(document, sort_keys=True, indent=2) + "\n"
    target = run_dir / (PENDING_MANIFEST_NAME if pending else MANIFEST_NAME)
    write_atomic(target, [text.encode("utf-8")])
    return target


def publish_manifest(run_dir: Path) -> bool:
    """Put a pending manifest (`write_manifest(pending=True)`) in place as `manifest.json`, durably; False when there
    is none."""
    pending = run_dir / PENDING_MANIFEST_NAME
    if not pending.is_file():
        return False
    os.replace(pending, run_dir / MANIFEST_NAME)
    sync_directory(run_dir)
    return True


def read_manifest(run_dir: Path) -> Manifest:
    """Read and check `run_dir/manifest.json`.

    Raises:
        InputError: the manifest is missing or does not have the documented shape.
    """
    path = run_dir / MANIFEST_NAME
    if not path.is_file():
        raise InputError(f"No {MANIFEST_NAME} in {run_dir}; point at a run directory that a finished run wrote.")
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InputError(f"{path} is not valid JSON ({e}); restore it from the run or rerun the export.") from None
    if not isinstance(document, dict) or not all(isinstance(document.get(k), str) for k in ("run_id", "as_of")):
        raise InputError(f"{path} needs string fields run_id and as_of; rerun the export to rewrite it.")
    raw_files = document.get("files")
    if not isinstance(raw_files, list):
        raise InputError(f"{path} needs a list field files; rerun the export to rewrite it.")
    files = tuple(_entry(path, position, raw) for position, raw in enumerate(raw_files, start=1))
    return Manifest(run_id=document["run_id"], as_of=document["as_of"], files=files)


def verify_manifest(run_dir: Path) -> list[str]:
    """Compare every file the manifest lists with the bytes on disk.

    Returns:
        One line per problem (a missing file, or a checksum that differs); empty when all files match.
    """
    problems = []
    for entry in read_manifest(run_dir).files:
        path = run_dir / entry.path
        if not path.is_file():
            problems.append(f"{entry.path}: listed in the manifest but missing")
        elif file_sha256(path) != entry.sha256:
            problems.append(f"{entry.path}: SHA-256 differs from the manifest (file changed after the run)")
    return problems


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, lowercase hex."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _entry(path: Path, position: int, raw: Any) -> ExportFile:
    where = f"{path}, files entry {position}"
    if not isinstance(raw, dict) or set(raw) != set(_ENTRY_KEYS):
        raise InputError(f"{where}: needs exactly the keys {', '.join(_ENTRY_KEYS)}; rerun the export.")
    if raw["op"] not in get_args(Op) or raw["identifier"] not in get_args(FileIdentifier):
        raise InputError(f"{where}: op or identifier is not one of the documented values; rerun the export.")
    if not isinstance(raw["rows"], int) or isinstance(raw["rows"], bool) or raw["rows"] < 0:
        raise InputError(f"{where}: rows must be a non-negative integer; rerun the export.")
    if not all(isinstance(raw[k], str) for k in ("path", "platform", "audience", "sha256")):
        raise InputError(f"{where}: path, platform, audience and sha256 must be strings; rerun the export.")
    _check_relative(raw["path"], where=where)
    return ExportFile(**raw)


def _check_relative(path: str, *, where: str = "manifest entry") -> None:
    pure = PurePosixPath(path)
    if pure.is_absolute() or not pure.parts or ".." in pure.parts or "\\" in path:
        raise InputError(f"{where}: path {path!r} must be relative to the run directory, with '/' separators.")
