"""The sample-data generator: determinism, shapes, realistic proportions and agreement between the three files."""

import re
from datetime import datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as csv
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from data.consent_events import consent_table
from data.customers import customer_table
from data.generator import (
    AS_OF,
    SampleInputs,
    main,
    write_consent_events,
    write_customers,
    write_sample_workspace_inputs,
    write_suppressions,
)
from sample_checks import MAID, canonical_email, canonical_maid, e164

N = 20_000
SAMPLE = 5_000
ISO_WITH_OFFSET = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})")
CUSTOMER_COLUMNS = ["customer_id", "email", "phone", "device_id", "country", "device_os"]
CONSENT_COLUMNS = [
    "event_id", "customer_id", "platform", "action", "effective_at", "recorded_at", "identifiers", "source",
    "source_record_id", "notice_version",
]
SUPPRESSION_COLUMNS = ["customer_id", "email", "phone", "kind", "effective_at", "recorded_at"]


def read(path: Path) -> pa.Table:
    """A CSV file with every column read as text, empty cells as nulls."""
    header = path.read_text(encoding="utf-8").partition("\n")[0]
    names = [name.strip('"') for name in header.split(",")]
    options = csv.ConvertOptions(strings_can_be_null=True, column_types={name: pa.string() for name in names})
    return csv.read_csv(path, convert_options=options)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> SampleInputs:
    return write_sample_workspace_inputs(tmp_path_factory.mktemp("sample"), N, seed=11)


@pytest.fixture(scope="module")
def customers(workspace: SampleInputs) -> list[dict[str, object]]:
    return read(workspace.customers).to_pylist()


def invalid_share(values: list[str | None], canonical: object) -> float:
    present = [v for v in values if v is not None][:SAMPLE]
    return sum(canonical(v) is None for v in present) / len(present)


def test_same_seed_gives_byte_identical_files(tmp_path: Path, workspace: SampleInputs) -> None:
    again = write_sample_workspace_inputs(tmp_path, N, seed=11)
    for first, second in zip(
        (workspace.customers, workspace.consent, workspace.suppressions),
        (again.customers, again.consent, again.suppressions),
    ):
        assert first.read_bytes() == second.read_bytes()


def test_another_seed_gives_other_data(tmp_path: Path, workspace: SampleInputs) -> None:
    write_customers(tmp_path / "other.csv", N, seed=12)
    assert (tmp_path / "other.csv").read_bytes() != workspace.customers.read_bytes()


def test_chunked_writing_gives_the_same_file_as_one_chunk(tmp_path: Path) -> None:
    write_customers(tmp_path / "one.csv", 5_000, seed=3, chunk_rows=5_000)
    write_customers(tmp_path / "many.csv", 5_000, seed=3, chunk_rows=777)
    assert (tmp_path / "one.csv").read_bytes() == (tmp_path / "many.csv").read_bytes()


def test_consent_events_of_a_range_do_not_depend_on_how_it_is_split() -> None:
    at = int(AS_OF.timestamp())
    whole = consent_table(5, 0, 3_000, 3_000, at)
    parts = pa.concat_tables([consent_table(5, 0, 1_234, 3_000, at), consent_table(5, 1_234, 3_000, 3_000, at)])
    assert whole.equals(parts)


def test_row_counts_are_returned_and_written(tmp_path: Path) -> None:
    assert write_customers(tmp_path / "c.csv", 1_234, seed=2) == 1_234
    assert read(tmp_path / "c.csv").num_rows == 1_234
    events = write_consent_events(tmp_path / "e.parquet", 1_234, seed=2)
    assert pq.read_metadata(tmp_path / "e.parquet").num_rows == events
    suppressions = write_suppressions(tmp_path / "s.csv", 1_234, seed=2)
    assert read(tmp_path / "s.csv").num_rows == suppressions


def test_no_customers_give_files_with_only_a_header(tmp_path: Path) -> None:
    inputs = write_sample_workspace_inputs(tmp_path, 0)
    assert read(inputs.customers).column_names[:6] == CUSTOMER_COLUMNS
    assert inputs.consent.read_text().count("\n") == 1


def test_columns_follow_the_input_contract(workspace: SampleInputs) -> None:
    customers = read(workspace.customers)
    assert customers.column_names[:6] == CUSTOMER_COLUMNS
    assert {"segment", "city", "signup_date", "orders_12m", "ltv_pln", "newsletter"} <= set(customers.column_names)
    assert read(workspace.consent).column_names == CONSENT_COLUMNS
    assert read(workspace.suppressions).column_names == SUPPRESSION_COLUMNS


