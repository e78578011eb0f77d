"""`audience schedule` against a real local `prefect server start`: a scheduled run completes, and its log ends
without the report DuckDB's bindings print at exit."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from workspaces import REPOSITORY, Workspace

pytestmark = [pytest.mark.slow, pytest.mark.flow]
PREFECT = Path(sys.executable).parent / "prefect"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(check, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(1)
    raise AssertionError(f"timed out waiting for {what}")


def _completed_runs(api: str) -> list[dict]:
    try:
        response = httpx.post(f"{api}/flow_runs/filter", json={
            "flow_runs": {"state": {"type": {"any_": ["COMPLETED"]}}, "deployment_id": {"is_null_": False}},
        }, timeout=10)
    except httpx.HTTPError:
        return []
    return response.json() if response.status_code == 200 else []


def test_a_served_deployment_runs_on_its_schedule(tmp_path: Path, workspace: Workspace) -> None:
    port = _free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {
        **os.environ,
        "PREFECT_HOME": str(tmp_path / "prefect-home"),
        "PREFECT_API_URL": api,
        "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "5",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PYTHONPATH": str(REPOSITORY),
    }
    server = subprocess.Popen([str(PREFECT), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                              env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    served = None
    try:
        _wait(lambda: _healthy(api), 120, "the Prefect server")
        log = tmp_path / "schedule.log"
        with log.open("wb") as output:
            served = subprocess.Popen(
                [sys.executable, "-m", "pipelines", "schedule", "--config", str(workspace.config), "--interval", "10",
                 "--name", "test-schedule"],
                env=env, start_new_session=True, stdout=output, stderr=subprocess.STDOUT,
            )
        (flow_run, *_) = _wait(lambda: _completed_runs(api), 180, "a scheduled run to complete")
        assert flow_run["auto_scheduled"] is True
        assert any((d / "manifest.json").is_file() for d in workspace.run_dirs())
        time.sleep(5)  # the run's own process exits after reporting completion
        served_log = log.read_text(encoding="utf-8", errors="replace")
        assert "Serving deployment" in served_log and "nanobind" not in served_log
    finally:
        for process in (served, server):
            if process is not None:
                _stop(process)


def _stop(process: subprocess.Popen) -> None:
    """Stop a process group: asked first, killed when a scheduled run it started meanwhile keeps it past 30 s."""
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


def _healthy(api: str) -> bool:
    try:
        return httpx.get(f"{api}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
