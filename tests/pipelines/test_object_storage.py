"""A run on a Dask cluster whose partitions live in object storage (S3, through fsspec): the same files, byte for
byte, as the local engine, and no partition left in the bucket afterwards."""

import logging
from pathlib import Path

import pytest
from distributed import LocalCluster
from typer.testing import CliRunner

from object_store import listing, s3_bucket
from pipelines.cli import app
from workspaces import AS_OF_TEXT, Workspace, make_workspace

pytestmark = [pytest.mark.flow, pytest.mark.slow]
runner = CliRunner()


def _files(workspace: Workspace) -> dict[str, bytes]:
    result = runner.invoke(app, ["run", "--config", str(workspace.config), "--as-of", AS_OF_TEXT])
    assert result.exit_code == 0, result.output
    run_dir = workspace.run_dirs()[-1]
    return {p.relative_to(run_dir).as_posix(): p.read_bytes() for p in run_dir.rglob("*") if p.is_file()
            and p.name != "manifest.json"}


def test_partitions_in_s3_give_the_same_files_as_the_local_engine(prefect_api: str, tmp_path: Path, sample) -> None:
    expected = _files(make_workspace(tmp_path / "local", sample))
    with s3_bucket() as bucket, LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                             dashboard_address=None, silence_logs=logging.ERROR) as cluster:
        distributed = make_workspace(tmp_path / "s3", sample, engine="dask", dask_address=cluster.scheduler_address,
                                     partitions=3, partition_dir=f"{bucket}/audience")
        assert _files(distributed) == expected
        assert listing(bucket) == []