def test_parquet_holds_the_same_customers_as_csv(tmp_path: Path) -> None:
    write_customers(tmp_path / "c.parquet", 2_000, seed=4, chunk_rows=500)
    assert pq.read_table(tmp_path / "c.parquet").equals(customer_table(4, 0, 2_000))


def test_customer_ids_are_unique_and_present(customers: list[dict[str, object]]) -> None:
    ids = [row["customer_id"] for row in customers]
    assert ids[0] == "C00000001"
    assert len(set(ids)) == N and all(ids)


def test_about_five_percent_of_each_identifier_is_invalid(customers: list[dict[str, object]]) -> None:
    assert 0.03 <= invalid_share([r["email"] for r in customers], canonical_email) <= 0.08
    phones = [r["phone"] for r in customers]
    countries = {r["phone"]: r["country"] for r in customers if r["phone"] is not None}
    assert 0.03 <= invalid_share(phones, lambda p: e164(p, countries[p])) <= 0.08
    assert 0.03 <= invalid_share([r["device_id"] for r in customers], canonical_maid) <= 0.08


def test_identifiers_are_missing_in_realistic_shares(customers: list[dict[str, object]]) -> None:
    def missing(column: str) -> float:
        return sum(r[column] is None for r in customers) / N

    assert 0.04 <= missing("email") <= 0.10
    assert 0.08 <= missing("phone") <= 0.16
    assert 0.35 <= missing("device_id") <= 0.45
    assert 0.85 <= sum(r["country"] == "PL" for r in customers) / N <= 0.95


def test_identifiers_come_in_messy_forms(customers: list[dict[str, object]]) -> None:
    emails = [r["email"] for r in customers if r["email"] is not None]
    assert any(e != e.strip() for e in emails)
    assert any("\u00a0" in e for e in emails)
    assert any(e != e.lower() for e in emails)
    assert any(re.search(r"[łśżąęóćńź]", e) for e in emails)
    assert any("+" in e.partition("@")[0] and "gmail" in e.lower() for e in emails)
    assert any("xn--" in e for e in emails) and any("bücher.de" in e for e in emails)
    phones = {r["phone"] for r in customers if r["phone"] is not None}
    for shape in (r"\d{9}", r"\d{3} \d{3} \d{3}", r"\d{3}-\d{3}-\d{3}", r"\+48 \d{3} \d{3} \d{3}", r"\+48\d{9}",
                  r"0048 \d{3} \d{3} \d{3}", r"\(\d{2}\) \d{3} \d{2} \d{2}", r"48\d{9}", r"\+(?!48)\d{1,3} .*"):
        assert any(re.fullmatch(shape, p) for p in phones), shape
    devices = [r["device_id"].strip() for r in customers if r["device_id"] is not None]
    assert any(d == d.upper() and MAID.fullmatch(d.lower()) for d in devices)
    assert any(d == d.lower() and MAID.fullmatch(d) for d in devices)
    assert "00000000-0000-0000-0000-000000000000" in devices


def test_foreign_customers_have_foreign_numbers(customers: list[dict[str, object]]) -> None:
    foreign = [r for r in customers if r["phone"] and r["country"] not in (None, "PL")]
    national_forms = [e164(r["phone"], r["country"]) for r in foreign if r["phone"][0] not in "+0 "]
    assert sum(n is not None and not n.startswith("+48") for n in national_forms) > len(national_forms) / 2


def test_some_emails_are_shared_by_two_customers(customers: list[dict[str, object]]) -> None:
    owners: dict[str, set[str]] = {}
    for row in customers[:SAMPLE]:
        email = canonical_email(row["email"]) if row["email"] is not None else None
        if email:
            owners.setdefault(email, set()).add(str(row["customer_id"]))
    shared = sum(len(ids) for ids in owners.values() if len(ids) > 1)
    assert 0.002 <= shared / SAMPLE <= 0.04


def test_every_timestamp_has_an_offset(workspace: SampleInputs) -> None:
    for path in (workspace.consent, workspace.suppressions):
        table = read(path)
        for column in ("effective_at", "recorded_at"):
            values = table.column(column).to_pylist()
            assert all(ISO_WITH_OFFSET.fullmatch(v) for v in values), (path.name, column)
            assert {v[-6:] for v in values if not v.endswith("Z")} == {"+01:00", "+02:00"}
            assert any(v.endswith("Z") for v in values)


