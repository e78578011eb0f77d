"""Erasure (GDPR Art. 17): record an erasure suppression for a person through the consent ledger, so that every
later run removes them everywhere they were exported; write now the removals that need a raw value the workspace
is about to delete (advertising IDs Google and Meta received unhashed); then delete those raw values. Hashes,
keyed hashes and consent event ids stay: the audit needs them to show that the erasure reached every platform."""

import csv
import secrets
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from audience.audit.person import Person, customers_of
from audience.audit.queries import SQL
from audience.errors import InputError
from audience.export import ExportFile, file_sha256, write_manifest
from audience.platforms import PLATFORMS
from consent import importer
from consent.records import ImportReport

ERASURE = "erasure"
ID_TIME = "%Y%m%dT%H%M%SZ"
SUPPRESSION_HEADER = ("customer_id", "email", "phone", "kind", "effective_at", "recorded_at", "nonce")
"""`nonce` is random, so that the checksum the ledger keeps of this one-use file says nothing about its values."""


@dataclass(frozen=True, slots=True)
class Erasure:
    """What `forget` did for one person."""

    erasure_id: str
    customers: tuple[str, ...]
    suppressions: int
    """Erasure suppressions appended to the consent ledger."""
    removal_dir: Path | None
    """Where the removals written now are (None when no platform holds a value that needs one)."""
    removal_files: int
    removals: int
    unhashed_deleted: int


def new_erasure_id(now: datetime) -> str:
    """A unique erasure id that sorts by time: `erasure-YYYYMMDDTHHMMSSZ-<8 hex>`."""
    return f"{ERASURE}-{now.strftime(ID_TIME)}-{secrets.token_hex(4)}"


def forget(con: duckdb.DuckDBPyConnection, person: Person, *, out: Path, now: datetime,
           email: str | None = None, phone: str | None = None, default_region: str = "PL",
           options: Mapping[str, Mapping[str, Any]] | None = None) -> Erasure:
    """Erase a person found by `person.find`: append an erasure suppression (by each customer id, and by the email
    or phone given, so that other customer records with it are caught too) that every later run counts, whatever its
    as-of time (`store.run_suppressions_sql`); write the removals that need raw advertising IDs under
    `out/<erasure_id>/` with a manifest, record the erasure, and delete the raw values.

    `email` and `phone` are the raw values the person was found by (only the ledger's import sees them, and keeps
    keyed hashes); `options` are the platform writers' options (e.g. Google destination ids).

    Raises:
        InputError: nothing identifies the person (no customer found and no email or phone given).
    """
    if not person.customers and email is None and phone is None:
        raise InputError("The workspace knows no customer with this id (no run exported it and the consent ledger "
                         "does not name it) and no email or phone was given, so there is nothing to erase; check "
                         "the id, or give --email or --phone to suppress them for future runs.")
    erasure_id = new_erasure_id(now)
    recorded = _record_suppression(con, person, email, phone, now, default_region)
    SQL.script(con, "erasure_batch.sql", {"erasure_id": erasure_id, "batch_id": recorded.batch_id})
    with customers_of(con, person):
        unhashed = SQL.arrow(con, "erasure_unhashed.sql")
        run_dir = out / erasure_id
        written = _write_removals(unhashed, run_dir, options or {})
        manifest = write_manifest(run_dir, run_id=erasure_id, as_of=now.isoformat(), files=written) if written else None
        removal = unhashed.select(["platform", "audience", "id_type", "sha256"])
        con.register("erasure_removal", removal)
        con.execute("BEGIN TRANSACTION")
        try:
            SQL.script(con, "erasure_record.sql", {
                "erasure_id": erasure_id, "recorded_at": now,
                "out_dir": str(run_dir) if written else None,
                "manifest_sha256": file_sha256(manifest) if manifest else None, "files": len(written)})
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        finally:
            con.unregister("erasure_removal")
        (row,) = SQL.rows(con, "erasure.sql", {"erasure_id": erasure_id})
    return Erasure(erasure_id, person.customers, recorded.accepted + recorded.duplicates,
                   run_dir if written else None, len(written), removal.num_rows, row["unhashed_deleted"])


def _record_suppression(con: duckdb.DuckDBPyConnection, person: Person, email: str | None, phone: str | None,
                        now: datetime, default_region: str) -> ImportReport:
    """Append erasure suppressions through the ledger's importer, from a private one-use file deleted at once."""
    moment = now.isoformat()
    rows = [(c, "", "") for c in person.customers]
    if email is not None or phone is not None:
        rows.append(("", email or "", phone or ""))
    with tempfile.TemporaryDirectory(prefix="audience-forget-") as directory:
        path = Path(directory) / "erasure.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(SUPPRESSION_HEADER)
            for customer, mail, number in rows:
                writer.writerow((customer, mail, number, ERASURE, moment, moment, secrets.token_hex(16)))
        path.chmod(0o600)
        return importer.import_suppressions(con, path, default_region=default_region, now=now)


def _write_removals(unhashed: pa.Table, run_dir: Path, options: Mapping[str, Mapping[str, Any]]) -> list[ExportFile]:
    """Remove files per platform and audience for the values only the workspace can still name (one person's, so
    few: the loop is over their targets)."""
    written: list[ExportFile] = []
    for platform, audience in sorted({(p, a) for p, a in zip(unhashed["platform"].to_pylist(),
                                                                unhashed["audience"].to_pylist())}):
        mask = pc.and_(pc.equal(unhashed["platform"], platform),
                               pc.equal(unhashed["audience"], audience))
        members = unhashed.filter(mask).select(["customer_id", "identifier", "id_type", "value"])
        written += PLATFORMS[platform].write(members, audience=audience, op="remove", run_dir=run_dir,
                                             options=options.get(platform, {}))
    return written
