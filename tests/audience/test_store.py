import hashlib
import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from audience import store
from audience.identifiers import reasons
from audience.export import ExportFile
from audience.ingest import REASON_DUPLICATE_ID

T0 = datetime(2026, 11, 1, 3, tzinfo=UTC)
NO_REJECTIONS = pa.table({
    "source_row": pa.array([], pa.int64()), "column": pa.array([], pa.string()),
    "platform": pa.array([], pa.string()), "reason": pa.array([], pa.string()),
})
Member = tuple[str, str | None, str | None]
"""customer_id, email (hashed for meta) and advertising ID (sent unhashed to meta)."""


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = store.connect(tmp_path / "workspace.duckdb")
    yield connection
    connection.close()


def stage(con: duckdb.DuckDBPyConnection, run_id: str, members: list[Member], *, minimum: int = 1,
          at: datetime = T0) -> list[store.Plan]:
    """Stage one run of `members` (all eligible on meta for email and device_id) and plan the meta/all target."""
    store.open_run(con, store.RunRecord(run_id, at, at, "test", "rules", "{}", "0" * 64, Path("/nonexistent") / run_id))
    store.reset_staging(con)
    customers = pa.table({"source_row": pa.array(range(1, len(members) + 1), pa.int64()),
                          "customer_id": [m[0] for m in members]})
    kept = set(store.stage_customers(con, customers, customers)["source_row"].to_pylist())
    rows = []
    for row, (customer, email, maid) in enumerate(members, start=1):
        if row not in kept:
            continue
        if email:
            rows.append((customer, row, "email", "meta", "EMAIL", bytes.fromhex(sha(email)), None))
        if maid:
            rows.append((customer, row, "device_id", "meta", "MADID", bytes.fromhex(sha(maid)), maid))
    columns = list(zip(*rows)) if rows else [[] for _ in store.IDENTIFIER_COLUMNS]
    types = {"source_row": pa.int64(), "sha256": pa.binary()}
    identifiers = pa.table([pa.array(c, types.get(n, pa.string())) for n, c in zip(store.IDENTIFIER_COLUMNS, columns)],
                           names=list(store.IDENTIFIER_COLUMNS))
    store.stage_identifiers(con, identifiers, NO_REJECTIONS)
    store.finish_customers(con, run_id)
    store.stage_eligible(con, con.sql("SELECT 'meta' AS platform, customer_id, ['device_id', 'email'] AS identifiers, "
                                      "'grant-' || customer_id AS event_id FROM staging_customer"))
    store.stage_audience(con, "all", None)
    return store.plan_targets(con, [store.Target("meta", "all", None, minimum)])


def values(con: duckdb.DuckDBPyConnection, op: str) -> set[tuple[str, str]]:
    return {(r["customer_id"], r["value"]) for r in store.members(con, "meta", "all", op).to_pylist()}


