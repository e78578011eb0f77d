"""Importing consent events and suppressions: formats, rejections by row and column, refusals, idempotence."""

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audience.errors import InputError
from consent import chain, importer
from consent.importer import import_file
from consent.evaluate import evaluate
from consent.integrity import verify
from consent.keys import identifier_hmac
from consent.records import UNUSABLE_ID, Rejection
from consent.suppressions import KEPT_NOTE
from consent.status import parse_instant
from consent_ledgers import fresh, write_csv

NOW = datetime(2026, 3, 1, tzinfo=UTC)
HEADER = ("event_id", "customer_id", "platform", "action", "effective_at", "recorded_at", "identifiers")
ROWS = [
    ("E1", "C1", "*", "grant", "2026-01-10T10:00:00+01:00", "2026-01-10T10:00:05+01:00", "email|phone"),
    ("E2", "C1", "meta", "withdraw", "2026-02-01T09:00:00Z", None, None),
    ("E3", "C2", "Google", "GRANT", "2026-01-10T10:00:00", None, None),
    ("E4", None, "tiktok", "grant", "2026-01-10T10:00:00Z", None, "email|fax"),
    ("E5", "C3", "facebook", "maybe", "yesterday", "2026-02-30T10:00:00Z", None),
]
EXPECTED_REJECTIONS = (
    Rejection(3, "effective_at", "timestamp without a UTC offset; add one, e.g. 2026-03-01T10:00:00+01:00 or ...Z"),
    Rejection(4, "customer_id", "missing"),
    Rejection(4, "identifiers", "not a |-separated subset of device_id|email|phone"),
    Rejection(5, "action", "not one of grant, withdraw"),
    Rejection(5, "effective_at", "not an ISO 8601 timestamp; write it like 2026-03-01T10:00:00+01:00"),
    Rejection(5, "platform", "not one of google, meta, tiktok, *"),
    Rejection(5, "recorded_at", "not a valid date and time"),
)
LEDGER_ROWS = [
    (1, 1, "E1", "C1", "*", "grant", "2026-01-10T09:00:00+00:00", "2026-01-10T09:00:05+00:00", ["email", "phone"]),
    (2, 2, "E2", "C1", "meta", "withdraw", "2026-02-01T09:00:00+00:00", "2026-03-01T00:00:00+00:00",
     ["device_id", "email", "phone"]),
]


