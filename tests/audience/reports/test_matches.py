"""Match results imported per run (counts or Google ranges, every row accounted for) and partner overlaps."""

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from staged_runs import History, Workspace, write_csv
from typer.testing import CliRunner

from audience.errors import InputError
from audience.reports.matches import import_matches, measure_overlap
from pipelines.cli import app

HEADER = "run_id,platform,audience,uploaded,matched,match_rate_range"
NOW = datetime(2026, 11, 21, tzinfo=UTC)


def test_import_keeps_good_rows_and_names_the_row_column_and_reason_of_the_rest(reported: History,
                                                                             workspace_copy: Workspace) -> None:
    first, second, last = reported.runs
    path = write_csv(workspace_copy.root / "m.csv", HEADER, [
        (last, "tiktok", "all", "400", "250", ""),
        (last, "google", "all", "", "", "match_range_91_to_100"),
        ("no-such-run", "meta", "all", "10", "5", ""),
        (last, "meta", "loyal", "10", "5", ""),
        (last, "meta", "all", "10", "50", ""),
        (last, "meta", "all", "ten", "5", ""),
        (last, "google", "all", "", "", "MATCH_RANGE_HIGH"),
        (last, "tiktok", "all", "", "", ""),
        (last, "meta", "all", "1e3", "5", ""),
        (last, "meta", "all", "12", "+4851", ""),
        (last, "meta", "all", "99999999", "5", ""),
        (last, "meta", "all", "10", "5", "MATCH_RANGE_91_TO_100"),
        (last, "tiktok", "all", "", "", "MATCH_RANGE_91_TO_100"),
        ("", "meta", "all", "10", "5", ""),
        (last, "snapchat", "all", "10", "5", ""),
        (last, "google", "all", "", "", "MATCH_RANGE_20_TO_30"),
        (last, "google", "all", "", "", "match_range_91_to_100"),
    ])
    with workspace_copy.connect() as con:
        result = import_matches(con, path, now=NOW)
        kept = con.execute("SELECT platform, uploaded, matched, match_rate_range, rate_low, rate_high, source_row "
                           "FROM match_report WHERE run_id = ? ORDER BY platform", [last]).fetchall()
    assert (result.rows, result.accepted, result.rejected) == (17, 2, 15)
    assert [(r.row, r.column) for r in result.rejections] == [
        (2, "run_id"), (3, "run_id"), (4, "audience"), (5, "matched"), (6, "uploaded"), (7, "match_rate_range"),
        (8, "uploaded"), (9, "uploaded"), (10, "matched"), (11, "uploaded"), (12, "match_rate_range"),
        (13, "match_rate_range"), (14, "run_id"), (15, "platform"), (16, "run_id")]
    reasons = {r.row: r.reason for r in result.rejections}
    assert "later row" in reasons[2] and "later row" in reasons[16]
    assert "digits only" in reasons[9] and "not both" in reasons[12]
    assert "exported" in reasons[11] and "Google's" in reasons[13] and "not one of" in reasons[15]
    assert kept[:2] == [("google", None, None, "MATCH_RANGE_91_TO_100", 0.91, 1.0, 17),
                        ("meta", 320, 210, None, 210 / 320, 210 / 320, 3)]
    assert kept[2][:3] == ("tiktok", 400, 250)


def test_importing_again_replaces_rather_than_doubles(reported: History, workspace_copy: Workspace) -> None:
    path = write_csv(workspace_copy.root / "m.csv", HEADER, [(reported.runs[2], "meta", "all", "320", "300", "")])
    with workspace_copy.connect() as con:
        import_matches(con, path, now=NOW)
        import_matches(con, path, now=NOW)
        rows = con.execute("SELECT matched FROM match_report WHERE run_id = ? AND platform = 'meta'",
                           [reported.runs[2]]).fetchall()
    assert rows == [(300,)]


def test_a_file_without_the_required_columns_is_refused_whole(workspace_copy: Workspace) -> None:
    path = write_csv(workspace_copy.root / "m.csv", "run,platform,uploaded,matched", [("x", "meta", "1", "1")])
    with workspace_copy.connect() as con, pytest.raises(InputError, match="run_id, audience"):
        import_matches(con, path, now=NOW)
    only_ids = write_csv(workspace_copy.root / "n.csv", "run_id,platform,audience", [("x", "meta", "all")])
    with workspace_copy.connect() as con, pytest.raises(InputError, match="uploaded and matched, or match_rate_range"):
        import_matches(con, only_ids, now=NOW)


def _partner(path: Path, values: list[str]) -> Path:
    path.write_text("sha256\n" + "\n".join(values) + "\n\n", encoding="utf-8")
    return path


