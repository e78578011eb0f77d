import functools
from pathlib import Path

import pyarrow as pa
import pytest

from audience import ingest
from audience.identifiers.columns import normalise_customers
from audience.identifiers.rules import RuleSet
from data.generator import write_customers
from pipelines import bench


def test_the_throughput_stage_counts_every_batch_once_however_many_are_in_flight(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "customers.csv"
    write_customers(path, 2_500)
    whole = pa.concat_tables(b.customers for b in ingest.customer_batches(path))
    expected = normalise_customers(whole.select(["customer_id", "source_row", *ingest.CORE_COLUMNS[1:]]), RuleSet())
    monkeypatch.setattr(ingest, "customer_batches", functools.partial(ingest.customer_batches, batch_rows=700))
    for in_flight in (1, 2, 3):
        monkeypatch.setattr(bench, "IN_FLIGHT", in_flight)
        counts = bench.stage_normalise(path)
        assert (counts["customers"], counts["identifiers"], counts["rejections"]) == (
            2_500, expected.identifiers.num_rows, expected.rejections.num_rows)


def test_the_fastest_run_is_reported_with_every_run_and_the_highest_peak() -> None:
    runs = [{"seconds": 3.4, "peak_rss_mb": 900.0, "customers": 10}, {"seconds": 3.1, "peak_rss_mb": 950.0,
                                                                       "customers": 10}]
    assert bench._fastest(runs) == {"seconds": 3.1, "peak_rss_mb": 950.0, "customers": 10, "runs": [3.4, 3.1]}