def write_jsonl(path: Path) -> Path:
    lines = [json.dumps({k: v for k, v in zip(HEADER, row, strict=True) if v is not None}) for row in ROWS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_parquet(path: Path) -> Path:
    pq.write_table(pa.table({k: [row[i] for row in ROWS] for i, k in enumerate(HEADER)}), path)
    return path


WRITERS = {
    "csv": lambda p: write_csv(p / "events.csv", HEADER, ROWS),
    "jsonl": lambda p: write_jsonl(p / "events.jsonl"),
    "parquet": lambda p: write_parquet(p / "events.parquet"),
}


def ledger_rows(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return [(seq, row, e, c, p, a, eff.isoformat(), rec.isoformat(), ids) for seq, row, e, c, p, a, eff, rec, ids in
            con.execute("SELECT seq, source_row, event_id, customer_id, platform, action, effective_at, "
                        "recorded_at, identifiers FROM consent_event ORDER BY seq").fetchall()]


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_every_format_gives_the_same_ledger_and_the_same_rejections(fmt: str, tmp_path: Path) -> None:
    con = fresh()
    report = import_file(con, WRITERS[fmt](tmp_path), now=NOW)
    assert (report.kind, report.rows, report.accepted, report.duplicates, report.rejected) == ("events", 5, 2, 0, 3)
    assert report.rejections == EXPECTED_REJECTIONS and report.rejections_total == len(EXPECTED_REJECTIONS)
    assert ledger_rows(con) == LEDGER_ROWS


def test_a_missing_required_column_refuses_the_file_and_names_it(tmp_path: Path) -> None:
    con = fresh()
    path = write_csv(tmp_path / "e.csv", ("event_id", "customer_id", "Platform "), [("E1", "C1", "meta")])
    with pytest.raises(InputError, match=r"missing the required events column\(s\): action, effective_at"):
        import_file(con, path, "events")
    assert con.execute("SELECT count(*) FROM consent_event UNION ALL SELECT count(*) FROM import_batch"
                       ).fetchall() == [(0,), (0,)]


def test_a_json_lines_file_without_required_keys_is_told_to_add_keys(tmp_path: Path) -> None:
    path = tmp_path / "e.jsonl"
    path.write_text('{"event_id": "E1", "customer_id": "C1", "platform": "meta"}\n')
    with pytest.raises(InputError, match=r"column\(s\): action, effective_at\. Add them as keys of its JSON objects;"):
        import_file(fresh(), path, "events")
    path.write_text("")
    with pytest.raises(InputError, match="The file is empty: it needs at least one JSON object per line"):
        import_file(fresh(), path, "events")


def test_a_suppressions_file_needs_one_key_column(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "s.csv", ("kind", "effective_at"), [("erasure", "2026-01-01T00:00:00Z")])
    with pytest.raises(InputError, match="customer_id or email or phone"):
        import_file(fresh(), path)


def test_a_semicolon_separated_file_gets_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text("event_id;customer_id;platform;action;effective_at\nE1;C1;meta;grant;2026-01-01T00:00:00Z\n")
    with pytest.raises(InputError, match="not comma-separated"):
        import_file(fresh(), path, "events")


@pytest.mark.parametrize(("name", "text", "message"), [
    ("e.txt", "event_id\n", "unknown file type '.txt'"),
    ("e.csv", 'event_id,customer_id\n"E1,C1\nE2,"secret@example.pl\n', "could not be read as CSV"),
    ("e.parquet", "not parquet", "could not be read as PARQUET"),
])
def test_unreadable_files_are_refused_without_echoing_their_content(tmp_path: Path, name: str, text: str,
                                                                    message: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message) as refused:
        import_file(fresh(), path, "events")
    assert "secret" not in str(refused.value)


GOOD_LINE = "E1,C1,meta,grant,2026-01-01T00:00:00Z\n"
SPANNING_LINES = 'E1,C1,meta,"gr\nant",2026-01-01T00:00:00Z\n'
UNCLOSED = 'E2,C2,meta,"grant,2026-01-01T00:00:00Z secret\n'
TEXT_AFTER_QUOTE = 'E2,C2,meta,"grant"secret,2026-01-01T00:00:00Z\n'
EVENTS_HEADER = "event_id,customer_id,platform,action,effective_at\n"


@pytest.mark.parametrize(("lines", "line"), [
    pytest.param([GOOD_LINE, UNCLOSED, GOOD_LINE], 3, id="unclosed quote on line 3"),
    pytest.param([GOOD_LINE, TEXT_AFTER_QUOTE, GOOD_LINE], 3, id="text after a closing quote on line 3"),
    pytest.param([GOOD_LINE] * 5000 + [UNCLOSED] + [GOOD_LINE] * 5, 5002, id="unclosed quote past the sniffed rows"),
    pytest.param([GOOD_LINE] * 3000 + ["\n"] * 40 + [TEXT_AFTER_QUOTE], 3042, id="after blank lines"),
    pytest.param([SPANNING_LINES] * 3000 + [GOOD_LINE] * 2000 + [TEXT_AFTER_QUOTE, GOOD_LINE], 8002,
                 id="after values that span lines"),
])
def test_an_unreadable_csv_names_the_line_where_reading_failed(tmp_path: Path, lines: list[str], line: int) -> None:
    path = tmp_path / "e.csv"
    path.write_text(EVENTS_HEADER + "".join(lines), encoding="utf-8")
    with pytest.raises(InputError, match=rf"could not be read as CSV near line {line}; check") as refused:
        import_file(fresh(), path, "events")
    assert "secret" not in str(refused.value) and "E2" not in str(refused.value)


def test_a_long_row_past_the_sniffed_rows_is_named_with_the_counts(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    extra = GOOD_LINE.rstrip("\n") + ",secret@example.pl\n"
    path.write_text(EVENTS_HEADER + "".join([GOOD_LINE] * 30000 + [extra] + [GOOD_LINE] * 5), encoding="utf-8")
    with pytest.raises(InputError, match=r"near line 30002: that line has \d+ values where the header has \d+; fix "
                                         r"the row") as refused:
        import_file(fresh(), path, "events")
    assert "secret" not in str(refused.value)


@pytest.mark.parametrize(("kind", "header", "lines", "message"), [
    pytest.param("events", "event_id,customer_id,platform,action,effective_at,source\n",
                 ['E1,C1,meta,grant,2026-01-01T00:00:00Z,web\n', 'E2,C2,meta,grant,2026-01-01T00:00:00Z,"web\n',
                  'E3,C3,meta,withdraw,2026-02-01T00:00:00Z,app\n', 'E4,C4,meta,grant,2026-01-01T00:00:00Z,app"\n',
                  'E5,C5,meta,grant,2026-01-01T00:00:00Z,web\n'], "row 2 runs over several lines: the quote (\") "
                 "that opens its source", id="a withdrawal swallowed by a source"),
    pytest.param("events", "event_id,customer_id,platform,action,effective_at\r\n",
                 ['E1,C1,"meta,grant,2026-01-01T00:00:00Z\r\n', 'E2,C2,meta,withdraw,2026-02-01T00:00:00Z\r\n',
                  'E3,C3,meta",grant,2026-01-01T00:00:00Z\r\n'], "row 1 runs over several lines: the quote (\") "
                 "that opens its platform", id="CRLF, in a contract column"),
    pytest.param("events", "event_id,customer_id,platform,action,effective_at,source\n",
                 ['E1,C1,*,grant,2026-01-01T00:00:00Z,web\n', 'E2,C2,*,grant,2026-01-01T00:00:00Z,"web\n',
                  'E3,C3,*,grant,2026-01-01T00:00:00Z,web\n', 'E4,C4,*,withdraw",2026-02-01T00:00:00Z,web\n',
                  'E5,C5,*,grant,2026-01-01T00:00:00Z,web\n'], 'row 2 runs over several lines: a quote (") in it is '
                 "closed only on a later line", id="closed in another column: too many fields"),
    pytest.param("suppressions", "customer_id,kind,effective_at,note\n",
                 ['C1,objection,2026-01-01T00:00:00Z,"call\n', 'C2,erasure,2026-01-01T00:00:00Z,x\n',
                  'C3,minor,2026-01-01T00:00:00Z,centre"\n'], "row 1 runs over several lines: the quote (\") that "
                 "opens its note", id="a suppression swallowed by an extra column"),
])
def test_rows_a_stray_quote_pair_swallows_refuse_the_file(tmp_path: Path, kind: str, header: str, lines: list[str],
                                                          message: str) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes((header + "".join(lines)).encode())
    con = fresh()
    with pytest.raises(InputError, match=re.escape(message) + r".*Nothing was imported") as refused:
        import_file(con, path, kind)  # type: ignore[arg-type]
    assert "web" not in str(refused.value) and "C2" not in str(refused.value)
    assert con.execute("SELECT count(*) FROM consent_event").fetchall() == [(0,)]
    assert con.execute("SELECT count(*) FROM suppression").fetchall() == [(0,)]


def test_a_value_may_span_lines_when_its_lines_are_not_swallowed_rows(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text("event_id,customer_id,platform,action,effective_at,source\n"
                    'E1,C1,meta,grant,2026-01-01T00:00:00Z,"call centre,\nWarsaw"\n'
                    'E2,C2,meta,grant,2026-01-01T00:00:00Z,"a\nb,c,d,e,f,g\nh"\n', encoding="utf-8")
    report = import_file(fresh(), path, "events")
    assert (report.rows, report.accepted, report.rejected) == (2, 2, 0)


def test_a_row_longer_than_the_reader_takes_is_named_by_its_line(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    long = GOOD_LINE.replace("meta", "meta" + "x" * 2_500_000)
    path.write_text(EVENTS_HEADER + "".join([GOOD_LINE] * 3 + [long] + [GOOD_LINE] * 3), encoding="utf-8")
    with pytest.raises(InputError, match=r"has a row longer than [\d,]+ bytes \(line 5\), more than the reader takes"
                                         r".*; fix or shorten it") as refused:
        import_file(fresh(), path, "events")
    assert "xxx" not in str(refused.value)


def test_a_csv_that_is_not_utf_8_is_refused_at_line_1(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text(EVENTS_HEADER + GOOD_LINE, encoding="utf-16")
    with pytest.raises(InputError, match="could not be read as CSV near line 1; check that it is UTF-8"):
        import_file(fresh(), path, "events")


def test_a_parquet_refusal_claims_no_line(tmp_path: Path) -> None:
    path = tmp_path / "e.parquet"
    path.write_bytes(b"not parquet\nat all")
    with pytest.raises(InputError, match="could not be read as PARQUET; check") as refused:
        import_file(fresh(), path, "events")
    assert "line" not in str(refused.value)


def test_rows_with_more_fields_than_the_header_and_lines_that_are_not_objects_are_rejected(tmp_path: Path) -> None:
    csv_path = tmp_path / "e.csv"
    csv_path.write_text(",".join(HEADER) + "\n" + "E1,C1,meta,grant,2026-01-01T00:00:00Z,,,surplus\n"
                        "E2,C1,meta,grant,2026-01-01T00:00:00Z,,\n")
    report = import_file(fresh(), csv_path)
    assert report.rejections == (Rejection(1, "(row)", "has more fields than the header; quote values that contain "
                                                     "commas"),)
    assert report.accepted == 1
    jsonl = tmp_path / "e.jsonl"
    jsonl.write_text('{"event_id": "E1", "customer_id": "C1", "platform": "meta", "action": "grant", '
                     '"effective_at": "2026-01-01T00:00:00Z"}\n[1, 2]\nnot json at all\n')
    with jsonl.open("ab") as f:
        f.write(b'{"event_id": "E2\xff", "customer_id": "C1", "platform": "meta", "action": "grant", '
                b'"effective_at": "2026-01-01T00:00:00Z"}\n')
    report = import_file(fresh(), jsonl)
    assert (report.rows, report.accepted) == (4, 1)
    not_object = "not a JSON object in UTF-8 text; give one object per line"
    assert [(r.row, r.column, r.reason) for r in report.rejections] == [
        (2, "(row)", not_object), (3, "(row)", not_object), (4, "(row)", not_object)]


def test_quoted_line_breaks_and_short_rows_keep_data_row_numbers(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text(",".join(HEADER) + ",source\n"
                    'E1,C1,meta,grant,2026-01-01T00:00:00Z,,,"web\nform"\n'
                    "E2,C1,meta\n"
                    "E3,C2,meta,grant,2026-01-01T00:00:00,,,\n", encoding="utf-8")
    report = import_file(fresh(), path, now=NOW)
    assert report.accepted == 1
    assert [(r.row, r.column, r.reason[:36]) for r in report.rejections] == [
        (2, "(row)", "has fewer fields than the header; gi"), (3, "effective_at", "timestamp without a UTC offset; add ")]


def test_a_grant_lacking_its_identifiers_field_is_rejected_while_an_empty_one_grants_all_three(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text(",".join(HEADER) + "\n"
                    "E1,C1,meta,grant,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z\n"
                    "E2,C2,meta,grant,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,\n"
                    'E3,C3,meta,grant,2026-01-01T00:00:00Z,,""\n', encoding="utf-8")
    con = fresh()
    report = import_file(con, path, now=NOW)
    assert [(r.row, r.column) for r in report.rejections] == [(1, "(row)")]
    assert con.execute("SELECT event_id, identifiers FROM consent_event ORDER BY seq").fetchall() == [
        ("E2", ["device_id", "email", "phone"]), ("E3", ["device_id", "email", "phone"])]


def test_parquet_timestamps_with_a_zone_count_and_without_one_are_rejected(tmp_path: Path) -> None:
    path = tmp_path / "e.parquet"
    moment = datetime(2026, 1, 1, 12, tzinfo=UTC)
    pq.write_table(pa.table({
        "event_id": ["E1", "E2"], "customer_id": ["C1", "C2"], "platform": ["meta", "meta"],
        "action": ["grant", "grant"],
        "effective_at": pa.array([moment, moment], pa.timestamp("us", tz="Europe/Warsaw")),
        "recorded_at": pa.array([moment.replace(tzinfo=None), None], pa.timestamp("us")),
        "identifiers": [["email", "phone"], None],
    }), path)
    con = fresh()
    report = import_file(con, path, now=NOW)
    assert report.rejections == (
        Rejection(1, "recorded_at", "timestamp without a UTC offset; add one, e.g. 2026-03-01T10:00:00+01:00 or ...Z"),)
    assert con.execute("SELECT event_id, effective_at, identifiers FROM consent_event").fetchall() == [
        ("E2", moment, ["device_id", "email", "phone"])]


def test_identifiers_ignore_case_and_whitespace_around_each_type(tmp_path: Path) -> None:
    texts = ["email| phone", " Email |PHONE ", "email|\tphone", "device_id\t|\temail", "email|email", "email|",
             "email phone"]
    rows = [(f"E{i}", "C1", "meta", "grant", "2026-01-10T10:00:00Z", None, text) for i, text in enumerate(texts)]
    con = fresh()
    report = import_file(con, write_csv(tmp_path / "events.csv", HEADER, rows), now=NOW)
    assert [(r.row, r.column) for r in report.rejections] == [(6, "identifiers"), (7, "identifiers")]
    assert [ids for (ids,) in con.execute("SELECT identifiers FROM consent_event ORDER BY seq").fetchall()] == [
        ["email", "phone"], ["email", "phone"], ["email", "phone"], ["device_id", "email"], ["email"]]


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
def test_parquet_timestamps_of_every_unit_are_read_with_their_zone(unit: str, tmp_path: Path) -> None:
    path = tmp_path / "s.parquet"
    moment = datetime(2026, 1, 1, 12, tzinfo=UTC)
    pq.write_table(pa.table({
        "customer_id": ["C1", "C2"], "kind": ["objection", "objection"],
        "effective_at": pa.array([moment, moment], pa.timestamp(unit, tz="America/New_York")),
        "recorded_at": pa.array([None, moment.replace(tzinfo=None)], pa.timestamp(unit)),
    }), path)
    con = fresh()
    report = import_file(con, path, now=NOW)
    assert report.rejections == (
        Rejection(2, "recorded_at", "timestamp without a UTC offset; add one, e.g. 2026-03-01T10:00:00+01:00 or ...Z"),)
    assert con.execute("SELECT customer_id, effective_at, recorded_at FROM suppression").fetchall() == [
        ("C1", moment, NOW)]


FINER = "finer than a microsecond, which the ledger cannot keep; give at most 6 decimal places"


def test_a_time_finer_than_a_microsecond_is_rejected_not_cut(tmp_path: Path) -> None:
    rows = [("E1", "C1", "*", "grant", "2026-03-01T00:00:00.0000005Z", None, None),
            ("E2", "C2", "*", "withdraw", "2026-02-01T00:00:00Z", "2026-02-28T23:59:59.999999999+00:00", None),
            ("E3", "C3", "*", "grant", "2026-02-01T10:00:00.123456000+01:00", "2026-02-01T09:00:01.5Z", None),
            ("E4", "C4", "*", "grant", "2026-02-01T00:00:00.1234560000001Z", None, None)]
    con = fresh()
    report = import_file(con, write_csv(tmp_path / "events.csv", HEADER, rows), now=NOW)
    assert report.rejections == (Rejection(1, "effective_at", FINER), Rejection(2, "recorded_at", FINER),
                                 Rejection(4, "effective_at", FINER))
    assert con.execute("SELECT event_id, effective_at FROM consent_event").fetchall() == [
        ("E3", datetime(2026, 2, 1, 9, 0, 0, 123456, tzinfo=UTC))]


@pytest.mark.parametrize(("text", "instant"), [
    ("2026-02-01T10:00:00,5Z", datetime(2026, 2, 1, 10, 0, 0, 500000, tzinfo=UTC)),
    ("20260201T100000Z", datetime(2026, 2, 1, 10, tzinfo=UTC)),
    ("20260201T1000+0100", datetime(2026, 2, 1, 9, tzinfo=UTC)),
    ("20260201T100000,25-05", datetime(2026, 2, 1, 15, 0, 0, 250000, tzinfo=UTC)),
])
def test_the_basic_format_and_a_comma_before_the_fraction_are_read_as_iso_8601_like_as_of_times(
    tmp_path: Path, text: str, instant: datetime,
) -> None:
    con = fresh()
    path = write_csv(tmp_path / "e.csv", HEADER, [("E1", "C1", "*", "grant", text, text, None)])
    assert import_file(con, path, now=NOW).rejections == ()
    assert con.execute("SELECT effective_at, recorded_at FROM consent_event").fetchall() == [(instant, instant)]
    assert parse_instant(text) == instant


@pytest.mark.parametrize(("text", "reason"), [
    ("20260201T100000", "timestamp without a UTC offset; add one, e.g. 2026-03-01T10:00:00+01:00 or ...Z"),
    ("20260201T100000,1234567Z", "finer than a microsecond, which the ledger cannot keep; give at most 6 decimal "
                                 "places"),
    ("20261301T100000Z", "not a valid date and time"),
])
def test_a_basic_format_timestamp_that_cannot_be_used_is_rejected_with_the_reason_of_its_extended_form(
    tmp_path: Path, text: str, reason: str,
) -> None:
    path = write_csv(tmp_path / "e.csv", HEADER, [("E1", "C1", "*", "grant", text, None, None)])
    assert import_file(fresh(), path, now=NOW).rejections == (Rejection(1, "effective_at", reason),)


@pytest.mark.parametrize("second", ["action", "Action "])
def test_a_parquet_file_naming_a_column_twice_is_refused_as_a_csv_file_is(tmp_path: Path, second: str) -> None:
    path = tmp_path / "e.parquet"
    pq.write_table(pa.Table.from_arrays(
        [pa.array([v]) for v in ("E1", "C1", "*", "grant", "withdraw", "2026-01-01T00:00:00Z")],
        names=["event_id", "customer_id", "platform", "action", second, "effective_at"]), path)
    con = fresh()
    with pytest.raises(InputError, match=f"columns 'action' and '{second}' both mean 'action'; rename or remove one"):
        import_file(con, path, now=NOW)
    assert con.execute("SELECT count(*) FROM consent_event").fetchall() == [(0,)]


@pytest.mark.parametrize("ids", [pa.array([12.0, 13.5]), pa.array([12, 13], pa.float32()),
                                 pa.array([12, 13], pa.decimal128(6, 2))], ids=["double", "float", "decimal"])
def test_a_parquet_file_with_fractional_customer_ids_is_refused(tmp_path: Path, ids: pa.Array) -> None:
    path = tmp_path / "e.parquet"
    columns = {"event_id": ["E1", "E2"], "customer_id": ids, "platform": ["*", "*"], "action": ["withdraw"] * 2,
               "effective_at": ["2026-01-01T00:00:00Z"] * 2}
    pq.write_table(pa.table(columns), path)
    con = fresh()
    with pytest.raises(InputError, match=r"customer_id column is of type (DOUBLE|FLOAT|DECIMAL\(6,2\)), so ids would "
                                         r"read as 12\.0 and name no customer 12; write customer_id as text"):
        import_file(con, path, now=NOW)
    assert con.execute("SELECT count(*) FROM consent_event").fetchall() == [(0,)]
    pq.write_table(pa.table({**columns, "customer_id": pa.array([12, 13], pa.decimal128(6, 0))}), path)
    import_file(con, path, now=NOW)
    assert con.execute("SELECT customer_id FROM consent_event ORDER BY seq").fetchall() == [("12",), ("13",)]


def test_a_json_lines_file_with_a_fractional_customer_id_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "e.jsonl"
    event = {"event_id": "E1", "Customer_ID": 12, "platform": "*", "action": "withdraw",
             "effective_at": "2026-01-01T00:00:00Z"}
    path.write_text(json.dumps(event) + "\n" + json.dumps({**event, "event_id": "E2", "Customer_ID": 1.2e1}) + "\n")
    con = fresh()
    with pytest.raises(InputError, match=r"1 line\(s\) give customer_id as a number with a fraction or exponent"):
        import_file(con, path, now=NOW)
    path.write_text(json.dumps(event) + "\n")
    import_file(con, path, now=NOW)
    assert con.execute("SELECT customer_id FROM consent_event").fetchall() == [("12",)]


def test_a_json_line_with_a_key_twice_is_rejected_not_read_by_its_first_value(tmp_path: Path) -> None:
    path = tmp_path / "e.jsonl"
    path.write_text('{"event_id": "E1", "customer_id": "C1", "platform": "*", "action": "grant", '
                    '"action": "withdraw", "effective_at": "2026-01-01T00:00:00Z"}\n'
                    '{"event_id": "E2", "customer_id": "C2", "platform": "*", "action": "grant", '
                    '"effective_at": "2026-01-01T00:00:00Z"}\n', encoding="utf-8")
    con = fresh()
    report = import_file(con, path, now=NOW)
    assert report.rejections == (Rejection(1, "(row)", "a key appears twice in this object; which value counts "
                                                       "would be a guess, keep one"),)
    assert con.execute("SELECT event_id FROM consent_event").fetchall() == [("E2",)]


def test_an_empty_identifiers_list_or_a_null_item_is_rejected_not_read_as_all_three(tmp_path: Path) -> None:
    path = tmp_path / "e.parquet"
    pq.write_table(pa.table({
        "event_id": ["E1", "E2", "E3"], "customer_id": ["C1", "C2", "C3"], "platform": ["*"] * 3,
        "action": ["grant"] * 3, "effective_at": ["2026-01-01T00:00:00Z"] * 3,
        "identifiers": pa.array([[], ["email", None], ["phone", "email"]], pa.list_(pa.string())),
    }), path)
    con = fresh()
    report = import_file(con, path, now=NOW)
    assert [(r.row, r.column) for r in report.rejections] == [(1, "identifiers"), (2, "identifiers")]
    assert con.execute("SELECT event_id, identifiers FROM consent_event").fetchall() == [("E3", ["email", "phone"])]


def test_parquet_nanoseconds_are_kept_when_whole_microseconds_and_rejected_otherwise(tmp_path: Path) -> None:
    path = tmp_path / "s.parquet"
    exact = 1_767_268_800_123_456_000
    pq.write_table(pa.table({
        "customer_id": ["C1", "C2"], "kind": ["objection", "objection"],
        "effective_at": pa.array([exact, exact + 1], pa.timestamp("ns", tz="Europe/Warsaw")),
    }), path)
    con = fresh()
    report = import_file(con, path, now=NOW)
    assert report.rejections == (Rejection(2, "effective_at", FINER),)
    assert con.execute("SELECT customer_id, effective_at FROM suppression").fetchall() == [
        ("C1", datetime(2026, 1, 1, 12, 0, 0, 123456, tzinfo=UTC))]


def test_importing_again_is_a_no_op_and_a_changed_event_is_rejected(tmp_path: Path) -> None:
    con = fresh()
    path = WRITERS["csv"](tmp_path)
    first = import_file(con, path, now=NOW)
    again = import_file(con, path, now=datetime(2026, 4, 1, tzinfo=UTC))
    assert (again.accepted, again.duplicates, again.rejected, again.first_seq) == (0, 2, 3, None)
    changed = write_csv(tmp_path / "changed.csv", HEADER, [("E1", "C1", "*", "withdraw", *ROWS[0][4:])])
    report = import_file(con, changed, now=NOW)
    assert report.rejections == (Rejection(1, "event_id", "event_id already recorded with different content "
                                                         "(seq 1); give the changed event a new id"),)
    assert ledger_rows(con) == LEDGER_ROWS and first.last_seq == 2
    assert [r[:3] for r in con.execute("SELECT batch_id, accepted, rejected FROM import_batch ORDER BY 1").fetchall()
            ] == [(1, 2, 3), (2, 0, 3), (3, 0, 1)]


def test_a_file_that_repeats_an_event_id_with_other_content_gives_the_ledger_what_its_rows_one_by_one_would(
    tmp_path: Path,
) -> None:
    grant = ("W1", "C1", "*", "grant", "2026-02-01T10:00:00Z", "2026-02-01T10:00:00Z", None)
    withdraw = ("W1", "C1", "*", "withdraw", "2026-02-05T10:00:00Z", "2026-02-05T10:00:00Z", None)
    other = ("E2", "C2", "*", "grant", "2026-02-01T10:00:00Z", "2026-02-01T10:00:00Z", None)
    rows = [grant, other, withdraw, grant]
    whole = fresh()
    report = import_file(whole, write_csv(tmp_path / "whole.csv", HEADER, rows), now=NOW)
    assert (report.accepted, report.duplicates, report.rejected) == (2, 1, 1)
    assert report.rejections == (Rejection(3, "event_id", "event_id already in row 1 of this file with different "
                                                         "content; give the changed event a new id"),)
    pieces = fresh()
    for n, row in enumerate(rows):
        import_file(pieces, write_csv(tmp_path / f"row-{n}.csv", HEADER, [row]), now=NOW)
    events = "SELECT event_id, customer_id, action, effective_at FROM consent_event ORDER BY seq"
    assert whole.execute(events).fetchall() == pieces.execute(events).fetchall() == [
        ("W1", "C1", "grant", datetime(2026, 2, 1, 10, tzinfo=UTC)),
        ("E2", "C2", "grant", datetime(2026, 2, 1, 10, tzinfo=UTC))]


def test_a_withdrawal_is_kept_whatever_its_identifiers_cell_says_while_a_grant_with_a_bad_one_is_rejected(
    tmp_path: Path,
) -> None:
    rows = [("G1", "C1", "*", "grant", "2026-01-10T10:00:00Z", "2026-01-10T10:00:00Z", None),
            ("W1", "C1", "*", "withdraw", "2026-02-01T10:00:00Z", "2026-02-01T10:00:00Z", "email|fax"),
            ("G2", "C2", "*", "grant", "2026-01-10T10:00:00Z", "2026-01-10T10:00:00Z", "email|"),
            ("W2", "C3", "meta", "withdraw", "2026-02-01T10:00:00Z", "2026-02-01T10:00:00Z", "phone")]
    con = fresh()
    report = import_file(con, write_csv(tmp_path / "e.csv", HEADER, rows), now=NOW)
    ignored = "not a |-separated subset of device_id|email|phone"
    assert (report.accepted, report.rejected) == (3, 1)
    assert report.rejections == (
        Rejection(2, "identifiers", f"{ignored} (ignored: a withdrawal withdraws every identifier type; the row is "
                                    "kept)", row_kept=True),
        Rejection(3, "identifiers", ignored))
    assert con.execute("SELECT event_id, identifiers FROM consent_event ORDER BY seq").fetchall() == [
        ("G1", ["device_id", "email", "phone"]), ("W1", ["device_id", "email", "phone"]), ("W2", ["phone"])]
    assert not evaluate(con, NOW, customer_keys=None).fetchall()
    again = import_file(con, write_csv(tmp_path / "again.csv", HEADER, rows[:2]), now=NOW)
    assert (again.accepted, again.duplicates) == (0, 2)


@pytest.mark.parametrize("bad_id", ["C1\t", "C\x001", "C1\u200b", "\ufeffC1"])
def test_a_customer_id_with_a_control_or_invisible_character_is_rejected_not_kept_to_match_nobody(
    tmp_path: Path, bad_id: str,
) -> None:
    events = write_csv(tmp_path / "e.csv", HEADER, [("W1", bad_id, "*", "withdraw", "2026-02-01T10:00:00Z", None, None),
                                                    ("W2", "C2", "*", "withdraw", "2026-02-01T10:00:00Z", None, None)])
    con = fresh()
    report = import_file(con, events, now=NOW)
    assert report.rejections == (Rejection(1, "customer_id", UNUSABLE_ID),)
    suppressions = write_csv(tmp_path / "s.csv", ("customer_id", "email", "kind", "effective_at"),
                             [(bad_id, None, "objection", "2026-02-01T10:00:00Z"),
                              (bad_id, "jan@example.com", "objection", "2026-02-01T10:00:00Z")])
    report = import_file(con, suppressions, now=NOW)
    assert report.rejections == (Rejection(1, "customer_id", UNUSABLE_ID),
                                 Rejection(2, "customer_id", f"{UNUSABLE_ID}{KEPT_NOTE}", row_kept=True))
    assert con.execute("SELECT customer_id, email_hmac IS NOT NULL FROM suppression").fetchall() == [(None, True)]


def test_a_csv_file_mixing_crlf_and_lf_line_endings_is_refused_with_a_message_naming_the_first_other_line(
    tmp_path: Path,
) -> None:
    path = tmp_path / "s.csv"
    path.write_bytes(b"customer_id,kind,effective_at\r\nC1,objection,2026-03-01T10:00:00Z\r\n"
                     b"C2,erasure,2026-03-01T10:00:00Z\n")
    con = fresh()
    with pytest.raises(InputError, match=r"its lines end in both CRLF and LF \(line 3 ends otherwise than the header\); "
                                         "save it with one kind of line ending"):
        import_file(con, path, now=NOW)


def test_a_json_lines_file_with_a_byte_order_mark_is_refused_rather_than_its_first_object_rejected(
    tmp_path: Path,
) -> None:
    path = tmp_path / "e.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(dict(zip(HEADER[:5], ROWS[1][:5]))).encode() + b"\n")
    with pytest.raises(InputError, match="begins with a byte-order mark"):
        import_file(fresh(), path, now=NOW)


def test_the_report_lists_extra_columns_and_the_batch_records_the_file(tmp_path: Path) -> None:
    con = fresh()
    path = write_csv(tmp_path / "e.csv", (*HEADER, "Channel "), [(*ROWS[0], "app")])
    report = import_file(con, path, now=NOW)
    assert report.extra_columns == ("Channel",)
    assert con.execute("SELECT extra FROM consent_event").fetchall() == [({"Channel": "app"},)]
    assert con.execute("SELECT file_sha256, file_size, rows_read, first_seq, last_seq, head_hash FROM import_batch"
                       ).fetchall() == [(report.file_sha256, path.stat().st_size, 1, 1, 1,
                                         con.execute("SELECT row_hash FROM consent_event").fetchall()[0][0])]


EXTRA_HEADER = (*HEADER[:5], "tc_string", "channel")
EXTRA_ROWS = [
    ("E1", "C1", "*", "grant", "2026-01-10T10:00:00Z", "CPXxRfAPXxRfA", " app "),
    ("E2", "C2", "meta", "grant", "2026-01-10T10:00:00Z", None, "web"),
    ("E3", "C3", "meta", "grant", "2026-01-10T10:00:00Z", "", None),
]
EXTRA_KEPT = [("E1", {"channel": "app", "tc_string": "CPXxRfAPXxRfA"}), ("E2", {"channel": "web"}), ("E3", None)]
EXTRA_WRITERS = {
    "csv": lambda p: write_csv(p / "e.csv", EXTRA_HEADER, EXTRA_ROWS),
    "jsonl": lambda p: _write_text(p / "e.jsonl", "".join(
        json.dumps({k: v for k, v in zip(EXTRA_HEADER, row, strict=True) if v is not None}) + "\n"
        for row in EXTRA_ROWS)),
    "parquet": lambda p: _write_parquet(p / "e.parquet", EXTRA_HEADER, EXTRA_ROWS),
}


def _write_text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _write_parquet(path: Path, header: tuple[str, ...], rows: list[tuple]) -> Path:
    pq.write_table(pa.table({k: [row[i] for row in rows] for i, k in enumerate(header)}), path)
    return path


@pytest.mark.parametrize("fmt", sorted(EXTRA_WRITERS))
def test_extra_columns_are_kept_with_each_row_and_chained(fmt: str, tmp_path: Path) -> None:
    con = fresh()
    report = import_file(con, EXTRA_WRITERS[fmt](tmp_path), now=NOW)
    assert report.accepted == 3 and sorted(report.extra_columns) == ["channel", "tc_string"]
    kept = con.execute("SELECT event_id, extra FROM consent_event ORDER BY seq").fetchall()
    assert kept == EXTRA_KEPT
    assert verify(con).intact
    con.execute("UPDATE consent_event SET extra = MAP {'channel': 'store'} WHERE seq = 2")
    broken = verify(con).broken
    assert broken is not None and broken.seq == 2


def test_the_same_event_with_other_extra_values_is_a_conflict(tmp_path: Path) -> None:
    con = fresh()
    import_file(con, EXTRA_WRITERS["csv"](tmp_path), now=NOW)
    again = import_file(con, EXTRA_WRITERS["csv"](tmp_path), now=NOW)
    changed = write_csv(tmp_path / "changed.csv", EXTRA_HEADER, [(*EXTRA_ROWS[1][:6], "store")])
    conflict = import_file(con, changed, now=NOW)
    assert (again.accepted, again.duplicates) == (0, 3)
    assert (conflict.accepted, conflict.rejected) == (0, 1)


def test_a_ledger_made_before_extra_existed_still_verifies_and_imports(tmp_path: Path) -> None:
    con = fresh()
    import_file(con, WRITERS["csv"](tmp_path), now=NOW)
    con.execute("ALTER TABLE consent_event DROP COLUMN extra")
    con.execute("ALTER TABLE suppression DROP COLUMN extra")
    later = write_csv(tmp_path / "later.csv", EXTRA_HEADER,
                      [("E9", "C9", "*", "grant", "2026-01-10T10:00:00Z", "x", "app")])
    report = import_file(con, later, now=NOW)
    assert report.accepted == 1 and verify(con).intact


def test_suppressions_keep_their_extra_columns(tmp_path: Path) -> None:
    con = fresh()
    path = write_csv(tmp_path / "s.csv", ("customer_id", "kind", "effective_at", "ticket"),
                     [("C1", "objection", "2026-01-10T10:00:00Z", "T-17"), ("C2", "minor", "2026-01-10T10:00:00Z", "")])
    report = import_file(con, path, now=NOW)
    assert report.extra_columns == ("ticket",)
    assert con.execute("SELECT customer_id, extra FROM suppression ORDER BY seq").fetchall() == [
        ("C1", {"ticket": "T-17"}), ("C2", None)]
    assert verify(con).intact


def test_a_failed_import_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    con = fresh()
    path = WRITERS["csv"](tmp_path)

    def broken(prev_hash: str, contents: list[str]) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(chain, "link", broken)
    with pytest.raises(OSError):
        import_file(con, path, now=NOW)
    assert con.execute("SELECT (SELECT count(*) FROM consent_event) + (SELECT count(*) FROM import_batch) + "
                       "(SELECT count(*) FROM import_rejection)").fetchall() == [(0,)]


SUPPRESSION_HEADER = ("customer_id", "email", "phone", "country", "kind", "effective_at")


def test_suppressions_keep_only_keyed_hashes_and_drop_an_unusable_field_when_another_key_remains(
    tmp_path: Path,
) -> None:
    con = fresh()
    path = write_csv(tmp_path / "s.csv", SUPPRESSION_HEADER, [
        (None, " Jan.Kowalski@EXAMPLE.pl ", None, None, "objection", "2026-01-01T00:00:00Z"),
        ("C2", "jan@@kowalski", "601 234 567", None, "erasure", "2026-01-01T00:00:00Z"),
        (None, "not-an-email", "12", None, "minor", "2026-01-01T00:00:00Z"),
        (None, None, None, None, "minor", "2026-01-01T00:00:00Z"),
        (None, None, "030 1234567", "DE", "Account_Closed", "2026-01-01T00:00:00Z"),
    ])
    report = import_file(con, path, now=NOW)
    assert (report.kind, report.accepted, report.rejected) == ("suppressions", 3, 2)
    assert [(r.row, r.column, r.row_kept) for r in report.rejections] == [
        (2, "email", True), (3, "email", False), (3, "phone", False), (4, "customer_id", False)]
    assert report.rejections[0].reason.endswith("(this field is ignored; the row is kept on its other keys)")
    stored = con.execute("SELECT customer_id, email_hmac, phone_hmac, kind FROM suppression ORDER BY seq").fetchall()
    assert stored == [
        (None, identifier_hmac(con, "jan.kowalski@example.pl"), None, "objection"),
        ("C2", None, identifier_hmac(con, "+48601234567"), "erasure"),
        (None, None, identifier_hmac(con, "+49301234567"), "account_closed"),
    ]
    dump = str(con.execute("SELECT * FROM suppression").fetchall()) + str(
        con.execute("SELECT * FROM import_rejection").fetchall())
    assert "kowalski" not in dump.lower() and "601234567" not in dump and "not-an-email" not in dump
    assert import_file(con, path, now=NOW).duplicates == 3


SUPPRESSION_TIMES = ("customer_id", "kind", "effective_at", "recorded_at")


def _granted_c1(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    grant = ("G1", "C1", "*", "grant", "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z", "email")
    import_file(con, write_csv(tmp_path / "grant.csv", HEADER, [grant]), now=NOW)


def _excluded(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether C1, the ledger's only customer, is exported nowhere as of NOW."""
    return not evaluate(con, NOW, customer_keys=None).fetchall()


def test_a_suppression_recorded_earlier_than_the_copy_already_kept_is_new(tmp_path: Path) -> None:
    con = fresh()
    _granted_c1(con, tmp_path)
    late = ("C1", "objection", "2026-02-01T00:00:00Z", "2026-03-05T00:00:00Z")
    early = ("C1", "objection", "2026-02-01T00:00:00Z", "2026-02-10T00:00:00Z")
    first = import_file(con, write_csv(tmp_path / "late.csv", SUPPRESSION_TIMES, [late]), now=NOW)
    assert not _excluded(con)
    second = import_file(con, write_csv(tmp_path / "early.csv", SUPPRESSION_TIMES, [early]), now=NOW)
    again = import_file(con, write_csv(tmp_path / "again.csv", SUPPRESSION_TIMES, [late, early]), now=NOW)
    undated = import_file(con, write_csv(tmp_path / "undated.csv", SUPPRESSION_TIMES, [(*early[:3], None)]), now=NOW)
    assert [(r.accepted, r.duplicates) for r in (first, second, again, undated)] == [(1, 0), (1, 0), (0, 2), (0, 1)]
    assert _excluded(con)


def test_of_two_copies_in_one_file_the_one_recorded_first_is_kept(tmp_path: Path) -> None:
    con = fresh()
    _granted_c1(con, tmp_path)
    rows = [("C1", "erasure", "2026-02-01T00:00:00Z", "2026-03-05T00:00:00Z"),
            ("C1", "erasure", "2026-02-01T00:00:00Z", "2026-02-10T00:00:00Z"),
            ("C1", "erasure", "2026-02-01T00:00:00Z", "2026-02-10T00:00:00Z")]
    report = import_file(con, write_csv(tmp_path / "s.csv", SUPPRESSION_TIMES, rows), now=NOW)
    assert (report.accepted, report.duplicates) == (1, 2)
    assert con.execute("SELECT source_row, recorded_at FROM suppression").fetchall() == [
        (2, datetime(2026, 2, 10, tzinfo=UTC))]
    assert _excluded(con)


messy_cells = st.one_of(st.none(), st.sampled_from(["", " ", "meta", "*", "grant", "withdraw", "E1", "C1",
                                                    "2026-01-01T00:00:00Z", "2026-01-01", "email|phone", "x,y",
                                                    'quo"te', "ż"]), st.text(max_size=6))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(*[messy_cells] * len(HEADER)), max_size=12))
def test_every_row_is_accepted_a_duplicate_or_rejected(tmp_path: Path, rows: list[tuple]) -> None:
    path = write_csv(tmp_path / "messy.csv", HEADER, rows)
    con = fresh()
    try:
        report = import_file(con, path, now=NOW)
    except InputError:
        return
    assert report.accepted + report.duplicates + report.rejected == report.rows
    rejected = {r[0] for r in con.execute("SELECT source_row FROM import_rejection WHERE NOT row_kept").fetchall()}
    recorded = {r[0] for r in con.execute("SELECT source_row FROM consent_event").fetchall()}
    assert not rejected & recorded and len(rejected) == report.rejected


def test_infer_kind_refuses_a_file_with_both_markers(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "x.csv", ("action", "kind"), [])
    with pytest.raises(InputError, match="both an `action` and a `kind` column"):
        import_file(fresh(), path)


def test_rejections_table_has_the_lineage_shape(tmp_path: Path) -> None:
    con = fresh()
    report = import_file(con, WRITERS["csv"](tmp_path), now=NOW)
    table = importer.rejections_table(con, report.batch_id)
    assert table.column_names == ["source_row", "column", "platform", "reason", "row_kept"]
    assert table.num_rows == len(EXPECTED_REJECTIONS)


def test_a_quote_left_open_after_quoted_line_breaks_refuses_the_file(tmp_path: Path) -> None:
    """Quoted line breaks past DuckDB's sample and a short row send the file to DuckDB's serial reader, which would
    take the open quote as a value running to the end of the file."""
    path = tmp_path / "events.csv"
    rows = "".join(f'E{i},C{i},*,grant,2026-01-10T10:00:00Z,,,"two\nlines"\n' for i in range(1, 5001))
    path.write_text("event_id,customer_id,platform,action,effective_at,recorded_at,identifiers,note\n" + rows
                    + 'E9,C9,*,grant,2026-01-10T10:00:00Z\nE10,C10,*,grant,2026-01-10T10:00:00Z,,,"open\n'
                    "E11,C11,*,grant,2026-01-10T10:00:00Z,,,\n", encoding="utf-8")
    con = fresh()
    with pytest.raises(InputError, match=r'the quote \(\"\) that opens a value on line 10003 is never closed'):
        import_file(con, path, now=NOW)
    assert con.execute("SELECT count(*) FROM consent_event").fetchall() == [(0,)]