def commit(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    store.commit_run(con, run_id, T0, [ExportFile(f"meta/all/full/{run_id}", "meta", "all", "full", "multi", 1, "0" * 64)],
                     lambda: "f" * 64)


def test_first_run_adds_everything_and_removes_nothing(con: duckdb.DuckDBPyConnection) -> None:
    (plan,) = stage(con, "r1", [("C1", "a@x.pl", "11111111-1111-1111-1111-111111111111"), ("C2", "b@x.pl", None)])
    assert (plan.status, plan.customers, plan.values, plan.base_run_id) == ("exported", 2, 3, None)
    assert values(con, "add") == values(con, "full") and len(values(con, "full")) == 3
    assert values(con, "remove") == set()


def test_second_run_removes_by_value_what_left_and_adds_what_is_new(con: duckdb.DuckDBPyConnection) -> None:
    old_maid, new_maid = "11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222"
    stage(con, "r1", [("C1", "a@x.pl", old_maid), ("C2", "b@x.pl", None)])
    commit(con, "r1")
    (plan,) = stage(con, "r2", [("C1", "a@x.pl", new_maid), ("C3", "c@x.pl", None)], at=T0 + timedelta(days=1))
    assert plan.base_run_id == "r1"
    assert values(con, "add") == {("C1", new_maid), ("C3", sha("c@x.pl"))}
    assert values(con, "remove") == {("C1", old_maid), ("C2", sha("b@x.pl"))}
    assert (plan.add_rows, plan.remove_rows) == (2, 2)


def test_released_staging_leaves_what_the_export_and_the_lineage_read(con: duckdb.DuckDBPyConnection) -> None:
    old_maid, new_maid = "11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222"
    stage(con, "r1", [("C1", "a@x.pl", old_maid), ("C2", "b@x.pl", None)])
    commit(con, "r1")
    stage(con, "r2", [("C1", "a@x.pl", new_maid), ("C3", "c@x.pl", None)], at=T0 + timedelta(days=1))
    expected = {op: values(con, op) for op in ("full", "add", "remove")}
    store.release_staging(con)
    left = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall()}
    assert left.isdisjoint(store.EVIDENCE_ONLY) and {"staging_member", "staging_removal", "staging_plan"} <= left
    assert {op: values(con, op) for op in expected} == expected
    commit(con, "r2")
    assert con.execute("SELECT count(*) FROM membership WHERE run_id = 'r2'").fetchall() == [(3,)]


def test_removed_unhashed_ids_come_back_from_the_workspace_not_the_input(con: duckdb.DuckDBPyConnection) -> None:
    maid = "33333333-3333-3333-3333-333333333333"
    stage(con, "r1", [("C1", None, maid)])
    commit(con, "r1")
    stage(con, "r2", [("C2", "b@x.pl", None)], at=T0 + timedelta(days=1))
    assert values(con, "remove") == {("C1", maid)}
    commit(con, "r2")
    assert con.execute("SELECT count(*) FROM sent_unhashed").fetchall() == [(0,)]


def test_deltas_ignore_runs_that_did_not_succeed(con: duckdb.DuckDBPyConnection) -> None:
    stage(con, "r1", [("C1", "a@x.pl", None)])
    commit(con, "r1")
    stage(con, "r2", [("C2", "b@x.pl", None)], at=T0 + timedelta(days=1))
    store.fail_run(con, "r2", T0, "test failure")
    stage(con, "r3", [("C3", "c@x.pl", None)], at=T0 + timedelta(days=2))
    assert store.abandon_unfinished(con, T0) == [("r3", Path("/nonexistent/r3"), None)]
    (plan,) = stage(con, "r4", [("C4", "d@x.pl", None)], at=T0 + timedelta(days=3))
    assert plan.base_run_id == "r1"
    assert values(con, "remove") == {("C1", sha("a@x.pl"))}


def test_held_back_audience_still_sends_removals_and_keeps_the_platform_state(con: duckdb.DuckDBPyConnection) -> None:
    stage(con, "r1", [("C1", "a@x.pl", None), ("C2", "b@x.pl", None)])
    commit(con, "r1")
    (plan,) = stage(con, "r2", [("C1", "a@x.pl", None)], minimum=2, at=T0 + timedelta(days=1))
    assert (plan.status, plan.customers, plan.remove_rows, plan.add_rows) == ("held_back", 1, 1, 0)
    assert values(con, "remove") == {("C2", sha("b@x.pl"))}
    commit(con, "r2")
    (plan,) = stage(con, "r3", [("C1", "a@x.pl", None), ("C5", "e@x.pl", None)], minimum=2,
                    at=T0 + timedelta(days=2))
    assert (plan.status, plan.base_run_id) == ("exported", "r2")
    assert values(con, "add") == {("C5", sha("e@x.pl"))}
    assert values(con, "remove") == set()


