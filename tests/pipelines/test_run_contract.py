"""`audience run` on small hand-made inputs through the CLI, one sentence of pipeline.md at a time."""

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from audience.identifiers.reference import platform_value
from exported import exported
from pipelines.cli import app

pytestmark = pytest.mark.flow
runner = CliRunner()
EVERY_AUDIENCE_EXPORTED = "[min_audience]\ngoogle = 1\nmeta = 1\ntiktok = 1\n"


def run(root: Path, *args: str | Path) -> Path:
    """One `audience run` of the workspace at `root` (created with a config that exports any audience size);
    returns the run directory it wrote."""
    root.mkdir(parents=True, exist_ok=True)
    config = root / "audience.toml"
    if not config.exists():
        config.write_text(EVERY_AUDIENCE_EXPORTED, encoding="utf-8")
    out = root / "out"
    before = set(out.iterdir()) if out.exists() else set()
    result = runner.invoke(app, ["run", "--config", str(config), "--db", str(root / "w.duckdb"), "--out", str(out),
                                 *map(str, args)])
    assert result.exit_code == 0, result.output
    (run_dir,) = set(out.iterdir()) - before
    return run_dir


def hashed(platform: str, kind: str, raw: str) -> str:
    return hashlib.sha256(platform_value(kind, platform, raw, "PL").value.encode()).hexdigest()


def test_a_run_as_of_now_counts_what_it_imports_without_recorded_at_and_a_past_run_does_not(
    prefect_api: str, tmp_path: Path
) -> None:
    customers, events, suppressions = tmp_path / "customers.csv", tmp_path / "events.csv", tmp_path / "supp.csv"
    customers.write_text("customer_id,email\nq1,q1@example.com\nq2,q2@example.com\n", encoding="utf-8")
    events.write_text("event_id,customer_id,platform,action,effective_at,recorded_at\n"
                      "v1,q1,*,grant,2026-01-01T00:00:00Z,\n"
                      "v2,q2,*,grant,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z\n", encoding="utf-8")
    suppressions.write_text("customer_id,kind,effective_at\nq2,objection,2026-01-02T00:00:00Z\n", encoding="utf-8")
    inputs = ("--customers", customers, "--consent", events, "--suppressions", suppressions)

    now = exported(run(tmp_path / "now", *inputs))
    past = exported(run(tmp_path / "past", *inputs, "--as-of", "2026-02-01T00:00:00+01:00"))
    for platform in ("google", "meta", "tiktok"):
        assert now[platform, "all", "full"] == {hashed(platform, "email", "q1@example.com")}, platform
        assert past[platform, "all", "full"] == {hashed(platform, "email", "q2@example.com")}, platform


def test_parquet_inputs_of_every_kind_export_like_csv(prefect_api: str, tmp_path: Path) -> None:
    granted = datetime(2026, 1, 1, tzinfo=UTC)
    pq.write_table(pa.table({"customer_id": ["p1", "p2", "p3"], "email": ["p1@example.com", "", "P3@Example.com"],
                             "phone": ["", "+48 512 345 002", None], "tier": ["", "gold", "gold"]}),
                   tmp_path / "customers.parquet")
    pq.write_table(pa.table({"event_id": ["v1", "v2", "v3"], "customer_id": ["p1", "p2", "p3"],
                             "platform": ["*", "*", "*"], "action": ["grant", "grant", "grant"],
                             "effective_at": pa.array([granted] * 3, pa.timestamp("ns", tz="Europe/Warsaw")),
                             "recorded_at": pa.array([granted] * 3, pa.timestamp("ns", tz="UTC"))}),
                   tmp_path / "events.parquet")
    pq.write_table(pa.table({"email": ["p3@example.com"], "kind": ["objection"],
                             "effective_at": pa.array([granted], pa.timestamp("ns", tz="UTC")),
                             "recorded_at": pa.array([granted], pa.timestamp("ns", tz="UTC"))}),
                   tmp_path / "suppressions.parquet")
    run_dir = run(tmp_path / "ws", "--customers", tmp_path / "customers.parquet", "--consent",
                  tmp_path / "events.parquet", "--suppressions", tmp_path / "suppressions.parquet",
                  "--as-of", "2026-02-01T00:00:00Z")
    got = exported(run_dir)
    for platform in ("google", "meta", "tiktok"):
        assert got[platform, "all", "full"] == {hashed(platform, "email", "p1@example.com"),
                                                hashed(platform, "phone", "+48 512 345 002")}, platform
    with duckdb.connect(str(tmp_path / "ws" / "w.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM rejected_row").fetchall() == [(0,)]
