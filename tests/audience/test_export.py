"""Atomic owner-only file writes and the run manifest."""

import hashlib
import json
import os
import stat
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

import pytest

from audience.errors import InputError
from audience.export import (
    MANIFEST_NAME,
    ExportFile,
    Manifest,
    file_sha256,
    link_atomic,
    read_manifest,
    verify_manifest,
    write_atomic,
    write_manifest,
)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def entry(path: str, payload: bytes = b"x\n", rows: int = 1) -> ExportFile:
    return ExportFile(path, "meta", "all", "full", "multi", rows, hashlib.sha256(payload).hexdigest())


@pytest.fixture
def open_umask() -> Iterator[None]:
    previous = os.umask(0)
    yield
    os.umask(previous)


def test_write_atomic_returns_size_and_checksum_of_the_bytes_written(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"

    size, sha256 = write_atomic(target, [b"abc", memoryview(b"def\n")])

    assert target.read_bytes() == b"abcdef\n"
    assert size == 7
    assert sha256 == hashlib.sha256(b"abcdef\n").hexdigest() == file_sha256(target)


def test_write_atomic_makes_the_file_and_new_folders_owner_only_whatever_the_umask(
    tmp_path: Path, open_umask: None
) -> None:
    target = tmp_path / "run" / "meta" / "all" / "full" / "customers.csv"

    write_atomic(target, [b"email,phone,madid\n"])

    assert mode(target) == 0o600
    for folder in (tmp_path / "run", tmp_path / "run" / "meta", target.parent):
        assert mode(folder) == 0o700


def test_write_atomic_leaves_existing_folders_alone(tmp_path: Path) -> None:
    os.chmod(tmp_path, 0o755)

    write_atomic(tmp_path / "file", [b"x"])

    assert mode(tmp_path) == 0o755


def test_a_failure_mid_write_leaves_no_file_under_the_final_name(tmp_path: Path) -> None:
    target = tmp_path / "out" / "users-0001.json"

    def failing() -> Iterator[bytes]:
        yield b'{"schema": '
        assert not target.exists()
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_atomic(target, failing())

    assert not target.exists()
    assert list(target.parent.iterdir()) == []


def test_a_failure_mid_write_keeps_the_previous_file_intact(tmp_path: Path) -> None:
    target = tmp_path / "customers.csv"
    write_atomic(target, [b"old\n"])

    def failing() -> Iterator[bytes]:
        yield b"new, half"
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, failing())

    assert target.read_bytes() == b"old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["customers.csv"]


def test_write_atomic_replaces_a_file_in_full(tmp_path: Path) -> None:
    target = tmp_path / "f"
    write_atomic(target, [b"a much longer first version\n"])

    write_atomic(target, [b"short\n"])

    assert target.read_bytes() == b"short\n"
    assert mode(target) == 0o600


@pytest.mark.parametrize("links", [True, False], ids=["hard link", "copy where links fail"])
def test_link_atomic_gives_the_same_bytes_owner_only_in_a_new_folder(
    tmp_path: Path, open_umask: None, monkeypatch: pytest.MonkeyPatch, links: bool
) -> None:
    source = tmp_path / "full" / "f.csv"
    write_atomic(source, [b"a\nb\n"])
    target = tmp_path / "add" / "f.csv"
    write_atomic(target, [b"an older attempt\n"])
    if not links:
        def refuse(*_: object) -> None:
            raise OSError("no hard links here")
        monkeypatch.setattr(os, "link", refuse)

    link_atomic(source, target)

    assert target.read_bytes() == b"a\nb\n" and mode(target) == 0o600 and mode(target.parent) == 0o700
    assert (target.stat().st_ino == source.stat().st_ino) is links
    assert sorted(p.name for p in target.parent.iterdir()) == ["f.csv"]