def test_lineage_lists_every_exported_value_by_op_without_raw_values(con: duckdb.DuckDBPyConnection) -> None:
    maid = "44444444-4444-4444-4444-444444444444"
    stage(con, "r1", [("C1", "a@x.pl", maid), ("C2", "b@x.pl", None)])
    commit(con, "r1")
    stage(con, "r2", [("C1", "a@x.pl", maid)], at=T0 + timedelta(days=1))
    commit(con, "r2")
    rows = con.execute("SELECT run_id, op, customer_id, identifier, sha256, event_id FROM exported_value "
                       "ORDER BY ALL").fetchall()
    assert ("r2", "remove", "C2", "email", sha("b@x.pl"), "grant-C2") in rows
    assert {r[1] for r in rows if r[0] == "r1"} == {"full", "add"}
    assert {r[1] for r in rows if r[0] == "r2"} == {"full", "remove"}
    assert ("r1", "add", "C1", "device_id", sha(maid), "grant-C1") in rows
    lineage = con.execute("SELECT * FROM membership").fetchall()
    assert not any(maid in map(str, row) for row in lineage)


def test_repeated_customer_ids_are_rejected_after_the_first(con: duckdb.DuckDBPyConnection) -> None:
    stage(con, "r1", [("C1", "a@x.pl", None), ("C2", "b@x.pl", None), ("C1", "c@x.pl", None)])
    assert values(con, "full") == {("C1", sha("a@x.pl")), ("C2", sha("b@x.pl"))}
    rejected = con.execute('SELECT source_row, "column", reason FROM rejected_row WHERE run_id = ?', ["r1"]).fetchall()
    assert rejected == [(3, "customer_id", REASON_DUPLICATE_ID)]


def test_a_manifest_failure_rolls_the_run_back(con: duckdb.DuckDBPyConnection) -> None:
    stage(con, "r1", [("C1", "a@x.pl", None)])

    def broken() -> str:
        raise OSError("disk full")

    with pytest.raises(OSError):
        store.commit_run(con, "r1", T0, [], broken)
    assert con.execute("SELECT status FROM run").fetchall() == [("running",)]
    assert con.execute("SELECT count(*) FROM membership").fetchall() == [(0,)]
    assert con.execute("SELECT count(*) FROM audience_export").fetchall() == [(0,)]


def test_the_workspace_file_is_owner_only(tmp_path: Path) -> None:
    store.connect(tmp_path / "w" / "workspace.duckdb").close()
    assert stat.S_IMODE((tmp_path / "w" / "workspace.duckdb").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "w").stat().st_mode) == 0o700


def test_a_removal_that_forget_already_sent_is_in_no_file_and_leaves_the_state(
    con: duckdb.DuckDBPyConnection,
) -> None:
    maid = "55555555-5555-5555-5555-555555555555"
    stage(con, "r1", [("C1", "a@x.pl", maid), ("C2", "b@x.pl", None)])
    commit(con, "r1")
    con.execute("INSERT INTO erasure_value VALUES ('erasure-1', 'meta', 'all', 'MADID', ?)", [sha(maid)])
    con.execute("DELETE FROM sent_unhashed WHERE sha256 = ?", [sha(maid)])
    (plan,) = stage(con, "r2", [("C2", "b@x.pl", None)], at=T0 + timedelta(days=1))
    assert values(con, "remove") == {("C1", sha("a@x.pl"))}
    assert plan.remove_rows == 1
    commit(con, "r2")
    assert con.execute("SELECT customer_id, identifier FROM removal WHERE run_id = 'r2'").fetchall() == [
        ("C1", "email")]
    assert con.execute("SELECT count(*) FROM membership WHERE run_id = 'r2' AND customer_id = 'C1'").fetchall() == [
        (0,)]


