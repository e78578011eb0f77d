"""`audience run` and `audience consent import` on malformed hand-made inputs: each is refused with a message that
says what to fix (never a raw value), or its bad rows are rejected and the rest used."""

import hashlib
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from audience.identifiers.reference import platform_value
from exported import exported
from pipelines.cli import app

runner = CliRunner()
EVERY_AUDIENCE_EXPORTED = "[min_audience]\ngoogle = 1\nmeta = 1\ntiktok = 1\n"
EMAIL, PHONE = "leak.marker.42@example.com", "+48 600 100 200"
EVENTS = "event_id,customer_id,platform,action,effective_at\nv1,q1,*,grant,2026-01-01T00:00:00Z\n"


def run(root: Path, *args: str | Path) -> tuple[int, str]:
    """One `audience run` of the workspace at `root` (any audience size is exported): exit code and output."""
    root.mkdir(parents=True, exist_ok=True)
    config = root / "audience.toml"
    if not config.exists():
        config.write_text(EVERY_AUDIENCE_EXPORTED, encoding="utf-8")
    result = runner.invoke(app, ["run", "--config", str(config), "--db", str(root / "w.duckdb"), "--out",
                                 str(root / "out"), *map(str, args)])
    return result.exit_code, result.output


def refused_before_the_run(root: Path, output: str) -> None:
    assert "Error:" in output and EMAIL not in output and PHONE not in output, output
    assert "Traceback" not in output
    assert not (root / "out").exists() and not (root / "w.duckdb").exists()


def test_a_customers_file_without_a_header_row_is_refused_without_echoing_its_first_row(tmp_path: Path) -> None:
    customers = tmp_path / "customers.csv"
    customers.write_text(f"q1,{EMAIL},{PHONE}\nq2,q2@example.com,\n", encoding="utf-8")
    code, output = run(tmp_path / "ws", "--customers", customers)
    assert code == 1
    assert "customer_id" in output and "header" in output
    refused_before_the_run(tmp_path / "ws", output)


