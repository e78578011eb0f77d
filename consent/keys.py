"""Keyed hashes (HMAC-SHA256) of canonical emails and phone numbers under the workspace's secret key.

Suppressions given by email or phone are stored only as these hashes, and the pipeline computes the same hashes
for its customers (`customer_key_hmacs`), so that the two match without the ledger keeping a raw value. The key is
32 random bytes made on first use and kept in the workspace database (`workspace_secret`); it is never printed.

An email is keyed by its mailbox (`mailbox_sql`): Gmail ignores dots and everything from a `+` in the local part,
so `Jan.Kowalski+shop@gmail.com` and `jankowalski@gmail.com` are one person, whom Google matches by one hash. A
suppression keeps the mailbox's hash; a customer has the hashes of both forms (suppressions recorded before keyed
the canonical form).
"""

import hmac
import os
from datetime import UTC, datetime
from hashlib import sha256

import duckdb
import pyarrow as pa

from audience.identifiers.fast_sql import in_list
from audience.identifiers.rules import GMAIL_DOMAINS
from consent import ledger

KEY_BYTES = 32
_BLOCK = 64
_OPAD, _IPAD = 0x5C, 0x36


def workspace_key(con: duckdb.DuckDBPyConnection) -> bytes:
    """The workspace's HMAC key, made and stored on first use."""
    ledger.ensure_schema(con)
    rows = con.execute("SELECT hmac_key FROM workspace_secret WHERE id = 1").fetchall()
    if rows:
        return bytes(rows[0][0])
    key = os.urandom(KEY_BYTES)
    con.execute("INSERT INTO workspace_secret VALUES (1, ?, ?)", [key, datetime.now(UTC)])
    return key


def hmac_parameters(con: duckdb.DuckDBPyConnection, key: bytes | None = None) -> dict[str, bytes]:
    """The named parameters `identifier_hmac_sql` expressions need: the padded key XOR opad and XOR ipad.

    `key` is the workspace key when it was read beforehand (a process that cannot open the workspace)."""
    padded = (workspace_key(con) if key is None else key).ljust(_BLOCK, b"\0")
    return {
        "hmac_opad": bytes(b ^ _OPAD for b in padded),
        "hmac_ipad": bytes(b ^ _IPAD for b in padded),
    }


def identifier_hmac_sql(value: str) -> str:
    """A SQL expression: the HMAC-SHA256 (lowercase hex) of the VARCHAR expression `value`; NULL stays NULL.

    It takes the named parameters of `hmac_parameters`. `value` must be SQL text from code, never data.
    """
    return f"sha256($hmac_opad::BLOB || unhex(sha256($hmac_ipad::BLOB || encode({value}))))"


def mailbox_sql(email: str) -> str:
    """A SQL expression: the mailbox of the canonical email `email` (SQL text from code, never data): at Gmail and
    Googlemail, the local part cut at the first `+` and without dots, as Google's own form; any other address, or
    one the cut leaves empty, as it is. NULL stays NULL."""
    local, domain = f"split_part({email}, '@', 1)", f"split_part({email}, '@', 2)"
    cut = f"replace(split_part({local}, '+', 1), '.', '')"
    return (f"CASE WHEN {domain} IN {in_list(GMAIL_DOMAINS)} AND {cut} <> '' THEN {cut} || '@' || {domain} "
            f"ELSE {email} END")


def identifier_hmac(con: duckdb.DuckDBPyConnection, value: str) -> str:
    """The HMAC-SHA256 of one canonical value, as the SQL expression computes it."""
    return hmac.new(workspace_key(con), value.encode(), sha256).hexdigest()


def mailbox_hmac(con: duckdb.DuckDBPyConnection, email: str) -> str:
    """The HMAC-SHA256 of the mailbox of one canonical email, as suppressions key it."""
    (mailbox,) = con.execute(f"SELECT {mailbox_sql('$email')}", {"email": email}).fetchall()[0]
    return identifier_hmac(con, mailbox)


def customer_key_hmacs(con: duckdb.DuckDBPyConnection, keys: pa.Table,
                       key: bytes | None = None) -> duckdb.DuckDBPyRelation:
    """customer_id, email_hmac and phone_hmac for a table of customer_id and canonical email and phone (E.164):
    a row of the canonical forms per customer, and one more with the email's mailbox alone where that differs.

    Null email or phone gives a null hash. The relation reads `keys` lazily: insert or materialise it once.
    `key` is the workspace key when `con` is not the workspace (a partition worker's own database).
    """
    customer_keys = keys.select(["customer_id", "email", "phone"])
    mailbox = mailbox_sql("email")
    return con.sql(
        f"SELECT customer_id, {identifier_hmac_sql('email')} AS email_hmac, "
        f"{identifier_hmac_sql('phone')} AS phone_hmac FROM customer_keys "
        f"UNION ALL SELECT customer_id, {identifier_hmac_sql(mailbox)}, NULL FROM customer_keys "
        f"WHERE {mailbox} <> email",
        params=hmac_parameters(con, key),
    )
