"""The engine a run's partitions go to, chosen by configuration and the run's flags."""

import pytest
import typer
from prefect.task_runners import ThreadPoolTaskRunner
from prefect_dask import DaskTaskRunner

from audience.errors import InputError
from pipelines.commands.run import _with_engine
from pipelines.config import Settings, load_settings
from pipelines.engines import task_runner


def test_the_local_engine_is_threads_of_the_run_process_by_default() -> None:
    runner = task_runner(Settings(workers=3))
    assert isinstance(runner, ThreadPoolTaskRunner)
    assert runner._max_workers == 3


def test_a_dask_address_targets_that_cluster_and_no_address_starts_a_local_one() -> None:
    remote = task_runner(Settings(engine="dask", dask_address="tcp://scheduler:8786"))
    assert isinstance(remote, DaskTaskRunner) and remote.address == "tcp://scheduler:8786"
    local = task_runner(Settings(engine="dask", workers=2))
    assert local.address is None
    assert local.cluster_kwargs == {"n_workers": 2, "processes": True, "threads_per_worker": 1,
                                    "dashboard_address": None}


def test_where_a_run_computes_does_not_change_its_config_digest() -> None:
    plain = Settings()
    scaled = Settings(engine="dask", dask_address="tcp://s:8786", workers=8, partitions=64, partition_rows=1_000)
    assert scaled.digest_json() == plain.digest_json()


def test_a_bad_engine_or_address_is_refused_naming_the_key(tmp_path) -> None:
    config = tmp_path / "audience.toml"
    config.write_text('engine = "ray"\ndask_address = "scheduler:8786"\n', encoding="utf-8")
    with pytest.raises(InputError) as refused:
        load_settings(config)
    assert "engine" in str(refused.value) and "dask_address" in str(refused.value)


def test_the_engine_flags_override_the_config_and_a_local_engine_says_it_ignores_an_address(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configured = Settings(engine="local", dask_address="tcp://scheduler:8786")
    assert _with_engine(configured, None, None) == configured
    assert 'dask_address tcp://scheduler:8786 is ignored, since engine = "local"' in capsys.readouterr().err
    assert _with_engine(configured, "local", None).dask_address is None
    assert _with_engine(Settings(), None, "tcp://other:8786").engine == "dask"
    with pytest.raises(typer.Exit):
        _with_engine(Settings(), "local", "tcp://other:8786")
