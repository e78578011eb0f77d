"""Google Customer Match: Data Manager API request bodies and Customer Match CSVs, contact and mobile lists apart."""

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from audience.errors import InputError
from audience.platforms.base import (
    ExportFile,
    FileIdentifier,
    IdTypeSpec,
    Lines,
    Op,
    Target,
    batch_ranges,
    check_members,
    choose,
    concat,
    customer_rows,
    int_option,
    text_option,
    values_at,
)

ID_TYPES = {
    "EMAIL": IdTypeSpec("email", "sha256"),
    "PHONE": IdTypeSpec("phone", "sha256"),
    "MOBILE_ID": IdTypeSpec("device_id", "maid"),
}
MAX_BATCH = 10_000
"""The Data Manager API takes at most 10,000 audienceMembers per request."""
REQUEST: dict[Op, str] = {"full": "ingest", "add": "ingest", "remove": "remove"}
"""Which `audienceMembers:<method>` each op's bodies are for."""
CONSENT = {"adUserData": "CONSENT_GRANTED", "adPersonalization": "CONSENT_GRANTED"}
TERMS_OF_SERVICE = {"customerMatchTermsOfServiceStatus": "ACCEPTED"}
ACCOUNT_TYPES = ("GOOGLE_ADS", "DISPLAY_VIDEO_PARTNER", "DISPLAY_VIDEO_ADVERTISER", "DATA_PARTNER")
Build = Callable[[], pa.Array]
"""Makes the text lines of one file set when it is about to be written."""
PLACEHOLDERS = {
    "operating_account_id": "<operating_account_id>",
    "contact_list_id": "<contact_list_id>",
    "mobile_list_id": "<mobile_list_id>",
}
"""Written in place of a destination id that the options do not give; the API rejects them, so fill them in."""
AUDIENCE_PLACEHOLDER = "<google.audiences.{audience}.{option}>"
"""Written in place of the list id of an audience other than `all` that the options do not give."""
SHARED_LISTS_AUDIENCE = "all"
"""The audience (the built-in `all`) whose lists are the top-level `contact_list_id` and `mobile_list_id`."""


@dataclass(frozen=True, slots=True)
class CustomerList:
    """One kind of Customer Match list: its file names, CSV header and the option holding its list id."""

    prefix: str
    csv_name: str
    csv_header: bytes
    list_option: str
    identifier: FileIdentifier


CONTACT = CustomerList("", "customer-match.csv", b"Email,Phone\n", "contact_list_id", "multi")
MOBILE = CustomerList("mobile-", "mobile-ids.csv", b"Mobile Device ID\n", "mobile_list_id", "device_id")
LISTS = (CONTACT, MOBILE)
"""Every audience has one list of each kind, its own."""


class GoogleWriter:
    """Google: `ingest-NNNN.json` (full, add) or `remove-NNNN.json` (remove) plus `customer-match.csv` for contact
    info, and `mobile-ingest-NNNN.json` / `mobile-remove-NNNN.json` plus `mobile-ids.csv` for the mobile-ID list.

    Options: `batch_size` (members per body, 1–10,000; default 10,000), `operating_account_id`,
    `operating_account_type` (default GOOGLE_ADS), `contact_list_id` and `mobile_list_id` (the lists of the
    audience `all`), and `audiences`: per audience name, its own `contact_list_id` and `mobile_list_id` (for `all`
    these win over the top-level ones). Every audience writes to its own lists only: an id that is not given is
    written as a placeholder naming the option to set.
    """

    name = "google"
    min_audience = 100
    small_removals = ""

    def placeholders(self, *, audience: str, options: Mapping[str, Any]) -> tuple[str, ...]:
        """The destinations of the audience's bodies that the options do not give (written as placeholders)."""
        return tuple(key for key, value in self.destinations(audience=audience, options=options).items()
                     if value is None)

    def destinations(self, *, audience: str, options: Mapping[str, Any]) -> dict[str, str | None]:
        """The operating account and the audience's own lists its bodies name (None when unset)."""
        account = options.get("operating_account_id")
        shared = audience == SHARED_LISTS_AUDIENCE
        return {"google.operating_account_id": None if account is None else str(account)} | {
            f"google.{kind.list_option}" if shared else f"google.audiences.{audience}.{kind.list_option}":
                _list_id(kind, audience, options)
            for kind in LISTS
        }

    def write(
        self, members: pa.Table, *, audience: str, op: Op, run_dir: Path, options: Mapping[str, Any]
    ) -> list[ExportFile]:
        """Write the request bodies and CSVs for one audience and op (nothing for no members)."""
        target = Target.of(run_dir, self.name, audience, op)
        batch = int_option(options, "batch_size", MAX_BATCH, low=1, high=MAX_BATCH)
        heads = _heads(audience, op, options)
        checked = check_members(members, ID_TYPES)
        if not len(checked):
            return target.finish([])
        rows_of = customer_rows(checked, tuple(ID_TYPES))
        has_contact = (rows_of["EMAIL"] >= 0) | (rows_of["PHONE"] >= 0)
        email_rows, phone_rows = rows_of["EMAIL"][has_contact], rows_of["PHONE"][has_contact]
        email, phone = values_at(checked, "EMAIL", email_rows), values_at(checked, "PHONE", phone_rows)
        mobile_rows = rows_of["MOBILE_ID"]
        mobile = values_at(checked, "MOBILE_ID", mobile_rows[mobile_rows >= 0])
        tail = f', "consent": {json.dumps(CONSENT)}}},'  # on remove bodies too, as pipeline.md asks
        contact = (partial(_contact_members, email, phone, tail), partial(concat, email, ",", phone, "\n"))
        mobile_ids = (
            partial(concat, '{"mobileData": {"mobileIds": ["', mobile, f'"]}}{tail}\n'),
            partial(concat, mobile, "\n"),
        )
        files = []
        for kind, count, (bodies, csv) in ((CONTACT, len(email), contact), (MOBILE, len(mobile), mobile_ids)):
            if count:
                files += _write_list(target, kind, heads[kind], bodies, csv, batch)
        return target.finish(files)


