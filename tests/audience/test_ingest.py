import csv
import random
import threading
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from audience import ingest
from audience.errors import InputError
from audience.ingest import (
    CORE_COLUMNS,
    REASON_EMPTY_ID,
    REASON_FIELD_COUNT,
    attributes,
    customer_batches,
    narrowest_types,
    read_ahead,
)


def _read(path: Path, batch_rows: int = 500_000) -> tuple[dict[int, dict], list[tuple[int, str, str]]]:
    rows: dict[int, dict] = {}
    rejected: list[tuple[int, str, str]] = []
    for batch in customer_batches(path, batch_rows=batch_rows):
        for row in batch.customers.to_pylist():
            rows[row["source_row"]] = row
        rejected += [(r["source_row"], r["column"], r["reason"]) for r in batch.rejections.to_pylist()]
    return rows, sorted(rejected)


def test_rows_are_numbered_by_data_row_and_unusable_rows_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_text(
        'customer_id,email,segment\nC1,a@x.pl,gold\nC2,b@x.pl,"two\nlines"\nC3,x,y,extra\n,c@x.pl,gold\n'
        "C5\nC6,,\n   ,d@x.pl,gold\n",
        encoding="utf-8",
    )
    rows, rejected = _read(path)
    assert sorted(rows) == [1, 2, 6]
    assert rows[2]["segment"] == "two\nlines"
    assert rows[6]["email"] is None and rows[6]["segment"] is None
    assert rejected == [(3, "*", REASON_FIELD_COUNT), (4, "customer_id", REASON_EMPTY_ID),
                        (5, "*", REASON_FIELD_COUNT), (7, "customer_id", REASON_EMPTY_ID)]


