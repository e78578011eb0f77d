"""Meta custom audiences: the customer-list CSV and Marketing API `/users` payloads, one row per customer."""

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa

from audience.platforms.base import (
    ExportFile,
    IdTypeSpec,
    Lines,
    Op,
    Target,
    batch_ranges,
    check_members,
    concat,
    customer_rows,
    int_option,
    values_at,
)

ID_TYPES = {
    "EMAIL": IdTypeSpec("email", "sha256"),
    "PHONE": IdTypeSpec("phone", "sha256"),
    "MADID": IdTypeSpec("device_id", "maid"),
}
SCHEMA = ("EMAIL", "PHONE", "MADID")
"""Key order of a payload row and of the CSV columns."""
CSV_NAME = "customers.csv"
CSV_HEADER = b"email,phone,madid\n"
PAYLOAD_NAME = "users-{:04d}.json"
PAYLOAD_HEAD = (json.dumps({"schema": list(SCHEMA)})[:-1] + ', "data": [\n').encode()
MAX_BATCH = 10_000
"""Meta takes at most 10,000 rows per `/users` request."""


class MetaWriter:
    """Meta: `customers.csv` for Ads Manager and `users-NNNN.json` payloads for POST/DELETE `/{audience}/users`.

    Hashed email and phone, raw MADID; an absent identifier is an empty cell (CSV) or `""` (payload). The same
    payload shape serves every op: POST for add, DELETE for remove, `usersreplace` (in one session) for full.
    Options: `batch_size` (rows per payload, 1–10,000; default 10,000).
    """

    name = "meta"
    min_audience = 100
    small_removals = ""

    def placeholders(self, *, audience: str, options: Mapping[str, Any]) -> tuple[str, ...]:
        """None: every file this writer writes is complete."""
        return ()

    def destinations(self, *, audience: str, options: Mapping[str, Any]) -> dict[str, str | None]:
        """None: the files do not name where they go (the upload does)."""
        return {}

    def write(
        self, members: pa.Table, *, audience: str, op: Op, run_dir: Path, options: Mapping[str, Any]
    ) -> list[ExportFile]:
        """Write `customers.csv` and the `/users` payloads for one audience and op (nothing for no members)."""
        target = Target.of(run_dir, self.name, audience, op)
        batch = int_option(options, "batch_size", MAX_BATCH, low=1, high=MAX_BATCH)
        checked = check_members(members, ID_TYPES)
        if not len(checked):
            return target.finish([])
        rows_of = customer_rows(checked, SCHEMA)
        email, phone, madid = (values_at(checked, key, rows_of[key]) for key in SCHEMA)
        rows = Lines(concat('["', email, '", "', phone, '", "', madid, '"],\n'))
        payloads = [
            target.write(PAYLOAD_NAME.format(n), _payload(rows, start, stop), identifier="multi", rows=stop - start)
            for n, (start, stop) in enumerate(batch_ranges(len(rows), batch), start=1)
        ]
        del rows
        csv_lines = Lines(concat(email, ",", phone, ",", madid, "\n"))
        csv = target.write(CSV_NAME, csv_lines.chunks(head=CSV_HEADER), identifier="multi", rows=len(csv_lines))
        return target.finish([csv, *payloads])


def _payload(rows: Lines, start: int, stop: int) -> list[bytes | memoryview]:
    return [PAYLOAD_HEAD, rows.span(start, stop, trim=2), b"\n]}\n"]