@pytest.mark.parametrize("cut", ["empty", "truncated", "garbage"])
def test_an_unreadable_customers_parquet_file_is_refused_with_a_message(tmp_path: Path, cut: str) -> None:
    whole = tmp_path / "whole.parquet"
    pq.write_table(pa.table({"customer_id": ["q1"], "email": [EMAIL]}), whole)
    data = whole.read_bytes()
    customers = tmp_path / "customers.parquet"
    customers.write_bytes({"empty": b"", "truncated": data[: len(data) // 2], "garbage": b"\x00garbage" * 100}[cut])
    code, output = run(tmp_path / "ws", "--customers", customers)
    assert code == 1
    assert "customers.parquet cannot be read as Parquet" in output and "complete Parquet file" in output
    refused_before_the_run(tmp_path / "ws", output)


@pytest.mark.flow
def test_core_customer_columns_are_recognised_whatever_their_case_and_spaces(prefect_api: str,
                                                                             tmp_path: Path) -> None:
    customers, events = tmp_path / "customers.csv", tmp_path / "events.csv"
    customers.write_text(f"Customer_ID, Email ,PHONE\nq1,{EMAIL},{PHONE}\n", encoding="utf-8")
    events.write_text(EVENTS, encoding="utf-8")
    code, output = run(tmp_path / "ws", "--customers", customers, "--consent", events)
    assert code == 0, output
    (run_dir,) = (tmp_path / "ws" / "out").iterdir()
    files = exported(run_dir)
    for platform in ("google", "meta", "tiktok"):
        want = {hashlib.sha256(platform_value(kind, platform, raw, "PL").value.encode()).hexdigest()
                for kind, raw in (("email", EMAIL), ("phone", PHONE))}
        assert files[platform, "all", "full"] == want, platform


def test_an_output_directory_that_is_a_file_is_refused_before_the_run(tmp_path: Path) -> None:
    customers = tmp_path / "customers.csv"
    customers.write_text(f"customer_id,email\nq1,{EMAIL}\n", encoding="utf-8")
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "out").write_text("not a directory", encoding="utf-8")
    code, output = run(tmp_path / "ws", "--customers", customers)
    assert code == 1 and "is a file or lies under one; set out in audience.toml or --out" in output, output
    assert "Traceback" not in output and not (tmp_path / "ws" / "w.duckdb").exists()
    code, output = run(tmp_path / "ws", "--customers", customers, "--out", tmp_path / "ws" / "out" / "nightly")
    assert code == 1 and "is a file or lies under one" in output, output


def test_an_output_directory_that_cannot_be_written_ends_in_one_line_and_a_failed_run(tmp_path: Path,
                                                                                       monkeypatch) -> None:
    customers = tmp_path / "customers.csv"
    customers.write_text(f"customer_id,email\nq1,{EMAIL}\n", encoding="utf-8")

    def refused(path: Path, *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr("audience.export.ensure_dir", refused)
    code, output = run(tmp_path / "ws", "--customers", customers)
    assert code == 1 and output.strip().splitlines()[-1].startswith("Error: Permission denied ("), output
    assert "is writable" in output
    with duckdb.connect(str(tmp_path / "ws" / "w.duckdb"), read_only=True) as con:
        assert con.execute("SELECT status, message FROM run").fetchall()[0][0] == "failed"
        assert con.execute("SELECT message FROM run").fetchall()[0][0].startswith("Permission denied (")


def test_a_customers_file_naming_a_core_column_twice_in_other_case_is_refused(tmp_path: Path) -> None:
    customers = tmp_path / "customers.csv"
    customers.write_text(f"customer_id,email,Email\nq1,{EMAIL},{EMAIL}\n", encoding="utf-8")
    code, output = run(tmp_path / "ws", "--customers", customers)
    assert code == 1
    assert "email more than once" in output
    refused_before_the_run(tmp_path / "ws", output)


@pytest.mark.flow
@pytest.mark.parametrize("content", ["customer_id,email", "customer_id,email\r\n",
                                     "customer_id,email\nq1,a@example.com,\nq2,b@example.com,\n"])
def test_a_customers_file_without_a_usable_row_stops_the_run_before_anything_is_exported(
    prefect_api: str, tmp_path: Path, content: str,
) -> None:
    customers = tmp_path / "customers.csv"
    customers.write_text(content, encoding="utf-8")
    code, output = run(tmp_path / "ws", "--customers", customers)
    assert code == 1, output
    assert "would remove everyone from every audience" in output.splitlines()[-1], output
    assert "example.com" not in output
    assert not any((tmp_path / "ws" / "out").rglob("*.*"))


@pytest.mark.flow
def test_a_customer_id_column_of_bytes_that_are_not_text_stops_the_run_with_a_message(prefect_api: str,
                                                                                      tmp_path: Path) -> None:
    customers = tmp_path / "customers.parquet"
    pq.write_table(pa.table({"customer_id": pa.array([b"q1", b"\xff\xfe"], pa.binary()), "email": [EMAIL, EMAIL]}),
                   customers)
    code, output = run(tmp_path / "ws", "--customers", customers)
    assert code == 1
    assert "column customer_id (binary) cannot be read as text" in output.splitlines()[-1], output
    assert EMAIL not in output
    with duckdb.connect(str(tmp_path / "ws" / "w.duckdb"), read_only=True) as con:
        assert con.execute("SELECT status, message FROM run").fetchall() == [
            ("failed", output.splitlines()[-1].removeprefix("Error: "))]
    assert not any((tmp_path / "ws" / "out").rglob("*.*"))


def consent_import(root: Path, file: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["consent", "import", str(file), "--db", str(root / "w.duckdb"), *args])
    return result.exit_code, result.output


def ledger_rows(root: Path) -> list[tuple]:
    with duckdb.connect(str(root / "w.duckdb"), read_only=True) as con:
        return con.execute("SELECT seq, row_hash FROM consent_event ORDER BY seq").fetchall()


@pytest.mark.parametrize("header", ["action,action", "action, Action "])
def test_a_consent_file_naming_a_column_twice_is_refused_and_the_ledger_kept(tmp_path: Path, header: str) -> None:
    (tmp_path / "first.csv").write_text(EVENTS, encoding="utf-8")
    assert consent_import(tmp_path, tmp_path / "first.csv")[0] == 0
    before = ledger_rows(tmp_path)
    twice = tmp_path / "twice.csv"
    twice.write_text(f"event_id,customer_id,platform,{header},effective_at\n"
                     "v2,q1,*,grant,withdraw,2026-02-01T00:00:00Z\n", encoding="utf-8")
    code, output = consent_import(tmp_path, twice)
    assert code == 1
    assert "both mean 'action'; rename or remove one" in output, output
    assert ledger_rows(tmp_path) == before


def test_a_headerless_suppressions_file_is_refused_without_echoing_its_first_row(tmp_path: Path) -> None:
    headerless = tmp_path / "suppressions.csv"
    headerless.write_text(f",{EMAIL},{EMAIL},objection,2026-01-01T00:00:00Z\n", encoding="utf-8")
    code, output = consent_import(tmp_path, headerless, "--kind", "suppressions")
    assert code == 1 and "is the first line a header row?" in output, output
    assert EMAIL not in output


@pytest.mark.parametrize(("content", "hint"), [
    (EVENTS.replace(",", ";"), "not comma-separated"),
    (EVENTS.replace(",", "\t"), "not comma-separated"),
    ("", "The file is empty"),
])
def test_an_unusable_consent_file_says_why_before_asking_for_its_kind(tmp_path: Path, content: str,
                                                                      hint: str) -> None:
    events = tmp_path / "events.csv"
    events.write_text(content, encoding="utf-8")
    code, output = consent_import(tmp_path, events)
    assert code == 1 and hint in output, output


@pytest.mark.parametrize(("flag", "content", "missing"), [
    ("--consent", "event_id,customer_id,platform,effective_at\nv1,q1,*,2026-01-01T00:00:00Z\n",
     "events column(s): action"),
    ("--suppressions", f"email,kind\n{EMAIL},objection\n", "suppressions column(s): effective_at"),
    ("--consent", EVENTS.replace(",", ";"), "not comma-separated"),
])
def test_a_consent_or_suppressions_file_without_its_required_columns_is_refused_before_the_run(
    tmp_path: Path, flag: str, content: str, missing: str,
) -> None:
    (tmp_path / "customers.csv").write_text(f"customer_id,email\nq1,{EMAIL}\n", encoding="utf-8")
    (tmp_path / "ledger.csv").write_text(content, encoding="utf-8")
    code, output = run(tmp_path / "ws", "--customers", tmp_path / "customers.csv", flag, tmp_path / "ledger.csv")
    assert code == 1 and missing in output, output
    refused_before_the_run(tmp_path / "ws", output)


@pytest.mark.parametrize("as_of", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-05:00"])
def test_an_as_of_time_out_of_range_in_utc_is_refused_with_a_message(tmp_path: Path, as_of: str) -> None:
    code, output = run(tmp_path / "ws", "--as-of", as_of)
    assert code == 1 and "out of range in UTC" in output, output
    assert not (tmp_path / "ws" / "out").exists()
    (tmp_path / "events.csv").write_text(EVENTS, encoding="utf-8")
    assert consent_import(tmp_path, tmp_path / "events.csv")[0] == 0
    status = runner.invoke(app, ["consent", "status", "q1", "--as-of", as_of, "--db", str(tmp_path / "w.duckdb")])
    assert status.exit_code == 1 and "out of range in UTC" in status.output, status.output


def test_an_as_of_time_finer_than_a_microsecond_is_refused_not_cut(tmp_path: Path) -> None:
    code, output = run(tmp_path / "ws", "--as-of", "2026-03-01T00:00:00.0000001Z")
    assert code == 1 and "finer than a microsecond" in output, output
    assert not (tmp_path / "ws" / "out").exists()


def test_a_consent_lifetime_reaching_back_before_year_1_is_refused_before_the_run(tmp_path: Path) -> None:
    customers = tmp_path / "customers.csv"
    customers.write_text("customer_id,email\nq1,q1@example.com\n", encoding="utf-8")
    code, output = run(tmp_path / "ws", "--customers", customers, "--as-of", "0001-06-01T00:00:00Z")
    assert code == 1 and "max_consent_age_days = 730 reaches back before year 1" in output, output
    assert not (tmp_path / "ws" / "out").exists() and not (tmp_path / "ws" / "w.duckdb").exists()