def test_numbering_holds_across_many_batches(tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    rng = random.Random(3)
    bad = set(rng.sample(range(1, 120_001), 300))
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["customer_id", "email", "note"])
        for i in range(1, 120_001):
            w.writerow([f"C{i}", f"user{i}@example.pl", "x" * 40] + (["extra"] if i in bad else []))
    rows, rejected = _read(path, batch_rows=1_000)
    assert [r for r, _, _ in rejected] == sorted(bad)
    assert len(rows) == 120_000 - len(bad)
    assert all(row["customer_id"] == f"C{n}" for n, row in rows.items())


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_core_only_reads_the_core_columns_with_the_same_rows_and_refusals(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"customers{suffix}"
    if suffix == ".csv":
        path.write_text(" Email ,customer_id,segment,Phone\na@x.pl,C1,gold,\nb@x.pl,C2,x,y,z\nc@x.pl,,gold,1\n"
                        "d@x.pl,C4,silver,512345678\n", encoding="utf-8")
    else:
        pq.write_table(pa.table({" Email ": ["a@x.pl", "c@x.pl", "d@x.pl"], "customer_id": ["C1", "", "C4"],
                                 "segment": ["gold", "gold", "silver"], "Phone": [None, "1", "512345678"]}), path)
    whole = list(customer_batches(path))
    core = list(customer_batches(path, core_only=True))
    assert [b.customers.column_names for b in core] == [["source_row", *CORE_COLUMNS]]
    assert core[0].customers == whole[0].customers.select(core[0].customers.column_names)
    assert core[0].rejections == whole[0].rejections
    assert core[0].rejections.column("reason").to_pylist() == (
        [REASON_FIELD_COUNT, REASON_EMPTY_ID] if suffix == ".csv" else [REASON_EMPTY_ID])


def test_every_batch_has_the_core_columns_as_text(tmp_path: Path) -> None:
    path = tmp_path / "customers.parquet"
    pq.write_table(pa.table({"customer_id": [10, 11], "phone": ["512345678", None], "orders": [1, 2]}), path)
    (batch,) = list(customer_batches(path))
    table = batch.customers
    assert table.column_names[: len(CORE_COLUMNS) + 1] == ["source_row", *CORE_COLUMNS]
    assert table["customer_id"].to_pylist() == ["10", "11"]
    assert table["source_row"].to_pylist() == [1, 2]
    assert table["email"].null_count == 2
    assert table["orders"].type == pa.int64()


@pytest.mark.parametrize("ids", [pa.array([10.0, 11.5]), pa.array([10, 11], pa.decimal128(6, 2)),
                                 pa.array([10.0, 11.0]).dictionary_encode()], ids=["double", "decimal", "dictionary"])
def test_a_parquet_file_with_fractional_customer_ids_is_refused(tmp_path: Path, ids: pa.Array) -> None:
    path = tmp_path / "customers.parquet"
    pq.write_table(pa.table({"Customer_ID ": ids, "phone": ["512345678", None]}), path)
    with pytest.raises(InputError, match=r"customers.parquet: its customer_id column is of type .*, so ids would "
                                         r"read as 12\.0 .* write customer_id as text or integers"):
        ingest.columns(path)


def test_empty_cells_of_a_parquet_file_are_absent_as_in_a_csv_file(tmp_path: Path) -> None:
    columns = {"customer_id": ["C1", "C2", ""], "email": ["", "b@x.pl", "c@x.pl"], "phone": [None, "", ""],
               "segment": ["", "gold", ""]}
    pq.write_table(pa.table(columns), tmp_path / "customers.parquet")
    with (tmp_path / "customers.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(columns)
        w.writerows(zip(*[[v or "" for v in values] for values in columns.values()], strict=True))
    from_parquet, from_csv = _read(tmp_path / "customers.parquet"), _read(tmp_path / "customers.csv")
    assert from_parquet == from_csv
    rows, rejected = from_parquet
    assert rows[1]["email"] is None and rows[1]["segment"] is None and rows[2]["phone"] is None
    assert rejected == [(3, "customer_id", REASON_EMPTY_ID)]
    categories = {k: pa.array(v).dictionary_encode() for k, v in columns.items()}
    pq.write_table(pa.table(categories), tmp_path / "categories.parquet")
    assert _read(tmp_path / "categories.parquet") == from_csv


def test_a_file_without_customer_id_is_refused_naming_the_column(tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_text("id,email\n1,a@x.pl\n", encoding="utf-8")
    with pytest.raises(InputError, match="customer_id"):
        list(customer_batches(path))


def test_unknown_extension_and_missing_file_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        list(customer_batches(tmp_path / "nope.csv"))
    (tmp_path / "c.xlsx").write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match=r"\.csv or \.parquet"):
        list(customer_batches(tmp_path / "c.xlsx"))


def test_unreadable_bytes_are_reported_without_the_row(tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_bytes(b"customer_id,email\nC1,jan.kowalski\xff@wp.pl\n")
    with pytest.raises(InputError) as raised:
        list(customer_batches(path))
    assert "kowalski" not in str(raised.value)
    assert "UTF-8" in str(raised.value)


def test_attributes_drop_raw_identifiers_and_take_the_narrowest_type() -> None:
    table = pa.table({
        "source_row": pa.array([1, 2, 3], pa.int64()),
        "customer_id": ["001", "002", "003"],
        "email": ["a@x.pl", None, "b@x.pl"],
        "phone": [None, None, None],
        "device_id": [None, None, None],
        "country": ["PL", "DE", None],
        "orders": ["1", "20", None],
        "ltv": ["1.5", "2", "3"],
        "since": ["2024-01-01", "2025-02-03", None],
        "newsletter": ["true", "false", "true"],
        "city": ["Kraków", "5", "Łódź"],
    })
    typed = narrowest_types(attributes(table))
    assert "email" not in typed.column_names and "phone" not in typed.column_names
    types = {f.name: f.type for f in typed.schema}
    assert types["customer_id"] == pa.string() and types["country"] == pa.string()
    assert types["orders"] == pa.int64()
    assert types["ltv"] == pa.float64()
    assert types["since"] == pa.date32()
    assert types["newsletter"] == pa.bool_()
    assert types["city"] == pa.string()


def test_read_ahead_gives_every_item_in_order_and_raises_where_the_source_failed() -> None:
    def source():
        yield from range(5)
        raise InputError("row 6, email: broken")

    got = []
    with pytest.raises(InputError, match="row 6"):
        for item in read_ahead(source()):
            got.append(item)
    assert got == list(range(5))


def test_read_ahead_stops_its_thread_when_the_consumer_stops_early() -> None:
    drawn = []

    def source():
        for i in range(1_000):
            drawn.append(i)
            yield i

    items = read_ahead(source())
    assert next(items) == 0
    items.close()
    assert not any(t.name == "read-ahead" for t in threading.enumerate())
    assert len(drawn) <= 3


def test_bytes_that_are_not_utf8_are_reported_by_column(tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_bytes(b"customer_id,email,phone\nC1,a@x.pl,+48 512\xe9 345 678\n")
    with pytest.raises(InputError, match="column phone holds bytes that are not UTF-8") as raised:
        list(customer_batches(path))
    assert "512" not in str(raised.value)


@pytest.mark.parametrize(("content", "message"), [
    ('customer_id,email\nC1,a@x.pl\nC2,"b@x.pl\nC3,c@x.pl\nC4,d@x.pl\n', 'that opens a value on line 3 is never closed'),
    ('customer_id,email\nC1,a@x.pl\nC2,b@x.pl\n"\n', 'that opens a value on line 4 is never closed'),
    ('customer_id,email,note\nC1,a@x.pl,"say ""hi"""\nC2,"b@x.pl\nC3,c@x.pl,x\n', "row 2 has a quoted value that runs"),
    ('customer_id,email\nC1,"a\n@x.pl",extra\nC2,b@x.pl\n', "row 1 has a quoted value that runs over the following"),
    ('customer_id,email\nC1,a@x.pl\n"C2,b@x.pl\n"C3",c@x.pl\nC4,d@x.pl\n', 'row 2 runs over several lines: the quote'),
    ('customer_id,email\nC1,"two\nlines"\nC2,b@x.pl\n', 'row 1 runs over several lines: the quote (") that opens'),
    ('customer_id,email,phone\nC1,"a@x.pl,+48 600 100 100\nC2,b@x.pl",+48 600 200 200\nC3,c@x.pl,\n',
     'row 1 runs over several lines: the quote (") that opens its email'),
    ('customer_id,email,city,segment\nC1,a@x.pl,"Krakow,vip\nC2,b@x.pl,Lodz",vip\nC3,c@x.pl,Gdansk,new\n',
     'row 1 runs over several lines: the quote (") that opens its city'),
    ('customer_id,email,city,segment\r\nC1,a@x.pl,Krakow,vip\r\nC2,b@x.pl,"Krakow,vip\r\nC3,c@x.pl,Gdansk,new\r\n'
     'C4,d@x.pl,Torun,vip\r\nC5,e@x.pl,Lodz",vip\r\nC6,f@x.pl,Gdansk,new\r\n',
     'row 2 runs over several lines: the quote (") that opens its city'),
    ('customer_id,email,note\nC1,a@x.pl,x\nC2,b@x.pl,"open\nC3,c@x.pl,y\nC4,d@x.pl,closed"\nC5,e@x.pl,z\n',
     'row 2 runs over several lines: the quote (") that opens its note'),
])
def test_rows_run_together_by_a_broken_quote_refuse_the_file(tmp_path: Path, content: str, message: str) -> None:
    assert message in _refusal(tmp_path, content)


def test_line_breaks_around_an_identifier_are_whitespace_not_merged_rows(tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_text('customer_id,email\nC1,"\tJohn@Example.com\r\n"\nC2,b@x.pl\n', encoding="utf-8")
    rows, rejected = _read(path)
    assert sorted(rows) == [1, 2] and rows[1]["email"] == "\tJohn@Example.com\r\n" and rejected == []


@pytest.mark.parametrize("value", ["ul. Dluga 5, m. 3\n00-001 Warszawa", "one\ntwo\nthree", "a,b\nc,d", "\n,,\n"])
def test_an_attribute_may_span_lines_when_its_lines_are_not_swallowed_rows(tmp_path: Path, value: str) -> None:
    path = tmp_path / "customers.csv"
    path.write_text(f'customer_id,email,address,segment\nC1,a@x.pl,"{value}",vip\nC2,b@x.pl,x,new\n', encoding="utf-8")
    rows, rejected = _read(path)
    assert sorted(rows) == [1, 2] and rows[1]["address"] == value and rejected == []


def _refusal(tmp_path: Path, content: str) -> str:
    """Why a customers CSV of this content is refused (which never quotes its values)."""
    path = tmp_path / "customers.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as raised:
        list(customer_batches(path))
    assert "x.pl" not in str(raised.value)
    return str(raised.value)


def test_the_open_quote_is_found_across_read_blocks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest, "_CSV_BLOCK_BYTES", 7)
    path = tmp_path / "customers.csv"
    path.write_text('customer_id,note\nC1,"a ""b"""\nC2,x\nC3,"open\nC4,y\n', encoding="utf-8")
    with pytest.raises(InputError, match=r'the quote \(\"\) that opens a value on line 4 is never closed'):
        ingest.check_quotes_closed(path)


@pytest.mark.parametrize(("content", "line"), [
    ('customer_id,email\nC1,o"brien@x.pl\nC2,b@x.pl\n', None),
    ('customer_id,email,note\nC1,o"brien@x.pl,"a ""b"""\nC2,b@x.pl,""\n', None),
    ('customer_id,email,note\nC1,o"b"rien@x.pl,x\nC2,b@x.pl,"x""\nC3,c@x.pl,y\n', 3),
    ('customer_id,email\r\nC1,a@x.pl\r\nC2,"b@x.pl\r\nC3,c@x.pl\r\n', 3),
])
def test_a_quote_inside_an_unquoted_value_is_a_character_and_only_an_open_value_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str, line: int | None,
) -> None:
    monkeypatch.setattr(ingest, "_CSV_BLOCK_BYTES", 5)
    path = tmp_path / "customers.csv"
    path.write_bytes(content.encode())
    if line is None:
        ingest.check_quotes_closed(path)
        monkeypatch.undo()
        assert len(_read(path)[0]) == content.count("\n") - 1
    else:
        with pytest.raises(InputError, match=rf"that opens a value on line {line} is never closed"):
            ingest.check_quotes_closed(path)


@pytest.mark.parametrize(("content", "message"), [
    ("customer_id,email", "has a header but no data rows"),
    ("customer_id,email\n", "has a header but no data rows"),
    ("customer_id,email\nC1,a@x.pl,\nC2,b@x.pl,\n", f"none of its 2 data rows can be used (row 1: {REASON_FIELD_COUNT})"),
    ("customer_id,email\n ,a@x.pl\n", f"none of its 1 data rows can be used (row 1: {REASON_EMPTY_ID})"),
])
def test_a_file_without_a_usable_row_is_refused(tmp_path: Path, content: str, message: str) -> None:
    refusal = _refusal(tmp_path, content)
    assert message in refusal and "would remove everyone from every audience" in refusal


def test_customer_ids_lose_surrounding_spaces_and_ids_with_control_or_invisible_characters_are_refused(
    tmp_path: Path,
) -> None:
    path = tmp_path / "customers.csv"
    path.write_text("customer_id,email\n  C1 ,a@x.pl\nC\t2,b@x.pl\nC3\u200b,c@x.pl\nC4\x00,d@x.pl\nC\u00e95,e@x.pl\n",
                    encoding="utf-8")
    rows, rejected = _read(path)
    assert [row["customer_id"] for row in rows.values()] == ["C1", "C\u00e95"]
    assert rejected == [(row, "customer_id", ingest.REASON_UNUSABLE_ID) for row in (2, 3, 4)]


def test_a_column_named_like_the_row_numbers_and_a_carriage_return_header_are_refused(tmp_path: Path) -> None:
    named = tmp_path / "named.csv"
    named.write_text("customer_id,Source_Row\nC1,7\n", encoding="utf-8")
    with pytest.raises(InputError, match="a name the pipeline gives the row numbers; rename that column"):
        list(customer_batches(named))
    old_mac = tmp_path / "old_mac.csv"
    old_mac.write_bytes(b"customer_id,email\rC1,a@x.pl\rC2,b@x.pl\r")
    with pytest.raises(InputError, match="save it with LF or CRLF line endings"):
        list(customer_batches(old_mac))


def test_a_row_of_megabytes_is_refused_for_its_size(tmp_path: Path) -> None:
    assert "has a row of several megabytes" in _refusal(tmp_path, "customer_id,note\nC1," + "x" * (9 << 20) + "\nC2,y\n")


def test_parquet_text_that_is_not_utf8_is_reported_by_column(tmp_path: Path) -> None:
    path = tmp_path / "customers.parquet"
    note = pa.array([b"ok", b"jan\xff@wp.pl"], pa.binary()).view(pa.string())
    pq.write_table(pa.table({"customer_id": ["C1", "C2"], "note": note}), path)
    with pytest.raises(InputError, match="column note holds bytes that are not UTF-8") as raised:
        list(customer_batches(path))
    assert "jan" not in str(raised.value)
