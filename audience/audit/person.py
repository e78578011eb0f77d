"""Who a trace or an erasure is about. An email or phone given on the command line is normalised and hashed by the
identifier core, once per platform and as the ledger's keyed hash, and only those hashes are looked up; the raw
value is never stored, printed or put in a query's text."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

import duckdb
import pyarrow as pa

from audience.audit import queries
from audience.audit.queries import SQL
from audience.errors import InputError
from audience.hashing import sha256_hex
from audience.identifiers.reference import canonical_email, canonical_phone, platform_phone
from audience.identifiers.rules import PLATFORMS, RuleSet
from audience.reports import queries as report_queries
from consent import ledger
from consent.keys import identifier_hmac, mailbox_hmac

Given = Literal["email", "phone", "customer_id"]


@dataclass(frozen=True, slots=True)
class Person:
    """A person as the workspace can find them: their platform hashes or keyed hash, and their customer ids."""

    given: Given
    customers: tuple[str, ...]
    hashes: tuple[tuple[str, str, str], ...]
    """(platform, identifier, sha256) of a phone number given, per platform. An email is looked up by its keyed
    hashes alone: a platform's form of it may be another address's too (TikTok sends `a.b@wp.pl` and `ab@wp.pl` as
    one hash), and every customer a run exports has its keys recorded (`run_key`)."""
    email_hmacs: tuple[str, ...]
    """The keyed hashes of an email given: of its canonical form and of its mailbox (`consent.keys.mailbox_sql`),
    which finds the customers whose addresses are the same Gmail mailbox."""
    phone_hmac: str | None


def find(con: duckdb.DuckDBPyConnection, *, email: str | None = None, phone: str | None = None,
         customer_id: str | None = None, rules: RuleSet = RuleSet()) -> Person:
    """The person named by exactly one of an email, a phone number or a customer id.

    Raises:
        InputError: not exactly one is given, or the email or phone is not a usable value (the reason says why,
            never echoing it).
    """
    given = [name for name, value in (("email", email), ("phone", phone), ("customer_id", customer_id))
             if value is not None]
    if len(given) != 1:
        raise InputError("Give exactly one of --email, --phone or --customer-id.")
    ensure_tables(con)
    hashes: list[tuple[str, str, str]] = []
    email_hmacs: tuple[str, ...] = ()
    phone_hmac = None
    if email is not None:
        canonical = canonical_email(email)
        if not canonical.ok:
            raise InputError(f"--email is not a usable email address ({canonical.reason}); check it.")
        email_hmacs = tuple(dict.fromkeys((identifier_hmac(con, canonical.value), mailbox_hmac(con, canonical.value))))
    if phone is not None:
        canonical = canonical_phone(phone, None, rules.default_region)
        if not canonical.ok:
            raise InputError(f"--phone is not a usable phone number ({canonical.reason}); give it with its "
                             "country code, e.g. +48 512 345 678.")
        hashes += [(p, "phone", sha256_hex(platform_phone(canonical.value, p, rules))) for p in PLATFORMS]
        phone_hmac = identifier_hmac(con, canonical.value)
    table = pa.table({"platform": [h[0] for h in hashes], "identifier": [h[1] for h in hashes],
                      "sha256": [h[2] for h in hashes]}, schema=pa.schema([(n, pa.string()) for n in
                                                                           ("platform", "identifier", "sha256")]))
    con.register("person_hash", table)
    try:
        found = SQL.rows(con, "person_customers.sql",
                         {"email_hmacs": list(email_hmacs), "phone_hmac": phone_hmac, "customer_id": customer_id})
    finally:
        con.unregister("person_hash")
    return Person(given[0], tuple(r["customer_id"] for r in found), tuple(hashes), email_hmacs, phone_hmac)


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the ledger, report and audit tables a lookup reads, if a workspace lacks them."""
    ledger.ensure_schema(con)
    report_queries.ensure_schema(con)
    queries.ensure_schema(con)


@contextmanager
def customers_of(con: duckdb.DuckDBPyConnection, person: Person) -> Iterator[None]:
    """`person_customer` (customer_id) visible to SQL for the duration of the block."""
    con.register("person_customer", pa.table({"customer_id": pa.array(person.customers, pa.string())}))
    try:
        yield
    finally:
        con.unregister("person_customer")
