"""Adversarial raw identifiers for differential tests: realistic sample values, hand-picked edge cases, and
realistic values bent in the ways exports and people bend them."""

import random
import unicodedata
from collections.abc import Callable
from typing import Literal

import pyarrow as pa

from data.devices import devices
from data.draws import Draws
from data.edge_cases import CATALOGUES
from data.emails import emails
from data.phones import phones
from data.regions import customer_countries

Kind = Literal["email", "phone", "maid"]

EDGE_SHARE = 0.3
"""Share of values taken from the edge-case catalogue (every entry appears once n is large enough)."""
BENT_SHARE = 0.3
"""Share of the realistic values that are bent before use."""

_WRAPPERS = (" ", "  ", "\t", "\u00a0", "\u2003", "\u3000", "\r\n", "\n", "\u200b", "\ufeff", "\u2028")

_COMMON_BENDS: tuple[Callable[[str, random.Random], str], ...] = (
    lambda v, r: r.choice(_WRAPPERS) + v + r.choice(_WRAPPERS),
    lambda v, r: v.upper(),
    lambda v, r: v.lower(),
    lambda v, r: v.swapcase(),
    lambda v, r: v.title(),
    lambda v, r: unicodedata.normalize("NFD", v),
)

_BENDS: dict[Kind, tuple[Callable[[str, random.Random], str], ...]] = {
    "email": _COMMON_BENDS + (
        lambda v, r: v.replace("@", "+" + r.choice(("x", "", "a.b")) + "@", 1),
        lambda v, r: v.replace("@", "@@", 1),
        lambda v, r: v.replace(".", "..", 1),
        lambda v, r: f"mailto:{v}",
        lambda v, r: f'"{v.partition("@")[0]}"@{v.partition("@")[2]}',
        lambda v, r: v + ".",
    ),
    "phone": _COMMON_BENDS + (
        lambda v, r: v.replace(" ", r.choice((".", "/", "\u2013", "\u00a0", "-", ""))),
        lambda v, r: f"tel:{v.strip()}",
        lambda v, r: v + r.choice((" ext. 12", " x7", ";ext=99", " wew. 3", "#1")),
        lambda v, r: v.replace("+", r.choice(("00", "011 ", "+ ", "++")), 1),
        lambda v, r: v[:-1],
        lambda v, r: v + r.choice("0123456789"),
        lambda v, r: v.translate(str.maketrans("0123456789", "０１２３４５６７８９")),
    ),
    "maid": _COMMON_BENDS + (
        lambda v, r: v.replace("-", ""),
        lambda v, r: "{" + v + "}",
        lambda v, r: v[:-1],
        lambda v, r: v + r.choice("0f"),
        lambda v, r: v.replace("-", r.choice(("\u2010", "_", " ", "--"))),
    ),
}


_REALISTIC: dict[Kind, Callable[[Draws], pa.Array]] = {
    "email": lambda d: emails(d).raw,
    "phone": lambda d: phones(d, customer_countries(d)).raw,
    "maid": lambda d: devices(d).device_id,
}


def messy_values(kind: Kind, n: int, *, seed: int = 7) -> list[str]:
    """n adversarial raw values of one identifier kind, deterministic for (kind, n, seed).

    About EDGE_SHARE of them come from the edge-case catalogue (all of it once n * EDGE_SHARE reaches its size),
    the rest are realistic sample values (absent ones skipped), BENT_SHARE of those bent (whitespace, case,
    Unicode decomposition, separators, extensions, missing or extra characters).
    """
    if kind not in CATALOGUES:
        raise ValueError(f"unknown identifier kind {kind!r}: use one of {', '.join(CATALOGUES)}")
    rng = random.Random(f"messy-{kind}-{seed}")
    present = _REALISTIC[kind](Draws.rows(seed, 0, 2 * n)).drop_null().to_pylist()[:n]
    values = present + [""] * (n - len(present))
    bends = _BENDS[kind]
    for i, value in enumerate(values):
        if rng.random() < BENT_SHARE:
            values[i] = rng.choice(bends)(value, rng)
    catalogue = list(CATALOGUES[kind])
    rng.shuffle(catalogue)
    slots = rng.sample(range(n), round(n * EDGE_SHARE))
    for slot, value in zip(slots, catalogue * (len(slots) // len(catalogue) + 1)):
        values[slot] = value
    return values
