"""Consent evaluated and members found by partition give the run's process exactly what evaluating the whole
workspace gives: the same eligibility, audiences, members, deltas and plans."""

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from audience import partition_members, partitions, stages, store
from audience.audiences import audiences
from audience.identifiers.rules import RuleSet
from consent import evaluate, importer, ledger
from consent.keys import customer_key_hmacs, workspace_key
from data.generator import AS_OF, write_sample_workspace_inputs
from staged_runs import write_csv

AUDIENCES = audiences({"loyal": "orders_12m >= 5", "recent": "signup_date >= DATE '2024-01-01' AND newsletter"})
MINIMUMS = {"google": 1, "meta": 1, "tiktok": 1}
TABLES = {
    "staging_eligible": "SELECT platform, customer_id, identifiers, event_id FROM staging_eligible ORDER BY ALL",
    "staging_audience": "SELECT * FROM staging_audience ORDER BY ALL",
    "staging_member": "SELECT * FROM staging_member ORDER BY ALL",
    "staging_removal": "SELECT * FROM staging_removal ORDER BY ALL",
}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("inputs")
    write_sample_workspace_inputs(root, 3_000, seed=5)
    # A suppression by customer_id and email at once: it must reach the customer's partition by either key.
    with (root / "suppressions.csv").open("a", encoding="utf-8") as f:
        f.write('"C00000007","someone.else@example.com",,"objection","2024-01-01T00:00:00Z","2024-01-01T00:00:00Z"\n')
    return root


def _workspace(root: Path, inputs: Path, key: bytes | None) -> tuple[duckdb.DuckDBPyConnection, str]:
    root.mkdir()
    con = store.connect(root / "workspace.duckdb")
    run_id = "20261101T030000Z-0000000a"
    record = store.RunRecord(run_id, AS_OF, AS_OF, "test", RuleSet().version, "{}", "0" * 64, root / "out" / run_id)
    stages.start(con, record, inputs / "customers.csv")
    ledger.ensure_schema(con)
    workspace_key(con)
    if key is not None:
        con.execute("UPDATE workspace_secret SET hmac_key = ?", [key])
    importer.import_events(con, inputs / "consent.csv", now=AS_OF)
    importer.import_suppressions(con, inputs / "suppressions.csv", default_region="PL", now=AS_OF)
    return con, run_id


def _whole(root: Path, inputs: Path, as_of: datetime) -> tuple[bytes, list[store.Plan], dict[str, list[tuple]]]:
    con, run_id = _workspace(root, inputs, None)
    stages.stage_customers(con, run_id, inputs / "customers.csv", RuleSet(), key_hmacs=customer_key_hmacs)
    store.stage_eligible(con, evaluate.evaluate(con, as_of, customer_keys="customer_key"))
    plans = stages.build_audiences(con, AUDIENCES, MINIMUMS)
    return workspace_key(con), plans, {name: con.execute(query).fetchall() for name, query in TABLES.items()}


def _partitioned(root: Path, inputs: Path, as_of: datetime, key: bytes, count: int
                 ) -> tuple[int, list[store.Plan], dict[str, list[tuple]]]:
    con, run_id = _workspace(root, inputs, key)
    split = partitions.split_customers(inputs / "customers.csv", str(root / "parts"), count, batch_rows=1_000)
    outputs = [partitions.process_partition(p, RuleSet(), partitions.WorkspaceKey(key), batch_rows=1_000)
               for p in split.partitions]
    stages.stage_partitioned_customers(con, run_id, inputs / "customers.csv", split, outputs)
    targets = partition_members.Targets.of(con, stages.check_audiences(con, AUDIENCES, MINIMUMS))
    split_ledger = partition_members.split_ledger(con, str(root / "parts" / "ledger"), count, as_of)
    members = [partition_members.members_of_partition(o, split_ledger, targets, max_consent_age_days=730)
               for o in reversed(outputs)]
    eligible, plans = stages.build_partitioned_audiences(con, targets.targets, members, count)
    return eligible, plans, {name: con.execute(query).fetchall() for name, query in TABLES.items()}