def test_consent_events_mix_what_consent_evaluation_must_handle(workspace: SampleInputs) -> None:
    events = read(workspace.consent).to_pylist()
    assert 1.5 <= len(events) / N <= 3.0
    assert len({e["event_id"] for e in events}) == len(events)
    assert {e["platform"] for e in events} == {"google", "meta", "tiktok", "*"}
    assert {e["action"] for e in events} == {"grant", "withdraw"}
    allowed = {"email", "phone", "device_id"}
    assert all(set(e["identifiers"].split("|")) <= allowed for e in events if e["identifiers"])
    assert any(e["identifiers"] in ("email", "phone", "email|phone") for e in events if e["action"] == "grant")
    effective = [datetime.fromisoformat(e["effective_at"]) for e in events]
    recorded = [datetime.fromisoformat(e["recorded_at"]) for e in events]
    assert all(r >= e for e, r in zip(effective, recorded))
    assert any(e > AS_OF for e in effective)
    assert any(e <= AS_OF < r for e, r in zip(effective, recorded))
    grants = [e for e, row in zip(effective, events) if row["action"] == "grant"]
    assert 0.05 <= sum(AS_OF - e > timedelta(days=730) for e in grants) / len(grants) <= 0.4
    withdrawals = [(e, r) for e, r, row in zip(effective, recorded, events) if row["action"] == "withdraw"]
    assert 0.05 <= len(withdrawals) / len(events) <= 0.2
    assert any(r - e >= timedelta(days=1) for e, r in withdrawals)
    known = {f"C{i:08d}" for i in range(1, N + 1)}
    unknown = [e for e in events if e["customer_id"] not in known]
    assert 0 < len(unknown) < 0.01 * len(events)


def test_suppressions_name_real_customers(workspace: SampleInputs, customers: list[dict[str, object]]) -> None:
    suppressions = read(workspace.suppressions).to_pylist()
    assert 0.005 <= len(suppressions) / N <= 0.015
    assert {s["kind"] for s in suppressions} == {"objection", "erasure", "minor", "account_closed"}
    ids = {r["customer_id"] for r in customers}
    emails = {r["email"].strip().lower(): r["email"] for r in customers if r["email"] is not None}
    phones = {e164(r["phone"], r["country"]) for r in customers if r["phone"] is not None} - {None}
    for s in suppressions:
        assert s["customer_id"] or s["email"] or s["phone"]
        assert s["customer_id"] is None or s["customer_id"] in ids
        if s["email"] is not None:
            customer_email = emails[s["email"].strip().lower()]
            assert canonical_email(s["email"]) == canonical_email(customer_email) is not None
        assert s["phone"] is None or e164(s["phone"], None) in phones
    by_email = [s for s in suppressions if s["email"] and not s["customer_id"]]
    by_phone = [s for s in suppressions if s["phone"] and not s["customer_id"]]
    assert by_email and by_phone
    assert sum(s["email"] in emails.values() for s in by_email) < len(by_email) / 10
    raw_phones = {r["phone"] for r in customers}
    assert sum(s["phone"] in raw_phones for s in by_phone) < len(by_phone) / 2


def test_as_of_without_a_time_zone_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="time zone"):
        write_consent_events(tmp_path / "e.csv", 10, as_of=datetime(2026, 11, 1))


def test_unknown_file_extension_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"\.csv, \.parquet"):
        write_customers(tmp_path / "c.xlsx", 10)
    assert not list(tmp_path.iterdir())


def test_command_line_writes_a_workspace(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main([str(tmp_path / "out"), "--customers", "300", "--seed", "5", "--format", "parquet"])
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "consent.parquet", "customers.parquet", "suppressions.parquet",
    ]
    assert pq.read_metadata(tmp_path / "out" / "customers.parquet").num_rows == 300
    assert "300 rows" in capsys.readouterr().out


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32), start=st.integers(0, 400), length=st.integers(1, 400), cut=st.integers(0, 400))
def test_any_split_of_a_customer_range_gives_the_same_rows(seed: int, start: int, length: int, cut: int) -> None:
    stop = start + length
    middle = min(start + cut, stop)
    whole = customer_table(seed, start, stop)
    assert pa.concat_tables([customer_table(seed, start, middle), customer_table(seed, middle, stop)]).equals(whole)
