"""Counter-based random draws: every value is a pure function of (seed, stream name, row index).

Because a draw depends only on its row index, any slice of rows can be generated on its own (chunked writing gives
the same bytes as one chunk) and any customer can be regenerated later (suppressions reuse customers' emails).
"""

import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

_MASK = (1 << 64) - 1
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_HEX_PAIRS = np.frombuffer(
    "".join(f"{b:02x}" for b in range(256)).encode() + "".join(f"{b:02X}" for b in range(256)).encode(), dtype="<u2"
)
"""The two hex characters of every byte as one uint16 each: lower-case at 0–255, upper-case at 256–511."""


def _mix(x: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser, applied element-wise to a uint64 array."""
    x = (x ^ (x >> np.uint64(30))) * _M1
    x = (x ^ (x >> np.uint64(27))) * _M2
    return x ^ (x >> np.uint64(31))


def _stream_key(seed: int, stream: str) -> np.uint64:
    """A 64-bit key for one named stream under one seed."""
    base = np.array([(seed * 0x2545F4914F6CDD1D + zlib.crc32(stream.encode())) & _MASK], dtype=np.uint64)
    return np.uint64(_mix(_mix(base))[0])


@dataclass(frozen=True, slots=True, eq=False)
class Draws:
    """Random draws for a set of row indices; the same (seed, stream, index) always gives the same value."""

    seed: int
    index: np.ndarray

    @classmethod
    def rows(cls, seed: int, start: int, stop: int) -> "Draws":
        """Draws for the rows start..stop-1."""
        return cls(seed, np.arange(start, stop, dtype=np.uint64))

    @classmethod
    def of(cls, seed: int, index: np.ndarray) -> "Draws":
        """Draws for arbitrary row indices."""
        return cls(seed, np.asarray(index, dtype=np.uint64))

    def __len__(self) -> int:
        return len(self.index)

    def subset(self, mask: np.ndarray) -> "Draws":
        """Draws for the rows where mask is true, keeping each row's own values."""
        return Draws(self.seed, self.index[mask])

    def bits(self, stream: str) -> np.ndarray:
        """64 random bits per row."""
        return _mix(self.index * _GOLDEN + _stream_key(self.seed, stream))

    def uniform(self, stream: str) -> np.ndarray:
        """A float in [0, 1) per row."""
        return (self.bits(stream) >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))

    def chance(self, stream: str, p: float) -> np.ndarray:
        """True with probability p, per row."""
        return self.uniform(stream) < p

    def below(self, stream: str, k: int | np.ndarray) -> np.ndarray:
        """An integer in [0, k) per row (k may vary per row)."""
        return (self.uniform(stream) * k).astype(np.int64)

    def between(self, stream: str, low: int, high: int) -> np.ndarray:
        """An integer in [low, high] per row."""
        return low + self.below(stream, high - low + 1)

    def pick(self, stream: str, weights: Sequence[float]) -> np.ndarray:
        """An index into weights per row, drawn with those relative weights."""
        cumulative = np.cumsum(np.asarray(weights, dtype=np.float64))
        cumulative /= cumulative[-1]
        return np.minimum(np.searchsorted(cumulative, self.uniform(stream), side="right"), len(weights) - 1)

    def pick_within(self, stream: str, groups: np.ndarray, weights: Sequence[Sequence[float]]) -> np.ndarray:
        """Per row, an index into the concatenation of weights, drawn from the row's own group's weights."""
        steps = []
        for group, group_weights in enumerate(weights):
            cumulative = np.cumsum(np.asarray(group_weights, dtype=np.float64))
            steps.append(group + cumulative / cumulative[-1])
        bounds = np.concatenate(steps)
        picked = np.searchsorted(bounds, groups + self.uniform(stream), side="right")
        return np.minimum(picked, len(bounds) - 1)

    def random_bytes(self, stream: str, width: int) -> np.ndarray:
        """A (rows, width) uint8 matrix of random bytes."""
        words = (width + 7) // 8
        columns = [self.bits(f"{stream}#{w}") for w in range(words)]
        matrix = np.stack(columns, axis=1) if columns else np.empty((len(self), 0), dtype=np.uint64)
        return np.ascontiguousarray(matrix).view(np.uint8).reshape(len(self), words * 8)[:, :width]


def hex_matrix(data: np.ndarray, upper: bool | np.ndarray = False) -> np.ndarray:
    """Two hex digit characters per byte of a (rows, width) uint8 matrix, as a (rows, 2*width) uint8 matrix.

    upper is one flag for all rows or one per row.
    """
    index = data.astype(np.uint16) + (np.asarray(upper, dtype=np.uint16) * 256).reshape(-1, 1)
    return np.ascontiguousarray(_HEX_PAIRS[index]).view(np.uint8).reshape(data.shape[0], data.shape[1] * 2)


def fixed_width_strings(chars: np.ndarray, present: np.ndarray | None = None) -> pa.StringArray:
    """One ASCII string per row of a (rows, width) uint8 character matrix; null where present is false."""
    rows, width = chars.shape
    offsets = (np.arange(rows + 1, dtype=np.int64) * width).astype(np.int32)
    data = np.ascontiguousarray(chars).tobytes()
    validity = None if present is None else pa.py_buffer(np.packbits(present, bitorder="little"))
    nulls = 0 if present is None else int(rows - np.count_nonzero(present))
    return pa.Array.from_buffers(
        pa.string(), rows, [validity, pa.py_buffer(offsets), pa.py_buffer(data)], null_count=nulls
    )
