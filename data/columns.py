"""Building Arrow string columns from pieces: joining, rewriting some rows, padding, assembling by position."""

from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from data.draws import Draws

PADDING = ("", "", " ", "  ", "\t", "\u00a0", " \u00a0")
"""What people and exports leave around a value: spaces, tabs, no-break spaces."""


def join(*parts: pa.Array | str) -> pa.Array:
    """Element-wise concatenation of string arrays and constants."""
    return pc.binary_join_element_wise(*parts, "")


def rewrite(values: pa.Array, mask: np.ndarray, change: Callable[[pa.Array], pa.Array]) -> pa.Array:
    """values with the rows under mask replaced by change(those rows)."""
    if not mask.any():
        return values
    arrow_mask = pa.array(mask)
    return pc.replace_with_mask(values, arrow_mask, change(values.filter(arrow_mask)))


def pad(values: pa.Array, d: Draws, stream: str, mask: np.ndarray | None = None) -> pa.Array:
    """values with whitespace around the rows under mask (every row when mask is None); d draws for values' rows."""
    if mask is None:
        mask = np.ones(len(values), dtype=bool)
    sub = d.subset(mask)
    padding = pa.array(PADDING)
    before = padding.take(pa.array(sub.below(f"{stream}.before", len(PADDING))))
    after = padding.take(pa.array(sub.below(f"{stream}.after", len(PADDING))))
    return rewrite(values, mask, lambda v: join(before, v, after))


def assemble(size: int, parts: list[tuple[np.ndarray, pa.Array]]) -> pa.Array:
    """One array of length size from pieces that each fill the given row positions (together: every row once)."""
    if not parts and size == 0:
        return pa.array([], pa.string())
    positions = np.concatenate([p for p, _ in parts]) if parts else np.empty(0, dtype=np.int64)
    if len(positions) != size:
        raise ValueError(f"the pieces fill {len(positions)} rows, expected {size}")
    order = np.empty(size, dtype=np.int64)
    order[positions] = np.arange(size)
    return pa.concat_arrays([v for _, v in parts]).take(pa.array(order))