def test_manifest_is_stable_json_sorted_by_path(tmp_path: Path) -> None:
    files = [entry("tiktok/all/full/EMAIL_SHA256.txt", rows=3), entry("google/all/full/ingest-0001.json")]

    path = write_manifest(tmp_path, run_id="r1", as_of="2026-03-01T10:00:00+01:00", files=files)

    text = path.read_text()
    assert path == tmp_path / MANIFEST_NAME
    assert text.endswith("}\n")
    document = json.loads(text)
    assert list(document) == ["as_of", "files", "run_id"]
    assert [f["path"] for f in document["files"]] == [
        "google/all/full/ingest-0001.json",
        "tiktok/all/full/EMAIL_SHA256.txt",
    ]
    assert list(document["files"][0]) == sorted(document["files"][0])
    assert text == json.dumps(document, sort_keys=True, indent=2) + "\n"
    assert mode(path) == 0o600


def test_manifest_bytes_do_not_depend_on_the_order_files_are_given(tmp_path: Path) -> None:
    files = [entry(f"meta/all/full/users-{n:04d}.json") for n in range(1, 6)]
    first, second = tmp_path / "a", tmp_path / "b"

    write_manifest(first, run_id="r", as_of="t", files=files)
    write_manifest(second, run_id="r", as_of="t", files=list(reversed(files)))

    assert (first / MANIFEST_NAME).read_bytes() == (second / MANIFEST_NAME).read_bytes()


def test_manifest_round_trips(tmp_path: Path) -> None:
    files = (entry("google/all/remove/remove-0001.json"), entry("meta/all/full/customers.csv", rows=0))

    write_manifest(tmp_path, run_id="run-7", as_of="2026-03-01T10:00:00+00:00", files=files)

    assert read_manifest(tmp_path) == Manifest("run-7", "2026-03-01T10:00:00+00:00", files)


@pytest.mark.parametrize("path", ["/etc/passwd", "../outside.csv", "meta/../../x", "meta\\all\\x.csv", ""], ids=repr)
def test_manifest_refuses_paths_outside_the_run_directory(tmp_path: Path, path: str) -> None:
    with pytest.raises(InputError, match="relative to the run directory"):
        write_manifest(tmp_path, run_id="r", as_of="t", files=[entry(path)])
    assert not (tmp_path / MANIFEST_NAME).exists()


def test_manifest_refuses_a_path_listed_twice(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="share the path meta/all/full/customers.csv"):
        write_manifest(tmp_path, run_id="r", as_of="t", files=[entry("meta/all/full/customers.csv")] * 2)


def test_reading_a_missing_manifest_says_where_it_looked(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=f"No manifest.json in {tmp_path}"):
        read_manifest(tmp_path)


@pytest.mark.parametrize(
    "document",
    [
        "not json",
        json.dumps({"run_id": "r", "files": []}),
        json.dumps({"run_id": "r", "as_of": "t", "files": {}}),
        json.dumps({"run_id": "r", "as_of": "t", "files": [{"path": "a"}]}),
        json.dumps({"run_id": "r", "as_of": "t", "files": [{**asdict(entry("a")), "op": "replace"}]}),
    ],
    ids=["not-json", "no-as_of", "files-not-a-list", "entry-missing-keys", "unknown-op"],
)
def test_reading_a_malformed_manifest_is_an_input_error(tmp_path: Path, document: str) -> None:
    (tmp_path / MANIFEST_NAME).write_text(document)

    with pytest.raises(InputError, match="rerun the export"):
        read_manifest(tmp_path)


def test_verify_manifest_reports_changed_and_missing_files(tmp_path: Path) -> None:
    kept, changed, missing = (f"meta/all/full/users-000{n}.json" for n in (1, 2, 3))
    files = []
    for path in (kept, changed, missing):
        _, sha256 = write_atomic(tmp_path / path, [b"[]\n"])
        files.append(ExportFile(path, "meta", "all", "full", "multi", 0, sha256))
    write_manifest(tmp_path, run_id="r", as_of="t", files=files)
    assert verify_manifest(tmp_path) == []

    (tmp_path / changed).write_bytes(b"[1]\n")
    (tmp_path / missing).unlink()

    assert verify_manifest(tmp_path) == [
        f"{changed}: SHA-256 differs from the manifest (file changed after the run)",
        f"{missing}: listed in the manifest but missing",
    ]
