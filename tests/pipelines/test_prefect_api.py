"""The temporary Prefect API the CLI starts before it imports Prefect."""

import os
import subprocess
import sys
import time

import psutil
import pytest

from audience.errors import AudienceError
from pipelines import prefect_api
from workspaces import REPOSITORY, Workspace

SERVER_APP = "prefect.server.api.server:create_app"


def _without_api(**extra: str) -> dict[str, str]:
    """This environment without PREFECT_API_URL, for a command that must start its own API."""
    return {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"} | {"PYTHONPATH": str(REPOSITORY), **extra}


def _servers() -> set[int]:
    return {p.pid for p in psutil.process_iter(["cmdline"]) if SERVER_APP in (p.info["cmdline"] or [])}


def test_a_run_without_an_api_starts_one_first_and_stops_it_at_exit(workspace: Workspace) -> None:
    before = _servers()
    done = subprocess.run(workspace.command(), env=_without_api(PREFECT_LOGGING_LEVEL="INFO"), capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "finished" in done.stdout
    assert "Beginning flow run" in done.stderr
    assert "Starting temporary server" not in done.stderr  # Prefect did not start a second one
    assert "View at" not in done.stderr  # the temporary API serves no UI to link to
    assert _servers() <= before


def test_an_api_started_ahead_is_the_one_the_command_takes_once() -> None:
    command = ("from pipelines import prefect_api; prefect_api.start_ahead(); ahead = prefect_api.start(); "
               "again = prefect_api.start(); ahead.ready(120); "
               "print(again is not None and again is not ahead, ahead.process.poll() is None, flush=True); "
               "ahead.stop(); again.stop()")
    done = subprocess.run([sys.executable, "-c", command], env=_without_api(), capture_output=True, text=True,
                          timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["True", "True"]


def test_an_api_already_configured_is_left_to_prefect(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:4200/api")
    assert prefect_api.start() is None


def test_a_server_that_exits_early_is_reported_with_the_fix() -> None:
    api = prefect_api.TemporaryApi()
    api.process.kill()
    api.process.wait()
    with pytest.raises(AudienceError, match="PREFECT_API_URL"):
        api.ready(timeout=30)
    api.stop()
    assert api.process is None


def test_a_command_killed_outright_leaves_no_server_behind() -> None:
    command = ("import os; from pipelines import prefect_api; api = prefect_api.start(); "
               "print(api.process.pid, flush=True); api.ready(120); os.kill(os.getpid(), 9)")
    done = subprocess.run([sys.executable, "-c", command], env=_without_api(), capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == -9
    server = int(done.stdout.split()[0])
    deadline = time.monotonic() + 30
    while psutil.pid_exists(server) and psutil.Process(server).status() != psutil.STATUS_ZOMBIE:
        assert time.monotonic() < deadline, "the temporary API server outlived the killed command"
        time.sleep(0.1)
