"""The customers' `device_id` and `device_os` columns: IDFAs, GAIDs and the junk apps report instead."""

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from data.columns import assemble, pad
from data.draws import Draws, fixed_width_strings, hex_matrix

STATUS_WEIGHTS = {"valid": 57.0, "missing": 40.0, "invalid": 3.0}
"""About 5 % of the device IDs present are invalid."""

OS_VALUES = pa.array(["ios", "android", None], pa.string())
_OS_WEIGHTS = (45.0, 55.0)
"""iOS devices carry upper-case IDFAs, Android devices lower-case GAIDs."""

MIXED_CASE_SHARE = 0.03
PADDED_SHARE = 0.02

_GROUPS = (8, 4, 4, 4, 12)
_GROUP_OFFSETS = (0, 8, 12, 16, 20)
_HYPHENS_AT = (8, 13, 18, 23)
_GARBAGE = ("unknown", "null", "N/A", "0", "-", "(null)", "undefined", "IDFA_NOT_AVAILABLE", "test-device")


@dataclass(frozen=True, slots=True)
class Devices:
    """One advertising ID per customer: the cells as written and whether the ID is usable."""

    device_id: pa.StringArray
    device_os: pa.StringArray
    usable: np.ndarray


def _uuid_characters(d: Draws, upper: np.ndarray) -> np.ndarray:
    """A (rows, 36) character matrix of random version-4 UUIDs, upper-case where upper is true."""
    data = d.random_bytes("device.bytes", 16)
    data[:, 6] = (data[:, 6] & 0x0F) | 0x40
    data[:, 8] = (data[:, 8] & 0x3F) | 0x80
    digits = hex_matrix(data, upper)
    chars = np.full((len(d), 36), ord("-"), dtype=np.uint8)
    for group, (offset, width) in enumerate(zip(_GROUP_OFFSETS, _GROUPS)):
        chars[:, offset + group : offset + group + width] = digits[:, offset : offset + width]
    return chars


def _mixed_case(chars: np.ndarray, d: Draws) -> np.ndarray:
    """The matrix with each letter's case chosen at random."""
    flip = d.random_bytes("device.case", chars.shape[1]) < 128
    letters = np.isin(chars, np.frombuffer(b"abcdefABCDEF", dtype=np.uint8))
    return np.where(letters & flip, chars ^ 0x20, chars)


def _invalid(chars: np.ndarray, d: Draws) -> pa.Array:
    """Broken IDs: no hyphens, one character short or long, the all-zero ID, braces, words."""
    digits = chars[:, [c for c in range(36) if c not in _HYPHENS_AT]]
    forms = [
        fixed_width_strings(digits),
        fixed_width_strings(chars[:, :35]),
        fixed_width_strings(np.concatenate([chars, chars[:, :1]], axis=1)),
        pa.repeat(pa.scalar("00000000-0000-0000-0000-000000000000"), len(d)),
        pc.binary_join_element_wise("{", fixed_width_strings(chars), "}", ""),
        pa.array(_GARBAGE).take(pa.array(d.below("device.garbage", len(_GARBAGE)))),
    ]
    return pc.choose(pa.array(d.pick("device.invalid", (25.0, 15.0, 10.0, 25.0, 5.0, 20.0))), *forms)


def devices(d: Draws) -> Devices:
    """The device columns for the customers in d."""
    status = d.pick("device.status", list(STATUS_WEIGHTS.values()))
    missing, invalid = status == 1, status == 2
    os_at = d.pick("device.os", _OS_WEIGHTS)
    chars = _uuid_characters(d, os_at == 0)
    mixed = d.chance("device.mixed", MIXED_CASE_SHARE)
    chars[mixed] = _mixed_case(chars[mixed], d.subset(mixed))
    padded = d.chance("device.padded", PADDED_SHARE) & ~(missing | invalid)
    changed = padded | invalid
    device_id = fixed_width_strings(chars, present=~missing)
    if changed.any():
        padded_ids = pad(fixed_width_strings(chars[padded]), d.subset(padded), "device")
        invalid_ids = _invalid(chars[invalid], d.subset(invalid))
        replacements = assemble(
            int(changed.sum()),
            [(np.flatnonzero(padded[changed]), padded_ids), (np.flatnonzero(invalid[changed]), invalid_ids)],
        )
        device_id = pc.replace_with_mask(device_id, pa.array(changed), replacements)
    os_unknown = np.where(missing, d.chance("device.os_without_id", 0.7), d.chance("device.os_unknown", 0.08))
    device_os = OS_VALUES.take(pa.array(np.where(os_unknown, 2, os_at)))
    return Devices(device_id=device_id, device_os=device_os, usable=~(missing | invalid))