def test_overlap_counts_the_partner_hashes_each_audience_holds(reported: History, workspace_copy: Workspace) -> None:
    with workspace_copy.connect() as con:
        held = [r[0] for r in con.execute(
            "SELECT DISTINCT sha256 FROM membership WHERE run_id = ? AND platform = 'meta' AND audience = 'all' "
            "ORDER BY sha256 LIMIT 40", [reported.runs[2]]).fetchall()]
        loyal = {r[0] for r in con.execute(
            "SELECT sha256 FROM membership WHERE run_id = ? AND platform = 'meta' AND audience = 'loyal'",
            [reported.runs[2]]).fetchall()}
    strangers = [hashlib.sha256(f"stranger{i}".encode()).hexdigest() for i in range(25)]
    path = _partner(workspace_copy.root / "partner.txt", [h.upper() for h in held] + strangers + ["not a hash", held[0]])
    with workspace_copy.connect() as con:
        result = measure_overlap(con, path, "meta", now=NOW)
        stored = con.execute("SELECT audience, partner_values, overlap FROM match_overlap ORDER BY audience").fetchall()
    assert result.run_id == reported.runs[2]
    assert (result.partner_values, result.invalid_lines, result.first_invalid) == (65, 1, (67,))
    overlap = {a.audience: a.overlap for a in result.audiences}
    assert overlap == {"all": 40, "loyal": len(loyal & set(held))}
    assert stored == [("all", 65, 40), ("loyal", 65, len(loyal & set(held)))]


def test_match_commands_through_the_cli(reported: History, workspace_copy: Workspace) -> None:
    flags = ["--db", str(workspace_copy.db), "--out", str(workspace_copy.out)]
    good = write_csv(workspace_copy.root / "m.csv", HEADER, [(reported.runs[2], "tiktok", "all", "380", "190", ""),
                                                             ("nope", "tiktok", "all", "1", "1", "")])
    result = CliRunner().invoke(app, ["match", "import", str(good), *flags])
    assert result.exit_code == 0 and "2 rows, 1 kept, 1 rejected" in result.output
    assert "row 2, column run_id" in result.output
    bad = write_csv(workspace_copy.root / "bad.csv", "platform", [("meta",)])
    result = CliRunner().invoke(app, ["match", "import", str(bad), *flags])
    assert result.exit_code == 1 and "lacks the column(s) run_id, audience" in result.output
    quoted = workspace_copy.root / "quoted.csv"
    quoted.write_text('"run_id","platform","audience","uploaded","matched"\n'
                      f'"{reported.runs[2]}","tiktok","all","380","1000"\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["match", "import", str(quoted), *flags])
    assert result.exit_code == 1 and "1 rows, 0 kept, 1 rejected" in result.output, result.output
    assert "row 1, column matched: more matched than uploaded" in result.output
    partner = _partner(workspace_copy.root / "p.txt", [hashlib.sha256(b"x").hexdigest()])
    result = CliRunner().invoke(app, ["match", "against", str(partner), "--platform", "google", *flags])
    assert result.exit_code == 0 and "< 10" in result.output and reported.runs[2] in result.output
    report = CliRunner().invoke(app, ["report", *flags])
    assert report.exit_code == 0 and "| tiktok | all | exported |" in report.output and "50.0 %" in report.output


def test_overlap_refuses_a_run_id_that_sent_nothing_to_the_platform(reported: History,
                                                                     workspace_copy: Workspace) -> None:
    partner = _partner(workspace_copy.root / "p.txt", [hashlib.sha256(b"x").hexdigest()])
    flags = ["--db", str(workspace_copy.db), "--out", str(workspace_copy.out)]
    for run_id in ("no-such-run", reported.runs[0][:-1]):
        result = CliRunner().invoke(app, ["match", "against", str(partner), "--platform", "meta", "--run", run_id,
                                          *flags])
        assert result.exit_code == 1 and f"No successful run {run_id!r} sent anything to meta" in result.output
        assert "Traceback" not in result.output
    with workspace_copy.connect() as con:
        assert con.execute("SELECT count(*) FROM match_overlap").fetchone()[0] == 0
        result = measure_overlap(con, partner, "meta", run_id=reported.runs[0], now=NOW)
    assert result.run_id == reported.runs[0] and result.audiences


def test_a_malformed_file_is_refused_naming_its_line(workspace_copy: Workspace) -> None:
    path = workspace_copy.root / "m.csv"
    path.write_text(f"{HEADER}\nr,meta,all,1,1,\nr,meta\n", encoding="utf-8")
    with workspace_copy.connect() as con, pytest.raises(InputError, match="Line 3 of m.csv does not have one value"):
        import_matches(con, path, now=NOW)
