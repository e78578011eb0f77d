"""Columns outside the contract that hold identifiers are not kept: in no table, not even while importing."""

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from consent import extras, ledger
from consent.extras import HOLDS_IDENTIFIERS, NAMED, NAMED_LIKE_IDENTIFIER, named_identifier
from consent.importer import import_file
from consent.integrity import verify
from consent.keys import identifier_hmac
from consent.records import ImportReport
from consent.sources import open_source
from consent_ledgers import fresh, write_csv

NOW = datetime(2026, 3, 1, tzinfo=UTC)
HEADER = ("event_id", "customer_id", "platform", "action", "effective_at", "recorded_at", "identifiers")
ROWS = [
    ("E1", "C1", "*", "grant", "2026-01-10T10:00:00+01:00", "2026-01-10T10:00:05+01:00", "email|phone"),
    ("E2", "C2", "meta", "withdraw", "2026-02-01T09:00:00Z", None, None),
]
PLAIN_HASHES = ["d8941f0c16fe55671e859e0ae0679333fc38ae35aa5f360c13c3e5427cd0dcc9",
                "f4ce97f0131458c14a0ea251ab735d37be9293df3b22b083ff30eb255fceb69b"]
"""The row hashes of ROWS (in every format) as the importer wrote them before identifier columns were withheld."""
TICKETS = ("T-1", None)
TICKET_HASHES = ["ad5bca418604483b83cd3655cd45243556590e969d76b79bc62ac2de7ea69aaf",
                 "c32482f324a74b6bac888dcae14871772b3b52f2c0e1053996d7392d1e2ca96d"]
"""The same, for ROWS with a `ticket` column holding TICKETS."""
SUPPRESSION_HASHES = ["baed631a891cbbd1f58e23382b47fda0b34a502e590c125fca5c0882bf7a7165",
                      "79676b401c6e4f8f197988e2b2c6a97f8097f2f426f1982cde78938e6d66396e"]
"""The same, for two suppressions by customer id with a `ticket` column (SUPPRESSIONS without the identifiers)."""
RAW = ("anna.nowak", "example.com", "601 234 567", "601234567", "jan.k", "example.org", "38400000-8cf0-11bd",
       "ewa@", "48500600700")
"""Pieces of every raw identifier in the files below: none may appear anywhere in the database."""


def write(fmt: str, path: Path, header: Sequence[str], rows: Sequence[tuple]) -> Path:
    """`rows` under `header` as a CSV, JSON Lines (absent values left out) or Parquet file."""
    path = path.with_suffix(f".{fmt}")
    if fmt == "csv":
        return write_csv(path, header, rows)
    if fmt == "jsonl":
        path.write_text("".join(json.dumps({k: v for k, v in zip(header, row, strict=True) if v is not None}) + "\n"
                                for row in rows), encoding="utf-8")
        return path
    pq.write_table(pa.table({k: [row[i] for row in rows] for i, k in enumerate(header)}), path)
    return path


def database_text(con: duckdb.DuckDBPyConnection) -> str:
    """Every row of every table and view, temporary ones included, as text."""
    relations = con.execute(
        "SELECT database_name, schema_name, table_name FROM duckdb_tables() UNION ALL "
        "SELECT database_name, schema_name, view_name FROM duckdb_views() WHERE NOT internal"
    ).fetchall()
    return "\n".join(f"{name}: {con.execute(_select_all(db, schema, name)).fetchall()}"
                     for db, schema, name in relations)


def _select_all(db: str, schema: str, name: str) -> str:
    return 'SELECT * FROM "' + '"."'.join((db, schema, name)) + '"'


def imported_watching(con: duckdb.DuckDBPyConnection, path: Path, monkeypatch: pytest.MonkeyPatch,
                      **options: str) -> tuple[ImportReport, str]:
    """Import `path`, and the database's text as it was just before the append, with every staging table there."""
    seen: list[str] = []
    append: Callable[..., tuple[int, int, str] | None] = ledger.append

    def watched(con: duckdb.DuckDBPyConnection, table: ledger.LedgerTable, staged: str) -> tuple[int, int, str] | None:
        seen.append(database_text(con))
        return append(con, table, staged)

    monkeypatch.setattr(ledger, "append", watched)
    report = import_file(con, path, now=NOW, **options)
    assert len(seen) == 1 and "consent_new" in seen[0]
    return report, seen[0]


