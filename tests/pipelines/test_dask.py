"""The same run on a real Dask cluster of worker processes: the same files, byte for byte, and the same lineage; and
a worker killed mid-run leaves a workspace that verifies and runs again."""

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import dask
import duckdb
import pytest
from distributed import Client, LocalCluster, WorkerPlugin
from typer.testing import CliRunner

from audience.export import verify_manifest
from exported import manifest
from pipelines.cli import app
from workspaces import AS_OF_TEXT, Workspace, make_workspace

pytestmark = [pytest.mark.flow, pytest.mark.slow]
runner = CliRunner()
PARTITIONS = 3
LINEAGE = {
    "run_input": "input, path, size_bytes, sha256, rows_accepted, rows_rejected, rows_duplicate",
    "rejected_row": "input, source_row, \"column\", platform, reason",
    "audience_export": "platform, audience, customers, \"values\", status",
    "membership": "platform, audience, customer_id, identifier, id_type, sha256, event_id",
    "export_file": "path, platform, audience, op, identifier, \"rows\", sha256",
}
"""Lineage tables and the columns compared between engines (everything but run ids and times)."""


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    """Two worker processes; a task whose worker dies is run again once, and fails if that worker dies too."""
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}), \
            LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None,
                         silence_logs=logging.ERROR) as local:
        yield local


def _run(workspace: Workspace, *args: str) -> Path:
    result = runner.invoke(app, ["run", "--config", str(workspace.config), "--as-of", AS_OF_TEXT, *args])
    assert result.exit_code == 0, result.output
    return workspace.run_dirs()[-1]


def _files(run_dir: Path) -> dict[str, bytes]:
    return {p.relative_to(run_dir).as_posix(): p.read_bytes() for p in run_dir.rglob("*") if p.is_file()
            and p.name != "manifest.json"}


def _lineage(db: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(db), read_only=True) as con:
        tables = {name: con.execute(f"SELECT {columns} FROM {name} ORDER BY ALL").fetchall()
                  for name, columns in LINEAGE.items()}
        tables["run"] = con.execute("SELECT status, count(*) FROM run GROUP BY ALL ORDER BY ALL").fetchall()
    return tables


def test_a_dask_cluster_run_writes_the_same_files_and_lineage_as_the_local_engine(
    prefect_api: str, tmp_path: Path, sample, cluster: LocalCluster
) -> None:
    local = make_workspace(tmp_path / "local", sample)
    distributed = make_workspace(tmp_path / "dask", sample, engine="dask", dask_address=cluster.scheduler_address,
                                 partitions=PARTITIONS)
    expected, got = _run(local), _run(distributed)
    assert _files(got) == _files(expected)
    assert manifest(got)["files"] == manifest(expected)["files"]
    assert _lineage(distributed.db) == _lineage(local.db)
    customers = next(row for row in _lineage(local.db)["run_input"] if row[0] == "customers")
    assert customers[4] + customers[5] == 3_000
    assert not distributed.db.with_name(distributed.db.name + ".partitions").exists()


class KillWorkers(WorkerPlugin):
    """Kills the worker process that starts the first partition task it sees, and again whenever that same task
    starts, `times` times in all (each kill claims a numbered file in `tally`, the first one naming the task), so that
    two kills always hit one task, however the workers' starts interleave."""

    def __init__(self, tally: Path, times: int) -> None:
        self.tally, self.times = tally, times

    def transition(self, key, start: str, finish: str, **kwargs) -> None:
        if finish != "executing" or not str(key).startswith("normalise_partition"):
            return
        for n in range(1, self.times + 1):
            if n > 1 and (self.tally / "1").read_text() != str(key):
                return
            try:
                claim = os.open(self.tally / str(n), os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                continue
            os.write(claim, str(key).encode())
            os.close(claim)
            os._exit(1)


@pytest.mark.parametrize(("kills", "outcome"), [(1, "succeeded"), (2, "failed")], ids=["retried", "failed"])
def test_a_worker_killed_during_a_run_leaves_a_workspace_that_verifies_and_reruns(
    prefect_api: str, tmp_path: Path, sample, cluster: LocalCluster, kills: int, outcome: str
) -> None:
    workspace = make_workspace(tmp_path / "ws", sample, engine="dask", dask_address=cluster.scheduler_address,
                               partitions=PARTITIONS)
    tally = tmp_path / "kills"
    tally.mkdir()
    with Client(cluster.scheduler_address) as client:
        client.register_plugin(KillWorkers(tally, kills), name="kill-workers")
        try:
            result = runner.invoke(app, ["run", "--config", str(workspace.config), "--as-of", AS_OF_TEXT])
        finally:
            client.unregister_worker_plugin("kill-workers")
    assert len(list(tally.iterdir())) == kills
    assert _lineage(workspace.db)["run"] == [(outcome, 1)]
    assert (result.exit_code == 0) == (outcome == "succeeded")
    if outcome == "failed":
        assert workspace.run_dirs() == []
    assert not workspace.db.with_name(workspace.db.name + ".partitions").exists()
    for command in (["audit", "verify"], ["consent", "verify"]):
        verified = runner.invoke(app, [*command, "--config", str(workspace.config)])
        assert verified.exit_code == 0, verified.output
    rerun = _run(workspace)
    assert verify_manifest(rerun) == []
    first_success = workspace.run_dirs()[0]
    reference = make_workspace(tmp_path / "reference", sample)
    assert _files(first_success) == _files(_run(reference))
