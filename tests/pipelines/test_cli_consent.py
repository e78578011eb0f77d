"""`audience consent import | status | verify` through the command line, on a workspace database file."""

from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from pipelines.commands.consent import app

runner = CliRunner()
EVENTS = (
    "event_id,customer_id,platform,action,effective_at,recorded_at,identifiers\n"
    "E1,C1,*,grant,2026-01-10T10:00:00Z,2026-01-10T10:00:00Z,email|phone\n"
    "E2,C1,meta,withdraw,2026-02-01T10:00:00Z,2026-02-01T10:00:00Z,\n"
    "E3,C2,google,grant,2026-01-10T10:00:00,2026-01-10T10:00:00Z,\n"
    "E4,C3,tiktok,grant,2026-01-10T10:00:00Z,2026-01-10T10:00:00Z,\n"
)
SUPPRESSIONS = (
    "customer_id,email,phone,kind,effective_at,recorded_at\n"
    "C3,,,objection,2026-02-01T10:00:00Z,2026-02-01T10:00:00Z\n"
    ",jan.kowalski@example.pl,,erasure,2026-02-01T10:00:00Z,2026-02-01T10:00:00Z\n"
)


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A workspace with 3 events (seq 1-3) and 2 suppressions (seq 4-5) imported through the CLI."""
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "workspace.duckdb"
    (tmp_path / "events.csv").write_text(EVENTS, encoding="utf-8")
    (tmp_path / "suppressions.csv").write_text(SUPPRESSIONS, encoding="utf-8")
    assert runner.invoke(app, ["import", "events.csv", "--db", str(db)]).exit_code == 0
    assert runner.invoke(app, ["import", "suppressions.csv", "--db", str(db)]).exit_code == 0
    return db


def test_import_reports_counts_and_the_rejected_rows_and_exits_0(workspace: Path) -> None:
    result = runner.invoke(app, ["import", "events.csv", "--db", str(workspace)])
    assert result.exit_code == 0, result.output
    assert "4 rows: 0 accepted, 3 already recorded, 1 rejected" in result.output
    assert "row 3, effective_at: timestamp without a UTC offset" in result.output
    assert "1 row(s) were rejected and the others imported" in result.output


def test_a_file_without_the_required_columns_is_refused_and_nothing_is_imported(tmp_path: Path,
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "broken.csv").write_text("event_id,customer_id,action\nE1,C1,grant\n", encoding="utf-8")
    db = tmp_path / "ws.duckdb"
    result = runner.invoke(app, ["import", "broken.csv", "--kind", "events", "--db", str(db)])
    assert result.exit_code == 1
    assert "platform, effective_at" in result.output and "nothing was imported" in result.output
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM consent_event").fetchall() == [(0,)]


def test_the_kind_is_told_by_the_columns_or_asked_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "odd.csv").write_text("customer_id,effective_at\nC1,2026-01-01T00:00:00Z\n", encoding="utf-8")
    result = runner.invoke(app, ["import", "odd.csv", "--db", str(tmp_path / "ws.duckdb")])
    assert result.exit_code == 1 and "--kind events or --kind suppressions" in result.output


def test_status_shows_the_history_and_a_reasoned_decision_per_platform(workspace: Path) -> None:
    result = runner.invoke(app, ["status", "C1", "--as-of", "2026-03-01T00:00:00+01:00", "--db", str(workspace)])
    assert result.exit_code == 0, result.output
    assert "History (2 ledger row(s))" in result.output
    assert "google   eligible      granted by E1 (email, phone)" in result.output
    assert "meta     not eligible  withdrawn by E2" in result.output
    suppressed = runner.invoke(app, ["status", "C3", "--as-of", "2026-03-01T00:00:00Z", "--db", str(workspace)])
    assert "tiktok   not eligible  suppressed (objection, effective 2026-02-01T10:00:00+00:00)" in suppressed.output
    earlier = runner.invoke(app, ["status", "C1", "--as-of", "2026-01-01T00:00:00Z", "--db", str(workspace)])
    assert "[recorded and effective after the as-of time: does not count]" in earlier.output
    assert "no consent event" in earlier.output


def test_status_refuses_an_as_of_without_offset(workspace: Path) -> None:
    result = runner.invoke(app, ["status", "C1", "--as-of", "2026-03-01T00:00:00", "--db", str(workspace)])
    assert result.exit_code == 1 and "no UTC offset" in result.output


def test_verify_passes_on_an_untouched_ledger(workspace: Path) -> None:
    result = runner.invoke(app, ["verify", "--db", str(workspace)])
    assert result.exit_code == 0, result.output
    assert "ledger intact: 5 rows, seq 1 to 5 without gaps" in result.output


@pytest.mark.parametrize(("statement", "seq"), [
    ("UPDATE consent_event SET action = 'grant' WHERE seq = 2", 2),
    ("UPDATE consent_event SET effective_at = effective_at - INTERVAL 1 DAY WHERE seq = 1", 1),
    ("DELETE FROM consent_event WHERE seq = 2", 2),
    ("DELETE FROM consent_event WHERE seq = 3", 3),
    ("UPDATE suppression SET kind = 'minor' WHERE seq = 4", 4),
    ("UPDATE suppression SET customer_id = 'C9' WHERE seq = 4", 4),
    ("DELETE FROM suppression WHERE seq = 4", 4),
    ("DELETE FROM suppression WHERE seq = 5", 5),
], ids=["update-event-action", "update-event-time", "delete-event", "delete-last-event",
        "update-suppression-kind", "update-suppression-customer", "delete-suppression", "delete-last-row"])
def test_verify_fails_and_names_the_first_broken_seq_after_tampering(workspace: Path, statement: str,
                                                                     seq: int) -> None:
    with duckdb.connect(str(workspace)) as con:
        con.execute(statement)
    result = runner.invoke(app, ["verify", "--db", str(workspace)])
    assert result.exit_code == 1
    assert f"ledger broken at seq {seq}: " in result.output


def test_no_raw_email_is_printed_or_stored(workspace: Path) -> None:
    result = runner.invoke(app, ["status", "C1", "--db", str(workspace)])
    assert "jan.kowalski" not in result.output
    with duckdb.connect(str(workspace), read_only=True) as con:
        for table, column in con.execute(
            "SELECT table_name, column_name FROM information_schema.columns WHERE data_type = 'VARCHAR'"
        ).fetchall():
            hits = con.execute(f'SELECT count(*) FROM "{table}" WHERE "{column}" ILIKE \'%kowalski%\'').fetchall()
            assert hits == [(0,)], (table, column)


def test_the_group_is_registered_on_the_audience_command() -> None:
    from pipelines.cli import app as main

    assert "verify" in runner.invoke(main, ["consent", "--help"]).output


def test_import_lists_the_columns_it_does_not_keep_and_why_without_their_values(tmp_path: Path,
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "e.csv").write_text("event_id,customer_id,platform,action,effective_at,email,ticket,note\n"
                                    "E1,C1,*,grant,2026-01-10T10:00:00Z,anna@example.com,T-1,ewa@example.com\n",
                                    encoding="utf-8")
    result = runner.invoke(app, ["import", "e.csv", "--db", str(tmp_path / "ws.duckdb")])
    assert result.exit_code == 0, result.output
    assert "kept with each row as `extra`: ticket." in result.output
    assert ("not kept, since they hold identifiers: email (its name says it holds identifiers (emails, phone "
            "numbers or device IDs)); note (some of its values look like email addresses, phone numbers or device "
            "IDs)." in result.output)
    assert "anna" not in result.output and "ewa" not in result.output
