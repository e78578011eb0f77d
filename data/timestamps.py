"""ISO 8601 timestamps with offsets, as Polish systems write them: local time with +01:00 / +02:00, or UTC with Z."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from data.columns import join
from data.draws import Draws

DAY = 86_400
UTC_SHARE = 0.15
"""Share of timestamps written in UTC ("Z") rather than Warsaw local time."""


def _last_sunday(year: int, month: int) -> datetime:
    day = datetime(year, month + 1, 1, 1, tzinfo=UTC) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() + 1) % 7)


_SUMMER_TIME = np.array(
    [int(_last_sunday(year, month).timestamp()) for year in range(1990, 2061) for month in (3, 10)], dtype=np.int64
)
"""EU summer time starts and ends (01:00 UTC on the last Sundays of March and October), alternating."""


def seconds(moment: datetime) -> int:
    """Seconds since the Unix epoch of an aware datetime."""
    if moment.tzinfo is None:
        raise ValueError("as_of must carry a time zone, e.g. datetime(2026, 11, 1, tzinfo=timezone.utc)")
    return int(moment.timestamp())


def warsaw_offsets(utc: np.ndarray) -> np.ndarray:
    """The Europe/Warsaw UTC offset in seconds at each instant."""
    summer = np.searchsorted(_SUMMER_TIME, utc, side="right") % 2 == 1
    return np.where(summer, 7200, 3600)


def iso_timestamps(utc: np.ndarray, d: Draws, stream: str) -> pa.StringArray:
    """Each instant (seconds since the epoch) as `2026-03-01T10:00:00+01:00`, or in UTC as `…Z` now and then."""
    in_utc = d.chance(f"{stream}.utc", UTC_SHARE)
    offsets = np.where(in_utc, 0, warsaw_offsets(utc))
    local = pc.cast(pa.array(utc + offsets, pa.timestamp("s")), pa.string())
    suffix = pa.array(["Z", "+01:00", "+02:00"]).take(pa.array(offsets // 3600))
    return join(pc.utf8_replace_slice(local, 10, 11, "T"), suffix)
