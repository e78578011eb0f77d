"""The suppressions file: about 1 % of customers who must never be exported, named by id, email or phone.

Emails and phones are the customers' own (regenerated from the seed), written differently from the customers file
so that matching them needs normalisation.
"""

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from data.columns import join
from data.customers import customer_ids
from data.draws import Draws
from data.emails import emails
from data.phones import international, phones
from data.regions import customer_countries
from data.timestamps import DAY, iso_timestamps
from data.vocabulary import SUPPRESSION_KINDS

SUPPRESSION_SCHEMA = pa.schema(
    [
        ("customer_id", pa.string()),
        ("email", pa.string()),
        ("phone", pa.string()),
        ("kind", pa.string()),
        ("effective_at", pa.string()),
        ("recorded_at", pa.string()),
    ]
)

SHARE = 0.01
"""Share of customers with a suppression."""

NAMED_BY = {"customer_id": 45.0, "email": 20.0, "phone": 15.0, "customer_id+email": 10.0, "email+phone": 10.0}
"""Which identifiers a suppression row carries; one that the customer has no usable value for falls back to the id."""

_NAMES_ID, _NAMES_EMAIL, _NAMES_PHONE = (
    np.array([column in named.split("+") for named in NAMED_BY]) for column in ("customer_id", "email", "phone")
)

_EMAIL_STYLES = (35.0, 25.0, 25.0, 15.0)
"""UPPER, Capitalised, lower with whitespace after it, UPPER with whitespace before it."""

_KINDS = pa.array([k for k, _ in SUPPRESSION_KINDS], pa.string())
_WHITESPACE = pa.array([" ", "  ", "\t", "\u00a0", " \u00a0"])


def suppressed_rows(seed: int, start: int, stop: int) -> np.ndarray:
    """The 0-based customer rows in start..stop-1 that have a suppression."""
    d = Draws.rows(seed, start, stop)
    return d.index[d.chance("suppression", SHARE)].astype(np.int64)


def _restyled(clean: pa.Array, d: Draws) -> pa.Array:
    """Addresses written unlike the customers file: other case, whitespace around them."""
    style = d.pick("suppression.email_style", _EMAIL_STYLES)
    space = _WHITESPACE.take(pa.array(d.below("suppression.space", len(_WHITESPACE))))
    forms = [pc.utf8_upper(clean), pc.utf8_capitalize(clean), join(clean, space), join(space, pc.utf8_upper(clean))]
    return pc.choose(pa.array(style), *forms)


def suppression_table(seed: int, start: int, stop: int, as_of: int) -> pa.Table:
    """The suppressions of the customers with rows start..stop-1, in customer order."""
    rows = suppressed_rows(seed, start, stop)
    d = Draws.of(seed, rows)
    mail = emails(d)
    phone = phones(d, customer_countries(d))
    named = d.pick("suppression.named_by", list(NAMED_BY.values()))
    wants_email = _NAMES_EMAIL[named] & mail.usable
    wants_phone = _NAMES_PHONE[named] & phone.usable
    by_id = _NAMES_ID[named] | ~(wants_email | wants_phone)
    effective = as_of - (DAY * d.uniform("suppression.age") * 1000).astype(np.int64)
    after = d.chance("suppression.after", 0.015)
    effective[after] = as_of + (DAY * d.subset(after).uniform("suppression.ahead") * 20).astype(np.int64)
    delayed = d.chance("suppression.delayed", 0.5)
    recorded = effective + np.where(delayed, (DAY * 14 * d.uniform("suppression.lag")).astype(np.int64), 0)
    empty = pa.scalar(None, pa.string())
    columns = [
        pc.if_else(pa.array(by_id), customer_ids(rows), empty),
        pc.if_else(pa.array(wants_email), _restyled(mail.clean, d), empty),
        pc.if_else(pa.array(wants_phone), international(phone.plan, phone.national, d), empty),
        _KINDS.take(pa.array(d.pick("suppression.kind", [w for _, w in SUPPRESSION_KINDS]))),
        iso_timestamps(effective, d, "suppression.effective_at"),
        iso_timestamps(recorded, d, "suppression.recorded_at"),
    ]
    return pa.Table.from_arrays(columns, schema=SUPPRESSION_SCHEMA)
