"""The temporary Prefect API the CLI starts before it imports Prefect."""

import os
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from audience.errors import AudienceError
from pipelines import prefect_api
from workspaces import REPOSITORY, Workspace

SERVER_APP = "prefect.server.api.server:create_app"


def _without_api(**extra: str) -> dict[str, str]:
    """This environment without PREFECT_API_URL, for a command that must start its own API."""
    return {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"} | {"PYTHONPATH": str(REPOSITORY), **extra}


def _servers_of(process: psutil.Process) -> set[psutil.Process]:
    """The Prefect servers among the descendants of `process` (none once it has exited)."""
    try:
        children = process.children(recursive=True)
    except psutil.NoSuchProcess:
        return set()
    found = set()
    for child in children:
        try:
            if SERVER_APP in child.cmdline():
                found.add(child)
        except psutil.NoSuchProcess:
            continue
    return found


def test_a_run_without_an_api_starts_one_first_and_stops_it_at_exit(workspace: Workspace, tmp_path: Path) -> None:
    stdout, stderr = tmp_path / "stdout", tmp_path / "stderr"
    with stdout.open("w") as out, stderr.open("w") as err:
        run = psutil.Popen(workspace.command(), env=_without_api(PREFECT_LOGGING_LEVEL="INFO"), stdout=out, stderr=err,
                           text=True)
        started = set()
        while run.poll() is None:
            started |= _servers_of(run)
            time.sleep(0.1)
    output, log = stdout.read_text(), stderr.read_text()
    assert run.returncode == 0, log[-2000:]
    assert "finished" in output
    assert "Beginning flow run" in log
    assert "Starting temporary server" not in log  # Prefect did not start a second one
    assert "View at" not in log  # the temporary API serves no UI to link to
    assert len(started) == 1
    (server,) = started
    assert not server.is_running() or server.status() == psutil.STATUS_ZOMBIE


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