def row_hashes(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [h for (h,) in con.execute(f"SELECT row_hash FROM {table} ORDER BY seq").fetchall()]


def assert_no_raw_identifier(*texts: str) -> None:
    for text in texts:
        assert not [piece for piece in RAW if piece in text]


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_events_lose_their_email_and_phone_columns_and_keep_the_rest_as_before(
    fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    header = (*HEADER, "email", "ticket", "Phone")
    rows = [(*ROWS[0], "anna.nowak@example.com", TICKETS[0], "+48 601 234 567"),
            (*ROWS[1], None, TICKETS[1], "601234567")]
    con = fresh()
    report, staging = imported_watching(con, write(fmt, tmp_path / "events", header, rows), monkeypatch)
    assert (report.accepted, report.rejected) == (2, 0)
    assert report.extra_columns == ("ticket",)
    assert sorted((w.column, w.reason) for w in report.withheld_columns) == [("Phone", NAMED), ("email", NAMED)]
    assert con.execute("SELECT extra FROM consent_event ORDER BY seq").fetchall() == [({"ticket": "T-1"},), (None,)]
    assert_no_raw_identifier(staging, database_text(con), repr(report))
    assert row_hashes(con, "consent_event") == TICKET_HASHES
    assert verify(con).intact


def test_the_same_events_without_their_identifier_columns_are_duplicates(tmp_path: Path) -> None:
    con = fresh()
    with_email = write_csv(tmp_path / "with.csv", (*HEADER, "E-Mail "), [(*ROWS[0], "ewa@example.com"), (*ROWS[1], "")])
    first = import_file(con, with_email, now=NOW)
    again = import_file(con, write_csv(tmp_path / "without.csv", HEADER, ROWS), now=NOW)
    assert [w.column for w in first.withheld_columns] == ["E-Mail"] and first.extra_columns == ()
    assert (again.accepted, again.duplicates) == (0, 2)
    assert row_hashes(con, "consent_event") == PLAIN_HASHES


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_an_innocently_named_column_holding_an_email_somewhere_is_not_kept(
    fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    header = (*HEADER, "note", "ticket")
    rows = [(*ROWS[0], "call back on Tuesday", TICKETS[0]), (*ROWS[1], "new address: Jan.K@Example.org!", TICKETS[1])]
    con = fresh()
    report, staging = imported_watching(con, write(fmt, tmp_path / "events", header, rows), monkeypatch)
    assert report.extra_columns == ("ticket",)
    assert [(w.column, w.reason) for w in report.withheld_columns] == [("note", HOLDS_IDENTIFIERS)]
    assert "Tuesday" not in staging + database_text(con)
    assert_no_raw_identifier(staging, database_text(con))
    assert row_hashes(con, "consent_event") == TICKET_HASHES and verify(con).intact


def test_an_email_inside_a_list_value_of_json_lines_is_found(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text("".join(json.dumps({**dict(zip(HEADER, row, strict=True)), "contacts": contacts}) + "\n"
                            for row, contacts in zip(ROWS, [["shop"], ["shop", "ewa@example.com"]], strict=True)),
                    encoding="utf-8")
    con = fresh()
    report = import_file(con, path, now=NOW)
    assert [(w.column, w.reason) for w in report.withheld_columns] == [("contacts", HOLDS_IDENTIFIERS)]
    assert_no_raw_identifier(database_text(con))
    assert row_hashes(con, "consent_event") == PLAIN_HASHES


def test_a_column_named_with_an_email_address_is_not_kept_and_not_named(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "events.csv", (*HEADER, "ewa@example.com"), [(*ROWS[0], "x"), (*ROWS[1], None)])
    con = fresh()
    report = import_file(con, path, now=NOW)
    assert [(w.column, w.reason) for w in report.withheld_columns] == [("?", NAMED_LIKE_IDENTIFIER)]
    assert_no_raw_identifier(database_text(con), repr(report))
    assert row_hashes(con, "consent_event") == PLAIN_HASHES


def test_suppressions_lose_device_id_e_mail_and_mobile_columns_and_still_hash_their_email(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    header = ("customer_id", "email", "phone", "kind", "effective_at", "device_id", "ticket", " E-mail", "mobile")
    rows = [
        ("C1", None, None, "objection", "2026-01-10T10:00:00Z", "38400000-8cf0-11bd-b23e-10b96e4ef00d", "T-17",
         "anna.nowak@example.com", "+48 601 234 567"),
        ("C2", None, None, "minor", "2026-01-10T10:00:00Z", None, "", None, "48500600700"),
        (None, "Jan.K@example.org", "601 234 567", "erasure", "2026-01-10T10:00:00Z", None, None, None, None),
    ]
    con = fresh()
    report, staging = imported_watching(con, write_csv(tmp_path / "s.csv", header, rows), monkeypatch)
    assert (report.kind, report.accepted, report.rejected) == ("suppressions", 3, 0)
    assert report.extra_columns == ("ticket",)
    assert [(w.column, w.reason) for w in report.withheld_columns] == [
        ("device_id", NAMED), ("E-mail", NAMED), ("mobile", NAMED)]
    stored = con.execute("SELECT customer_id, email_hmac, phone_hmac, extra FROM suppression ORDER BY seq").fetchall()
    assert stored == [("C1", None, None, {"ticket": "T-17"}), ("C2", None, None, None),
                      (None, identifier_hmac(con, "jan.k@example.org"), identifier_hmac(con, "+48601234567"), None)]
    assert_no_raw_identifier(database_text(con))
    assert "38400000" not in staging and "anna.nowak" not in staging and "48500600700" not in staging
    assert row_hashes(con, "suppression")[:2] == SUPPRESSION_HASHES
    assert verify(con).intact


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_a_file_without_extra_columns_imports_exactly_as_before(fmt: str, tmp_path: Path) -> None:
    con = fresh()
    report = import_file(con, write(fmt, tmp_path / "events", HEADER, ROWS), now=NOW)
    assert (report.accepted, report.extra_columns, report.withheld_columns) == (2, (), ())
    assert row_hashes(con, "consent_event") == PLAIN_HASHES and verify(con).intact


def test_harmless_extra_columns_are_kept_exactly_as_before(tmp_path: Path) -> None:
    con = fresh()
    path = write_csv(tmp_path / "events.csv", (*HEADER, "ticket"), [(*row, t) for row, t in zip(ROWS, TICKETS)])
    report = import_file(con, path, now=NOW)
    assert (report.extra_columns, report.withheld_columns) == (("ticket",), ())
    assert row_hashes(con, "consent_event") == TICKET_HASHES


def test_screening_a_file_without_extra_columns_reads_nothing(tmp_path: Path) -> None:
    con = duckdb.connect()
    source = open_source(con, write_csv(tmp_path / "events.csv", HEADER, ROWS))
    con.close()
    assert extras.screen(con, source, HEADER) == (source, ())


@pytest.mark.parametrize("name", [
    "email", "E-mail", " EMAIL ", "e_mail", "Email Address", "mail", "phone", "Phone Number", "phone-number",
    "MOBILE", "msisdn", "Tel", "telephone", "Device ID", "device_id", "deviceId", "MAID", "idfa", "gaid", "AAID",
    "adid", "Advertising ID", "advertising_id",
], ids=str)
def test_these_names_say_a_column_holds_identifiers(name: str) -> None:
    assert named_identifier(name)


@pytest.mark.parametrize("name", ["ticket", "note", "email_hash", "phone_country", "mailing list", "telemetry",
                                  "channel", "tc_string"], ids=str)
def test_these_names_do_not(name: str) -> None:
    assert not named_identifier(name)


@pytest.mark.parametrize("value", ["called back on +48 601 777 001", "601777001", "(0048) 601-777-001",
                                   "ABCDEF31-1111-4222-8333-ABCDEFABCD31"])
def test_a_neutrally_named_column_holding_a_phone_or_device_id_is_not_kept(value: str, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "events.csv", (*HEADER, "notes", "ticket"),
                     [(*ROWS[0], None, TICKETS[0]), (*ROWS[1], value, TICKETS[1])])
    con = fresh()
    report = import_file(con, path, now=NOW)
    assert report.extra_columns == ("ticket",)
    assert [(w.column, w.reason) for w in report.withheld_columns] == [("notes", HOLDS_IDENTIFIERS)]
    assert value not in database_text(con)
    assert row_hashes(con, "consent_event") == TICKET_HASHES


def test_a_column_named_with_a_phone_or_device_id_is_not_kept_and_not_named(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "events.csv", (*HEADER, "+48 601 777 001", "ABCDEF31-1111-4222-8333-ABCDEFABCD31"),
                     [(*ROWS[0], "yes", "ios"), (*ROWS[1], None, None)])
    con = fresh()
    report = import_file(con, path, now=NOW)
    assert [(w.column, w.reason) for w in report.withheld_columns] == [("?", NAMED_LIKE_IDENTIFIER)] * 2
    assert "601 777" not in repr(report) + database_text(con) and "ABCDEF31" not in repr(report)
    assert row_hashes(con, "consent_event") == PLAIN_HASHES


def test_dates_and_short_numbers_in_extra_columns_are_kept(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "events.csv", (*HEADER, "ticket"),
                     [(*ROWS[0], "2026-03-01T10:00:00+01:00"), (*ROWS[1], "order 12345678")])
    report = import_file(fresh(), path, now=NOW)
    assert report.extra_columns == ("ticket",) and report.withheld_columns == ()
