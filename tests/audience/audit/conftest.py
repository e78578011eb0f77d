"""One three-run workspace for the session (withdrawals, a late withdrawal, an erasure, new grants), and a fresh copy
of it for every test that changes it."""

from pathlib import Path

import pytest
from staged_runs import History, Workspace, history


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> History:
    return history(tmp_path_factory.mktemp("audit") / "ws")


@pytest.fixture
def copy(demo: History, tmp_path: Path) -> Workspace:
    return demo.ws.copy(tmp_path / "ws")
