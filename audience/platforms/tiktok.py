"""TikTok customer files: one file per id type, one SHA-256 hex per line, split into parts below 250 MB."""

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from audience.platforms.base import (
    SHA256_WIDTH,
    ExportFile,
    IdTypeSpec,
    Op,
    Target,
    batch_ranges,
    check_members,
    int_option,
    value_matrix,
    values_at,
)

ID_TYPES = {
    "EMAIL_SHA256": IdTypeSpec("email", "sha256"),
    "PHONE_SHA256": IdTypeSpec("phone", "sha256"),
    "IDFA_SHA256": IdTypeSpec("device_id", "sha256"),
    "GAID_SHA256": IdTypeSpec("device_id", "sha256"),
    "MAID_SHA256": IdTypeSpec("device_id", "sha256"),
}
"""The id type is also the file's name and its `calculate_type` in TikTok's file API."""
LINE_BYTES = SHA256_WIDTH + 1
"""One hash and its newline: the smallest `max_file_bytes` (a file part holds at least one line)."""
MAX_FILE_BYTES = 249_000_000
"""TikTok's file API takes at most 250 MB per file."""


class TikTokWriter:
    """TikTok: `<ID_TYPE>.txt` per id type (EMAIL_SHA256, PHONE_SHA256, IDFA_SHA256, GAID_SHA256, MAID_SHA256).

    Each file holds the distinct hashes of that type, sorted, one per line, no header. A type whose file would
    pass `max_file_bytes` (option; default and maximum 249,000,000) is split into `<ID_TYPE>-0001.txt`, ….
    """

    name = "tiktok"
    min_audience = 1000
    small_removals = ("TikTok refuses an update that leaves an audience under 1,000 members: if it refuses these "
                      "removals, delete the audience on TikTok, so that the withdrawals reach it")

    def placeholders(self, *, audience: str, options: Mapping[str, Any]) -> tuple[str, ...]:
        """None: every file this writer writes is complete."""
        return ()

    def destinations(self, *, audience: str, options: Mapping[str, Any]) -> dict[str, str | None]:
        """None: the files do not name where they go (the upload does)."""
        return {}

    def write(
        self, members: pa.Table, *, audience: str, op: Op, run_dir: Path, options: Mapping[str, Any]
    ) -> list[ExportFile]:
        """Write one file (or numbered parts) per id type for one audience and op (nothing for no members)."""
        target = Target.of(run_dir, self.name, audience, op)
        limit = int_option(options, "max_file_bytes", MAX_FILE_BYTES, low=LINE_BYTES, high=MAX_FILE_BYTES)
        checked = check_members(members, ID_TYPES)
        files = []
        for id_type in sorted(checked.rows):
            values = values_at(checked, id_type, checked.rows[id_type])
            lines = _lines(value_matrix(values, SHA256_WIDTH))
            parts = list(batch_ranges(len(lines), limit // LINE_BYTES))
            for n, (start, stop) in enumerate(parts, start=1):
                name = f"{id_type}.txt" if len(parts) == 1 else f"{id_type}-{n:04d}.txt"
                identifier = ID_TYPES[id_type].identifier
                files.append(target.write(name, _chunks(lines[start:stop]), identifier=identifier, rows=stop - start))
        return target.finish(files)


def _lines(hashes: np.ndarray) -> np.ndarray:
    """Distinct hashes, sorted, each followed by a newline: an (n, 65) byte matrix."""
    ordered = np.sort(hashes.view(f"S{SHA256_WIDTH}").ravel())
    distinct = ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))] if len(ordered) else ordered
    lines = np.empty((len(distinct), LINE_BYTES), dtype=np.uint8)
    lines[:, :SHA256_WIDTH] = distinct.view(np.uint8).reshape(len(distinct), SHA256_WIDTH)
    lines[:, SHA256_WIDTH] = ord("\n")
    return lines


def _chunks(lines: np.ndarray) -> Iterator[memoryview]:
    for start, stop in batch_ranges(len(lines), 1_000_000):
        yield memoryview(lines[start:stop].reshape(-1))
