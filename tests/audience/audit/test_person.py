"""Who a trace or an erasure is about: found by the person's own values, never by a platform form they share."""

from pathlib import Path

import pyarrow as pa

from audience import store
from audience.audit.person import find
from audience.hashing import sha256_hex
from consent.keys import customer_key_hmacs, identifier_hmac


def test_an_email_finds_its_customer_and_not_one_whose_tiktok_form_it_shares(tmp_path: Path) -> None:
    with store.opened(tmp_path / "w.duckdb") as con:
        rows = [("C040", "meta", "a.b@wp.pl"), ("C040", "tiktok", "ab@wp.pl"),
                ("C041", "meta", "ab@wp.pl"), ("C041", "tiktok", "ab@wp.pl")]
        for customer, platform, value in rows:
            con.execute("INSERT INTO membership VALUES ('r1', ?, 'all', ?, 'email', 'EMAIL', ?, 'E1')",
                        [platform, customer, sha256_hex(value)])
        for customer, email in (("C040", "a.b@wp.pl"), ("C041", "ab@wp.pl")):
            con.execute("INSERT INTO run_key VALUES ('r1', ?, ?, NULL)", [customer, identifier_hmac(con, email)])
        assert find(con, email=" A.B@wp.pl ").customers == ("C040",)
        assert find(con, email="ab@wp.pl").customers == ("C041",)


def test_a_gmail_address_finds_the_customers_of_its_mailbox(tmp_path: Path) -> None:
    with store.opened(tmp_path / "w.duckdb") as con:
        keys = pa.table({"customer_id": ["C1", "C2", "C3"],
                         "email": ["jan.kowalski@gmail.com", "jankowalski+shop@gmail.com", "jan.kowalski@wp.pl"],
                         "phone": [None, None, None]})
        customer_key_hmacs(con, keys).to_table("staged_keys")
        con.execute("INSERT INTO run_key SELECT 'r1', * FROM staged_keys")
        assert find(con, email="JanKowalski@gmail.com").customers == ("C1", "C2")
        assert find(con, email="jan.kowalski@wp.pl").customers == ("C3",)
        con.execute("DELETE FROM run_key")
        old_key = identifier_hmac(con, "jan.kowalski@gmail.com")
        con.execute("INSERT INTO run_key VALUES ('r0', 'C0', ?, NULL)", [old_key])
        assert find(con, email="jan.kowalski@gmail.com").customers == ("C0",), "keys of runs before mailboxes"
