import hashlib
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from audience import partitions, stages, store
from audience.identifiers.rules import RuleSet
from consent.keys import customer_key_hmacs, workspace_key
from data.generator import write_customers
from object_store import listing, s3_bucket

T0 = datetime(2026, 11, 1, tzinfo=UTC)
MESSY = (
    "C9001,dup.first@example.com,,,PL,,1\n"
    ",no.id@example.com,,,PL,,1\n"
    "C9002,too,many,fields,PL,ios,1,extra\n"
    "C9001,dup.second@example.com,,,PL,,2\n"
    "C9003,not-an-email,12,zzz,PL,android,3\n"
    "   ,blank.id@example.com,,,PL,,1\n"
    "C9001,dup.third@example.com,,,PL,,3\n"
)
TABLES = {
    "staging_customer": "SELECT * FROM staging_customer ORDER BY source_row",
    "staging_identifier": "SELECT * FROM staging_identifier ORDER BY ALL",
    "staging_identifier_bits": "SELECT * FROM staging_identifier_bits ORDER BY ALL",
    "staging_rejection": "SELECT * FROM staging_rejection ORDER BY ALL",
    "customer_key": "SELECT * FROM customer_key ORDER BY ALL",
    "rejected_row": "SELECT input, source_row, \"column\", platform, reason FROM rejected_row ORDER BY ALL",
    "run_input": "SELECT input, size_bytes, sha256, rows_accepted, rows_rejected FROM run_input",
}


@pytest.fixture(scope="module")
def customers_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("customers") / "customers.csv"
    write_customers(path, 2_500)
    header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
    extra = ",".join([""] * (len(header) - 7))
    with path.open("a", encoding="utf-8") as f:
        for line in MESSY.splitlines():
            f.write(line + ("," + extra if extra and line.count(",") == 6 else "") + "\n")
    return path


def _workspace(root: Path, customers: Path) -> duckdb.DuckDBPyConnection:
    con = store.connect(root / "workspace.duckdb")
    record = store.RunRecord("r1", T0, T0, "test", RuleSet().version, "{}", "0" * 64, root / "out" / "r1")
    stages.start(con, record, customers)
    return con


def _staged(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    return {name: con.execute(query).fetchall() for name, query in TABLES.items()}


def _streamed(root: Path, customers: Path) -> tuple[stages.CustomerCounts, dict[str, list[tuple]], bytes]:
    con = _workspace(root, customers)
    counts = stages.stage_customers(con, "r1", customers, RuleSet(), key_hmacs=customer_key_hmacs, batch_rows=1_000)
    return counts, _staged(con), workspace_key(con)


def _partitioned(root: Path, customers: Path, key: bytes, count: int, directory: str | None = None
                 ) -> tuple[stages.CustomerCounts, dict[str, list[tuple]]]:
    con = _workspace(root, customers)
    workspace_key(con)
    con.execute("UPDATE workspace_secret SET hmac_key = ?", [key])
    split = partitions.split_customers(customers, directory or str(root / "parts"), count, batch_rows=1_000)
    outputs = [partitions.process_partition(p, RuleSet(), partitions.WorkspaceKey(key), batch_rows=1_000)
               for p in reversed(split.partitions)]
    counts = stages.stage_partitioned_customers(con, "r1", customers, split, outputs)
    return counts, {**_staged(con), "staging_identifier": _kept_identifiers(outputs)}


def _kept_identifiers(outputs: list[partitions.PartitionOutput]) -> list[tuple]:
    """The identifiers the partitions keep (a partitioned run does not stage them), as a staging query lists them."""
    kept = pa.concat_tables([partitions.read(o.identifiers) for o in outputs])
    return duckdb.sql("SELECT * FROM kept ORDER BY ALL").fetchall()


@pytest.mark.parametrize("count", [1, 5])
def test_partitioned_staging_equals_streamed_staging_row_for_row(customers_csv: Path, tmp_path: Path,
                                                                 count: int) -> None:
    counts, streamed, key = _streamed(tmp_path / "a", customers_csv)
    partitioned_counts, partitioned = _partitioned(tmp_path / "b", customers_csv, key, count)
    assert partitioned_counts == counts
    assert counts.rows_rejected == 5
    for name in TABLES:
        assert partitioned[name] == streamed[name], name


def test_partitions_in_object_storage_stage_the_same_rows_and_leave_nothing_behind(customers_csv: Path,
                                                                                  tmp_path: Path) -> None:
    counts, streamed, key = _streamed(tmp_path / "a", customers_csv)
    with s3_bucket() as bucket:
        directory = f"{bucket}/runs/r1"
        partitioned_counts, partitioned = _partitioned(tmp_path / "b", customers_csv, key, 3, directory)
        assert {path.rsplit("/", 1)[-1] for path in listing(directory)} >= {"customers-0002.parquet",
                                                                          "identifiers.parquet"}
        partitions.remove(directory)
        assert listing(bucket) == []
    assert not (tmp_path / "b" / "parts").exists()
    assert partitioned_counts == counts
    assert partitioned == streamed


def test_parquet_input_partitions_the_same_way(customers_csv: Path, tmp_path: Path) -> None:
    path = tmp_path / "customers.parquet"
    table = pacsv.read_csv(customers_csv, parse_options=pacsv.ParseOptions(invalid_row_handler=lambda _: "skip"))
    pq.write_table(table, path)
    counts, streamed, key = _streamed(tmp_path / "a", path)
    partitioned_counts, partitioned = _partitioned(tmp_path / "b", path, key, 3)
    assert partitioned_counts == counts
    assert partitioned == streamed


def test_every_row_of_a_customer_id_lands_in_its_md5_partition(customers_csv: Path, tmp_path: Path) -> None:
    split = partitions.split_customers(customers_csv, tmp_path, 7, batch_rows=1_000)
    seen: dict[str, int] = {}
    for part in split.partitions:
        ids = pq.read_table(part.path, columns=["customer_id"])["customer_id"].to_pylist()
        assert len(ids) == part.rows
        for customer_id in ids:
            assert int(hashlib.md5(customer_id.encode()).hexdigest()[:8], 16) % 7 == part.index
            assert seen.setdefault(customer_id, part.index) == part.index
    rejected = pq.read_table(split.rejections).num_rows
    assert sum(p.rows for p in split.partitions) + rejected == split.rows_read == 2_507


def test_partition_count_aims_at_the_partition_size(customers_csv: Path) -> None:
    assert partitions.partition_count(customers_csv) == 1
    assert partitions.partition_count(customers_csv, 1_000) == 3


def test_a_rerun_partition_replaces_its_outputs(customers_csv: Path, tmp_path: Path) -> None:
    split = partitions.split_customers(customers_csv, tmp_path, 2)
    key = partitions.WorkspaceKey(b"k" * 32)
    first = partitions.process_partition(split.partitions[0], RuleSet(), key)
    Path(first.identifiers + ".partial").write_bytes(b"half-written")
    again = partitions.process_partition(split.partitions[0], RuleSet(), key)
    assert again == first
    assert pq.read_table(again.identifiers).num_rows == first.identifiers_staged
    assert "k" * 32 not in repr(key)