@pytest.mark.parametrize("count", [1, 4])
def test_partitioned_evaluation_and_members_equal_evaluating_the_whole_workspace(inputs: Path, tmp_path: Path,
                                                                                count: int) -> None:
    key, plans, whole = _whole(tmp_path / "whole", inputs, AS_OF)
    eligible, partitioned_plans, partitioned = _partitioned(tmp_path / "parts", inputs, AS_OF, key, count)
    assert partitioned_plans == plans
    assert eligible == len(whole["staging_eligible"]) > 0
    assert {p.customers for p in plans if p.audience == "recent"} != {0}
    for name in TABLES:
        assert partitioned[name] == whole[name], name


def test_the_ledger_split_holds_only_what_counts_each_row_once_per_customer(inputs: Path, tmp_path: Path) -> None:
    as_of = datetime(2025, 6, 1, tzinfo=UTC)
    con, _ = _workspace(tmp_path / "ws", inputs, None)
    split = partition_members.split_ledger(con, str(tmp_path / "ledger"), 3, as_of)
    events = [pq.read_table(path) for path in split.events]
    counting = con.sql(evaluate.counting_sql("consent_event"), params={"as_of": as_of}).to_arrow_table()
    assert sum(t.num_rows for t in events) == counting.num_rows < con.sql("SELECT * FROM consent_event").shape[0]
    for index, table in enumerate(events):
        assert table.column_names == counting.column_names
        assert all(int(hashlib.md5(i.encode()).hexdigest()[:8], 16) % 3 == index
                   for i in table["customer_id"].to_pylist())
    by_id = sum(pq.read_table(path).num_rows for path in split.suppressions)
    by_key = pq.read_table(split.by_key)
    assert by_key.num_rows > 0 and all(e is not None or p is not None for e, p in
                                       zip(by_key["email_hmac"].to_pylist(), by_key["phone_hmac"].to_pylist()))
    assert by_id + by_key.num_rows == con.sql(evaluate.counting_sql("suppression"), params={"as_of": as_of}).shape[0]


def test_a_partition_types_its_customers_as_the_run_did(tmp_path: Path) -> None:
    """Partitions compare attributes as the types the run gave the whole file (integers here), not as text."""
    customers = write_csv(tmp_path / "customers.csv", "customer_id,email,phone,device_id,country,device_os,score",
                          [(f"C{i:03d}", f"c{i}@example.com", "", "", "PL", "", "9" if i % 2 else "10")
                           for i in range(40)])
    consent = write_csv(tmp_path / "consent.csv", "event_id,customer_id,platform,action,effective_at",
                        [(f"E{i}", f"C{i:03d}", "*", "grant", "2026-01-01T00:00:00Z") for i in range(40)])
    condition = audiences({"low": "score < 10"})
    con = store.connect(tmp_path / "workspace.duckdb")
    record = store.RunRecord("r", AS_OF, AS_OF, "test", RuleSet().version, "{}", "0" * 64, tmp_path / "out")
    stages.start(con, record, customers)
    ledger.ensure_schema(con)
    importer.import_events(con, consent, now=AS_OF)
    split = partitions.split_customers(customers, str(tmp_path / "parts"), 8)
    key = partitions.WorkspaceKey(workspace_key(con))
    outputs = [partitions.process_partition(p, RuleSet(), key) for p in split.partitions]
    stages.stage_partitioned_customers(con, "r", customers, split, outputs)
    targets = partition_members.Targets.of(con, stages.check_audiences(con, condition, MINIMUMS))
    ledger_split = partition_members.split_ledger(con, str(tmp_path / "ledger"), 8, AS_OF)
    members = [partition_members.members_of_partition(o, ledger_split, targets, max_consent_age_days=730)
               for o in outputs]
    _, plans = stages.build_partitioned_audiences(con, targets.targets, members, 8)
    assert {(p.audience, p.customers) for p in plans} == {("all", 40), ("low", 20)}

