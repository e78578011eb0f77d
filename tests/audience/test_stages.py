import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from audience import stages, store
from audience.audiences import audiences
from audience.export import ExportFile
from audience.identifiers.rules import RuleSet
from audience.platforms import PLATFORMS
from consent.keys import customer_key_hmacs

T0 = datetime(2026, 11, 1, tzinfo=UTC)
CUSTOMERS = """customer_id,email,phone,device_id,country,device_os,orders_12m
C1,Jan.Kowalski@Gmail.com,512 345 678,6D92078A-8246-4BA4-AE5B-76104861E7DC,PL,ios,7
C2,anna.nowak+shop@wp.pl,+48 601 234 567,,PL,,1
C3,not-an-email,0048 22 123 45 67,a2c4e6f8-1234-4abc-9def-0123456789ab,PL,android,9
C4,piotr@example.com,,,DE,,3
"""


@pytest.fixture
def planned(tmp_path: Path) -> Iterator[tuple[duckdb.DuckDBPyConnection, list[store.Plan], Path]]:
    path = tmp_path / "customers.csv"
    path.write_text(CUSTOMERS, encoding="utf-8")
    con = store.connect(tmp_path / "workspace.duckdb")
    record = store.RunRecord("r1", T0, T0, "test", RuleSet().version, "{}", "0" * 64, tmp_path / "out" / "r1")
    stages.start(con, record, path)
    stages.stage_customers(con, "r1", path, RuleSet(), key_hmacs=customer_key_hmacs)
    store.stage_eligible(con, con.sql(
        "SELECT p.platform, customer_id, ['device_id', 'email', 'phone'] AS identifiers, 'grant' AS event_id "
        "FROM staging_customer, (VALUES ('google'), ('meta'), ('tiktok')) p(platform)"))
    plans = stages.build_audiences(con, audiences({"loyal": "orders_12m >= 5"}), {p: 1 for p in PLATFORMS})
    yield con, plans, record.out_dir
    con.close()


def test_a_first_export_copies_full_files_as_add_files_exactly_as_the_writer_would_write_them(
    planned: tuple[duckdb.DuckDBPyConnection, list[store.Plan], Path], tmp_path: Path
) -> None:
    con, plans, run_dir = planned
    files = stages.export(con, run_dir, plans, {})
    assert all(plan.add_rows == plan.values > 0 for plan in plans)
    for plan in plans:
        added = [f for f in files if (f.platform, f.audience, f.op) == (plan.platform, plan.audience, "add")]
        written = PLATFORMS[plan.platform].write(store.members(con, plan.platform, plan.audience, "add"),
                                                 audience=plan.audience, op="add", run_dir=tmp_path / "direct",
                                                 options={})
        assert added == written
        for f in added:
            assert (run_dir / f.path).read_bytes() == (tmp_path / "direct" / f.path).read_bytes()


def test_export_lists_every_file_it_wrote_once(
    planned: tuple[duckdb.DuckDBPyConnection, list[store.Plan], Path]
) -> None:
    con, plans, run_dir = planned
    files = stages.export(con, run_dir, plans, {})
    on_disk = sorted(p.relative_to(run_dir).as_posix() for p in run_dir.rglob("*") if p.is_file())
    assert sorted(f.path for f in files) == on_disk
    assert {f.op for f in files} == {"full", "add"}


@pytest.mark.parametrize(("rows_at_once", "most_at_once"), [(10**9, 2), (1, 1)])
def test_export_writes_two_sets_at_once_only_within_its_row_budget_and_lists_files_in_plan_order(
    planned: tuple[duckdb.DuckDBPyConnection, list[store.Plan], Path], monkeypatch: pytest.MonkeyPatch,
    rows_at_once: int, most_at_once: int,
) -> None:
    con, plans, run_dir = planned
    write_plan, lock = stages._write_plan, threading.Lock()
    writing, most = [0], [0]

    def counted(*args: object) -> list[ExportFile]:
        with lock:
            writing[0] += 1
            most[0] = max(most[0], writing[0])
        time.sleep(0.2)
        try:
            return write_plan(*args)
        finally:
            with lock:
                writing[0] -= 1

    monkeypatch.setattr(stages, "_write_plan", counted)
    files = stages.export(con, run_dir, plans, {}, rows_at_once=rows_at_once)
    assert most[0] == most_at_once
    assert list(dict.fromkeys((f.platform, f.audience) for f in files)) == [(p.platform, p.audience) for p in plans]
    assert files == stages.export(con, run_dir.with_name("one-at-a-time"), plans, {}, writers=1)


