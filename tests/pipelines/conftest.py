"""Fixtures for runs through the CLI: one Prefect backend per session, one generated sample, fresh workspaces."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from data.generator import SampleInputs, write_sample_workspace_inputs
from workspaces import SAMPLE_CUSTOMERS, Workspace, make_workspace


@pytest.fixture(scope="session")
def prefect_api() -> Iterator[str]:
    """A Prefect API for the whole session (heartbeats off), also used by CLI subprocesses."""
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import PREFECT_API_URL, PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    server = SubprocessASGIServer()
    server.start(timeout=120)
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    with temporary_settings({PREFECT_API_URL: server.api_url, PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield server.api_url
        APILogWorker.drain_all()
        EventsWorker.drain_all()
    server.stop()


@pytest.fixture(scope="session")
def sample(tmp_path_factory: pytest.TempPathFactory) -> SampleInputs:
    return write_sample_workspace_inputs(tmp_path_factory.mktemp("sample"), SAMPLE_CUSTOMERS)


@pytest.fixture
def workspace(tmp_path: Path, sample: SampleInputs) -> Workspace:
    return make_workspace(tmp_path / "ws", sample)
