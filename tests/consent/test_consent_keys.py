"""Keyed hashes: the SQL HMAC equals Python's hmac, the key is made once per workspace and kept there."""

import hashlib
import hmac

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from consent.keys import KEY_BYTES, customer_key_hmacs, hmac_parameters, identifier_hmac_sql, workspace_key
from consent_ledgers import fresh

con = fresh()


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_the_sql_hmac_is_hmac_sha256_under_the_workspace_key(value: str) -> None:
    key = workspace_key(con)
    got = con.execute(f"SELECT {identifier_hmac_sql('$value')}", {"value": value, **hmac_parameters(con)}).fetchall()
    assert got == [(hmac.new(key, value.encode(), hashlib.sha256).hexdigest(),)]


def test_the_key_is_32_random_bytes_made_once_and_kept_in_the_workspace() -> None:
    one, other = fresh(), fresh()
    key = workspace_key(one)
    assert len(key) == KEY_BYTES and workspace_key(one) == key and workspace_key(other) != key
    assert one.execute("SELECT count(*) FROM workspace_secret").fetchall() == [(1,)]


def test_customer_key_hmacs_hashes_canonical_values_and_keeps_nulls() -> None:
    db = fresh()
    keys = pa.table({"customer_id": ["C1", "C2"], "email": ["jan@example.pl", None], "phone": [None, "+48601234567"]})
    rows = customer_key_hmacs(db, keys).order("customer_id").fetchall()
    key = workspace_key(db)
    mac = lambda v: hmac.new(key, v.encode(), hashlib.sha256).hexdigest()  # noqa: E731
    assert rows == [("C1", mac("jan@example.pl"), None), ("C2", None, mac("+48601234567"))]
