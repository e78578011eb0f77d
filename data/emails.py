"""The customers' `email` column: people's addresses as they end up in a shop database — missing, shared with
another account, in odd case, with whitespace around them, or broken."""

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from data.addresses import Addresses, addresses
from data.columns import join, pad, rewrite
from data.draws import Draws

STATUS_WEIGHTS = {"valid": 87.3, "missing": 7.0, "invalid": 4.7, "duplicate": 1.0}
"""Share of customers whose email is their own, absent, syntactically invalid, or another customer's address."""

DUPLICATE_REACH = 20_000
"""A shared address is copied from one of this many customers before the one that shares it."""

CASES = (85.0, 6.0, 4.0, 3.0)
"""As typed, Title.Case, Capitalised, UPPER."""

PADDED_SHARE = 0.03


@dataclass(frozen=True, slots=True)
class Emails:
    """One email per customer: the cell as written, the person's tidy address, and whether the cell is usable."""

    raw: pa.StringArray
    clean: pa.StringArray
    usable: np.ndarray


def _broken(a: Addresses) -> list[pa.Array]:
    """Broken forms of the addresses, each rejected by email-validator."""
    given, family, local, domain = a.given_names(), a.surnames(), a.local_parts(), a.domains()
    return [
        join(given, " ", family, "@", domain),
        join(given, "..", family, "@", domain),
        join("@", domain),
        join(local, "@"),
        join(local, "@localhost"),
        join(local, "@test.test"),
        join(local, "@shop.invalid"),
        join(local, ".@", domain),
        join(".", local, "@", domain),
        join(local, domain),
        join(local, "@@", domain),
        join(local, "@", pc.replace_substring(domain, ".", "")),
        join('"', given, " ", family, '"@', domain),
        join(local, "@", domain, ","),
        join(given, ",", family, "@", domain),
    ]


def _shared(d: Draws, a: Addresses, duplicate: np.ndarray) -> Addresses:
    """a with the rows under duplicate holding the address of an earlier customer."""
    rows = d.index[duplicate].astype(np.int64)
    source = rows - 1 - d.subset(duplicate).below("email.duplicate_of", np.minimum(rows, DUPLICATE_REACH))
    return a.replaced(duplicate, addresses(Draws.of(d.seed, source)))


def emails(d: Draws) -> Emails:
    """The email column for the customers in d."""
    status = d.pick("email.status", list(STATUS_WEIGHTS.values()))
    missing, invalid = status == 1, status == 2
    duplicate = (status == 3) & (d.index > 0)
    a = _shared(d, addresses(d), duplicate)
    clean = a.spelled()
    case = d.pick("email.case", CASES)
    padded = d.chance("email.padded", PADDED_SHARE)
    touched = (case != 0) | padded | invalid | missing
    messy = clean.filter(pa.array(touched))
    for code, change in ((1, pc.utf8_title), (2, pc.utf8_capitalize), (3, pc.utf8_upper)):
        messy = rewrite(messy, case[touched] == code, change)
    messy = pad(messy, d.subset(touched), "email", padded[touched])
    if invalid.any():
        forms = _broken(a.subset(invalid))
        chosen = pc.choose(pa.array(d.subset(invalid).below("email.invalid", len(forms))), *forms)
        messy = pc.replace_with_mask(messy, pa.array(invalid[touched]), chosen)
    messy = pc.if_else(pa.array(missing[touched]), pa.scalar(None, pa.string()), messy)
    raw = pc.replace_with_mask(clean, pa.array(touched), messy)
    return Emails(raw=raw, clean=clean, usable=~(missing | invalid))