def _contact_members(email: pa.Array, phone: pa.Array, tail: str) -> pa.Array:
    """One `audienceMembers` entry per customer: its hashed email and/or phone as `userIdentifiers`."""
    has_email, has_phone = pc.is_valid(email), pc.is_valid(phone)
    return concat(
        '{"userData": {"userIdentifiers": [',
        choose(has_email, '{"emailAddress": "', ""),
        email,
        choose(has_email, '"}', ""),
        choose(pc.and_(has_email, has_phone), ", ", ""),
        choose(has_phone, '{"phoneNumber": "', ""),
        phone,
        choose(has_phone, '"}', ""),
        f"]}}{tail}\n",
    )


def _write_list(
    target: Target, kind: CustomerList, head: bytes, bodies: Build, csv: Build, batch: int
) -> list[ExportFile]:
    """Write one list's request bodies, then its CSV (building each only when needed, to bound memory)."""
    method = REQUEST[target.op]
    members = Lines(bodies())
    files = [
        target.write(
            f"{kind.prefix}{method}-{n:04d}.json",
            [head, members.span(start, stop, trim=2), b"\n]}\n"],
            identifier=kind.identifier,
            rows=stop - start,
        )
        for n, (start, stop) in enumerate(batch_ranges(len(members), batch), start=1)
    ]
    del members
    rows = Lines(csv())
    text = rows.chunks(head=kind.csv_header)
    csv_file = target.write(kind.csv_name, text, identifier=kind.identifier, rows=len(rows))
    return [*files, csv_file]


def _heads(audience: str, op: Op, options: Mapping[str, Any]) -> dict[CustomerList, bytes]:
    """The opening of every request body, per kind of list: the audience's own list of that kind as destination.

    Raises:
        InputError: an option is invalid, or the contact and mobile lists are one list.
    """
    lists = {kind: _list_id(kind, audience, options) or _list_placeholder(kind, audience) for kind in LISTS}
    if lists[CONTACT] == lists[MOBILE]:
        raise InputError(
            f"Audience {audience!r} has one Google list, {lists[CONTACT]}, for contact information and mobile IDs; "
            "a Customer Match list takes one kind of identifier: give it a separate mobile-ID list."
        )
    return {kind: _head(lists[kind], op, options) for kind in LISTS}


def _list_id(kind: CustomerList, audience: str, options: Mapping[str, Any]) -> str | None:
    """The audience's own list of this kind: its `audiences` entry, for `all` else the top-level option; None when
    the options give none."""
    own = _own_lists(audience, options).get(kind.list_option)
    if own is not None:
        key = f"audiences.{audience}.{kind.list_option}"
        return text_option({key: own}, key, "")
    if audience == SHARED_LISTS_AUDIENCE and options.get(kind.list_option) is not None:
        return text_option(options, kind.list_option, "")
    return None


def _list_placeholder(kind: CustomerList, audience: str) -> str:
    """What the bodies name in place of a list the options do not give: the option to set."""
    if audience == SHARED_LISTS_AUDIENCE:
        return PLACEHOLDERS[kind.list_option]
    return AUDIENCE_PLACEHOLDER.format(audience=audience, option=kind.list_option)


def _own_lists(audience: str, options: Mapping[str, Any]) -> Mapping[str, Any]:
    """The audience's entry in the `audiences` option (empty when it has none)."""
    lists = options.get("audiences") or {}
    own = (lists.get(audience) or {}) if isinstance(lists, Mapping) else None
    if not isinstance(own, Mapping):
        raise InputError(
            "Option audiences must map audience names to tables of contact_list_id and mobile_list_id; "
            f"got {lists!r}."
        )
    return own


def _head(list_id: str, op: Op, options: Mapping[str, Any]) -> bytes:
    account_type = text_option(options, "operating_account_type", "GOOGLE_ADS")
    if account_type not in ACCOUNT_TYPES:
        raise InputError(
            f"Option operating_account_type must be one of {', '.join(ACCOUNT_TYPES)}; got {account_type!r}."
        )
    account = {
        "accountType": account_type,
        "accountId": text_option(options, "operating_account_id", PLACEHOLDERS["operating_account_id"]),
    }
    destination = {"operatingAccount": account, "productDestinationId": list_id}
    # Every body states the encoding, as the contract (pipeline.md) asks; the API needs it only for hashed userData,
    # and takes it with unhashed mobileData.
    body: dict[str, Any] = {"destinations": [destination], "encoding": "HEX"}
    if op != "remove":
        body["termsOfService"] = TERMS_OF_SERVICE
    return (json.dumps(body)[:-1] + ', "audienceMembers": [\n').encode()