def test_placeholder_messages_name_the_keys_to_set_for_every_audience_that_wrote_files() -> None:
    def plan(platform: str, audience: str, status: str, removed: int = 0) -> store.Plan:
        return store.Plan(platform, audience, 5, 5, 1, status, None, 5, removed)

    plans = [plan("google", "all", "exported"), plan("google", "vip", "held_back"),
             plan("google", "old", "held_back", removed=2), plan("meta", "all", "exported")]
    options = {"google": {"operating_account_id": "1", "contact_list_id": "5", "mobile_list_id": "6"}}
    with duckdb.connect() as con:
        messages = stages.placeholder_messages(con, plans, options)
    assert messages == [
        "google/old: the files name placeholders for google.audiences.old.contact_list_id, "
        "google.audiences.old.mobile_list_id; set them in audience.toml and run again, or fill them in before "
        "uploading."]


def test_a_held_back_audience_with_removals_says_what_to_do_where_the_platform_may_refuse_them() -> None:
    def held_back(platform: str, removed: int) -> str:
        return stages.held_back_message(store.Plan(platform, "vip", 40, 80, 1000, "held_back", "r0", 0, removed))

    assert held_back("tiktok", 3) == (
        "HELD BACK: tiktok/vip has 40 customers, below the tiktok minimum of 1,000; no full or add files; its 3 "
        "removals were written so that withdrawals still reach tiktok (TikTok refuses an update that leaves an "
        "audience under 1,000 members: if it refuses these removals, delete the audience on TikTok, so that the "
        "withdrawals reach it).")
    assert held_back("meta", 3).endswith("its 3 removals were written so that withdrawals still reach meta.")
    assert held_back("tiktok", 0).endswith("no full or add files.")


def test_an_error_after_the_lineage_commit_leaves_the_run_successful_and_its_files_in_place(
    planned: tuple[duckdb.DuckDBPyConnection, list[store.Plan], Path],
) -> None:
    con, plans, run_dir = planned
    files = stages.export(con, run_dir, plans, {})
    manifest = stages.confirm(con, "r1", T0, run_dir, files, T0)
    stages.abort(con, "r1", run_dir, KeyboardInterrupt(), T0)
    assert con.execute("SELECT status FROM run WHERE run_id = 'r1'").fetchall() == [("succeeded",)]
    assert manifest.is_file() and all((run_dir / f.path).is_file() for f in files)


def test_the_manifest_appears_only_once_the_run_is_recorded_and_the_next_run_finishes_one_left_pending(
    planned: tuple[duckdb.DuckDBPyConnection, list[store.Plan], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    con, plans, run_dir = planned
    files = stages.export(con, run_dir, plans, {})
    seen = []
    commit = store.commit_run

    def watched(con: duckdb.DuckDBPyConnection, run_id: str, finished_at: datetime, files: list[ExportFile],
                write: Callable[[], str]) -> None:
        def write_and_look() -> str:
            digest = write()
            seen.append(sorted(p.name for p in run_dir.iterdir() if "manifest" in p.name))
            return digest
        commit(con, run_id, finished_at, files, write_and_look)

    monkeypatch.setattr(store, "commit_run", watched)
    manifest = stages.confirm(con, "r1", T0, run_dir, files, T0)
    assert seen == [[".manifest.json.pending"]], "no manifest.json before the commit"
    assert manifest.is_file() and not (run_dir / ".manifest.json.pending").exists()
    manifest.rename(run_dir / ".manifest.json.pending")  # as if killed between the commit and putting it in place
    record = store.RunRecord("r2", T0, T0, "test", RuleSet().version, "{}", "0" * 64, tmp_path / "out" / "r2")
    stages.start(con, record, tmp_path / "customers.csv")
    assert manifest.is_file() and not (run_dir / ".manifest.json.pending").exists()
