"""The task runner a run's partition tasks go to, chosen by configuration; the flow is the same for every engine.

Only the tasks a flow submits or maps run on the engine; everything else, and every write to the workspace
database, stays in the flow's own process.
"""

from collections.abc import Callable

from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

from pipelines.config import Engine, Settings


def _local(settings: Settings) -> TaskRunner:
    return ThreadPoolTaskRunner(max_workers=settings.workers)


def _dask(settings: Settings) -> TaskRunner:
    from prefect_dask import DaskTaskRunner

    if settings.dask_address is not None:
        return DaskTaskRunner(address=settings.dask_address)
    return DaskTaskRunner(cluster_kwargs={"n_workers": settings.workers, "processes": True, "threads_per_worker": 1,
                                          "dashboard_address": None})


ENGINES: dict[Engine, Callable[[Settings], TaskRunner]] = {"local": _local, "dask": _dask}


def task_runner(settings: Settings) -> TaskRunner:
    """The runner of `settings.engine`: threads here, an existing Dask cluster (`dask_address`), or a local Dask
    cluster of `workers` processes started for the run."""
    return ENGINES[settings.engine](settings)
