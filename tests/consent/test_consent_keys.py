"""Keyed hashes: the SQL HMAC equals Python's hmac, the key is made once per workspace and kept there."""

import hashlib
import hmac
from datetime import UTC, datetime

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from audience.identifiers.reference import platform_email
from consent.keys import (
    KEY_BYTES, customer_key_hmacs, hmac_parameters, identifier_hmac_sql, mailbox_hmac, mailbox_sql, workspace_key,
)
from consent.evaluate import suppressed_sql
from consent.records import Suppression
from consent_ledgers import append_suppressions, fresh

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


def test_a_gmail_customer_has_the_keyed_hash_of_the_mailbox_as_well() -> None:
    db = fresh()
    keys = pa.table({"customer_id": ["C1", "C2", "C3"],
                     "email": ["jan.kowalski+shop@gmail.com", "a.b@wp.pl", "jankowalski@gmail.com"],
                     "phone": ["+48601234567", None, None]})
    rows = customer_key_hmacs(db, keys).order("customer_id, phone_hmac NULLS LAST").fetchall()
    key = workspace_key(db)
    mac = lambda v: hmac.new(key, v.encode(), hashlib.sha256).hexdigest()  # noqa: E731
    assert rows == [("C1", mac("jan.kowalski+shop@gmail.com"), mac("+48601234567")),
                    ("C1", mac("jankowalski@gmail.com"), None),
                    ("C2", mac("a.b@wp.pl"), None), ("C3", mac("jankowalski@gmail.com"), None)]
    assert mailbox_hmac(db, "j.a.n.kowalski+news@gmail.com") == mac("jankowalski@gmail.com")


canonical_emails = st.builds(lambda local, domain: f"{local}@{domain}",
                             st.text("ab.+-_ą", min_size=1, max_size=12).filter(lambda s: s[0] not in ".+"),
                             st.sampled_from(["gmail.com", "googlemail.com", "wp.pl", "gmail.com.pl",
                                              "mail.gmail.com"]))


@settings(max_examples=300, deadline=None)
@given(canonical_emails)
def test_the_mailbox_is_googles_form_of_a_gmail_address_and_the_address_elsewhere(email: str) -> None:
    google = platform_email(email, "google")
    (got,) = con.execute(f"SELECT {mailbox_sql('$email')}", {"email": email}).fetchall()[0]
    assert got == (google.value if google.ok else email)


def test_a_suppression_recorded_by_the_canonical_form_before_mailboxes_still_matches() -> None:
    db = fresh()
    key = workspace_key(db)
    mac = lambda v: hmac.new(key, v.encode(), hashlib.sha256).hexdigest()  # noqa: E731
    when = datetime(2026, 1, 1, tzinfo=UTC)
    append_suppressions(db, [Suppression("objection", when, when, email_hmac=mac("jan.kowalski@gmail.com"))])
    keys = pa.table({"customer_id": ["C1", "C2"], "email": ["jan.kowalski@gmail.com", "jankowalski@gmail.com"],
                     "phone": [None, None]})
    customer_key_hmacs(db, keys).to_table("customer_key")
    found = db.execute(f"SELECT DISTINCT customer_id FROM ({suppressed_sql(db, 'customer_key')})",
                       {"as_of": when}).fetchall()
    assert found == [("C1",)]
