"""The customers file: one row per customer with raw identifiers and attributes audiences filter on."""

from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from data.devices import devices
from data.draws import Draws
from data.emails import emails
from data.phones import phones
from data.regions import COUNTRIES, COUNTRY_CODES, customer_countries
from data.vocabulary import CITIES, SEGMENTS

CUSTOMER_SCHEMA = pa.schema(
    [
        ("customer_id", pa.string()),
        ("email", pa.string()),
        ("phone", pa.string()),
        ("device_id", pa.string()),
        ("country", pa.string()),
        ("device_os", pa.string()),
        ("segment", pa.string()),
        ("city", pa.string()),
        ("signup_date", pa.date32()),
        ("orders_12m", pa.int32()),
        ("ltv_pln", pa.decimal128(12, 2)),
        ("newsletter", pa.bool_()),
    ]
)

ID_PREFIX = "C"
ID_DIGITS = 8

FIRST_SIGNUP = date(2012, 1, 1)
LAST_SIGNUP = date(2026, 10, 31)

_ORDERS_PER_SEGMENT = np.array([1.2, 4.0, 10.0, 25.0, 0.15, 15.0])
"""Mean orders in the last twelve months, per entry of SEGMENTS."""

_CITY_GROUPS = tuple(CITIES)
_CITY_NAMES = pa.array([name for g in _CITY_GROUPS for name, _ in CITIES[g]], pa.string())
_CITY_WEIGHTS = tuple(tuple(w for _, w in CITIES[g]) for g in _CITY_GROUPS)
_CITY_GROUP_OF_COUNTRY = np.array([_CITY_GROUPS.index(c.code or "PL") for c in COUNTRIES])
_EPOCH = date(1970, 1, 1)


def customer_ids(rows: np.ndarray) -> pa.StringArray:
    """The customer_id of each 0-based customer row: row 0 is C00000001."""
    numbers = pc.cast(pa.array(np.asarray(rows, dtype=np.int64) + 1), pa.string())
    return pc.binary_join_element_wise(ID_PREFIX, pc.utf8_lpad(numbers, ID_DIGITS, "0"), "")


def _signup_dates(d: Draws) -> pa.Array:
    last = (LAST_SIGNUP - _EPOCH).days
    span = (LAST_SIGNUP - FIRST_SIGNUP).days
    days_before = (span * d.uniform("signup") ** 1.7).astype(np.int32)
    return pa.array(last - days_before, pa.int32()).cast(pa.date32())


def _spending(d: Draws, segment: np.ndarray) -> tuple[pa.Array, pa.Array]:
    """orders_12m and ltv_pln for each customer."""
    orders = np.floor(-np.log1p(-d.uniform("orders")) * _ORDERS_PER_SEGMENT[segment]).astype(np.int32)
    u1, u2 = d.uniform("basket.a"), d.uniform("basket.b")
    normal = np.sqrt(-2.0 * np.log1p(-u1)) * np.cos(2.0 * np.pi * u2)
    basket = np.exp(np.log(140.0) + 0.6 * normal)
    lifetime_orders = orders + d.below("history", 30) * (segment != 0)
    ltv = np.round(lifetime_orders * basket, 2)
    return pa.array(orders, pa.int32()), pa.array(ltv).cast(pa.decimal128(12, 2))


def customer_table(seed: int, start: int, stop: int) -> pa.Table:
    """The customers with rows start..stop-1 (0-based) under seed."""
    d = Draws.rows(seed, start, stop)
    countries = customer_countries(d)
    mail = emails(d)
    phone = phones(d, countries)
    device = devices(d)
    segment = d.pick("segment", [w for _, w in SEGMENTS])
    city_at = d.pick_within("city", _CITY_GROUP_OF_COUNTRY[countries], _CITY_WEIGHTS)
    orders, ltv = _spending(d, segment)
    newsletter = mail.usable & d.chance("newsletter", 0.55)
    columns = [
        customer_ids(d.index),
        mail.raw,
        phone.raw,
        device.device_id,
        COUNTRY_CODES.take(pa.array(countries)),
        device.device_os,
        pa.array([s for s, _ in SEGMENTS], pa.string()).take(pa.array(segment)),
        _CITY_NAMES.take(pa.array(city_at)),
        _signup_dates(d),
        orders,
        ltv,
        pa.array(newsletter),
    ]
    return pa.Table.from_arrays(columns, schema=CUSTOMER_SCHEMA)