def test_a_rewrite_keeps_every_row_and_drops_the_bytes_of_deleted_ones(tmp_path: Path) -> None:
    db = tmp_path / "workspace.duckdb"
    erased, kept = "66666666-6666-6666-6666-666666666666", "77777777-7777-7777-7777-777777777777"
    with store.opened(db) as con:
        stage(con, "r1", [("C1", "a@x.pl", erased), ("C2", "b@x.pl", kept)])
        commit(con, "r1")
        for stage_name in ("normalise-and-hash", "build-audiences", "export"):
            store.record_stage(con, "r1", stage_name, 1.0)
        con.execute("DELETE FROM sent_unhashed WHERE sha256 = ?", [sha(erased)])
        tables = [t for (t,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE NOT temporary").fetchall()]
        before = {t: con.execute(f'SELECT count(*), bit_xor(hash(x)) FROM "{t}" x').fetchall() for t in tables}
        con.execute("CHECKPOINT")
    assert erased.encode() in db.read_bytes()

    store.rewrite(db)

    assert erased.encode() not in db.read_bytes() and kept.encode() in db.read_bytes()
    assert stat.S_IMODE(db.stat().st_mode) == 0o600 and [p.name for p in tmp_path.iterdir()] == [db.name]
    with store.opened(db) as con:
        assert {t: con.execute(f'SELECT count(*), bit_xor(hash(x)) FROM "{t}" x').fetchall() for t in tables} == before
        assert list(store.stage_seconds(con, "r1")) == ["normalise-and-hash", "build-audiences", "export"]


def test_no_connection_that_sees_identifiers_profiles_its_queries(tmp_path: Path) -> None:
    """DuckDB's query profile prints join keys' min and max (raw emails, when the key is an email) to stdout."""
    from audience.identifiers.columns import _connect

    for con in (store.connect(tmp_path / "workspace.duckdb"), _connect()):
        with con:
            assert con.execute("SELECT value FROM duckdb_settings() WHERE name = 'enable_profiling'"
                               ).fetchall() == [(None,)]


def test_stage_seconds_are_read_back_in_the_order_the_stages_ended(con: duckdb.DuckDBPyConnection) -> None:
    for run_id in ("20261101T030000Z-aaaaaaaa", "20261102T030000Z-bbbbbbbb"):
        store.open_run(con, store.RunRecord(run_id, T0, T0, "test", "rules", "{}", "0" * 64, Path("/nonexistent")))
        store.record_stage(con, run_id, "normalise-and-hash", 2.0)
        store.record_stage(con, run_id, "export", 1.0)
    assert list(store.stage_seconds(con).items()) == [("normalise-and-hash", 2.0), ("export", 1.0)]
    assert store.stage_seconds(con, "20261101T030000Z-aaaaaaaa") == {"normalise-and-hash": 2.0, "export": 1.0}


def test_identifier_bits_count_a_value_given_in_name_only_as_absent_and_any_other_rejected_one_as_present() -> None:
    with duckdb.connect() as con:
        con.execute("CREATE TABLE staging_customer AS SELECT * FROM (VALUES ('C1', 1), ('C2', 2), ('C3', 3)) "
                    "t(customer_id, source_row)")
        con.execute("CREATE TABLE staging_identifier AS SELECT * FROM (VALUES ('C3', 'phone', 'meta')) "
                    "t(customer_id, identifier, platform)")
        con.execute("CREATE TABLE staging_rejection AS SELECT * FROM (VALUES "
                    f"('customers', 1, 'email', NULL, '{reasons.EMPTY}'), "
                    f"('customers', 2, 'email', NULL, '{reasons.EMAIL_SYNTAX}'), "
                    f"('customers', 3, 'device_id', NULL, '{reasons.EMPTY}')"
                    ") t(input, source_row, \"column\", platform, reason)")
        bits = store.identifier_bits(con).fetchall()
    meta = 3 * list(store.BIT_PLATFORMS).index("meta")
    assert sorted(bits) == [("C2", 1, 0), ("C3", 2, 2 << meta)]
