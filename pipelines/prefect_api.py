"""A temporary Prefect API for one command, started before the command imports Prefect.

Without a configured API (PREFECT_API_URL), Prefect starts a temporary server itself, but only once the flow is
called: after the command has imported Prefect and then the server's code (about 1.3 s here), it waits about 3 s
for the server. Started first, the server comes up while the command imports, and the flow of a 1M-customer run
begins about 1.6 s sooner. The server is the one Prefect would start (same application, same settings) and is
stopped when the interpreter exits, after Prefect has sent its last logs and events.

This module imports nothing of Prefect until `used` is entered.
"""

import atexit
import ctypes
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from audience.errors import AudienceError

SERVER_ENV = {"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}
"""The environment Prefect gives its own temporary server (`prefect.server.api.server.SubprocessASGIServer`)."""
_PR_SET_PDEATHSIG = 1


class TemporaryApi:
    """A Prefect API server process of this command's, on a free loopback port."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port: int = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/api"
        app_dir = Path(importlib.util.find_spec("prefect").origin).parent.parent
        self.process: subprocess.Popen | None = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--app-dir", str(app_dir), "--factory",
             "prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port", str(self.port),
             "--log-level", "error", "--lifespan", "on"],
            env={**os.environ, **SERVER_ENV},
            preexec_fn=_stop_with_parent(),
        )
        atexit.register(self.stop)

    def ready(self, timeout: float) -> None:
        """Wait until the server answers its health check.

        Raises:
            AudienceError: the server exited, or did not answer within `timeout` seconds.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                code = None if self.process is None else self.process.returncode
                raise AudienceError(f"Prefect's temporary API server exited (status {code}) before it was ready; "
                                    "start one with `prefect server start` and set "
                                    "PREFECT_API_URL=http://127.0.0.1:4200/api")
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=1) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.05)
        raise AudienceError(f"Prefect's temporary API server did not start within {timeout:.0f} s; raise "
                            "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS, or start one with `prefect server "
                            "start` and set PREFECT_API_URL=http://127.0.0.1:4200/api")

    def stop(self) -> None:
        """Stop the server (at once if it does not stop within 5 s); safe to call more than once."""
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


def _stop_with_parent() -> Callable[[], object] | None:
    """What the server's process runs before it starts: have Linux stop it when the command's process dies, however
    it dies (a killed run leaves no server behind). None elsewhere, where the exit handler alone stops it. The C
    function is looked up here, in the command's process, so that the child only calls it."""
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    return lambda: prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


_ahead: list[TemporaryApi | None] = []
"""What `start_ahead` started, until `start` takes it."""


def start_ahead() -> None:
    """`start` now, for the command's own `start` to take: the `audience` command calls it for a command that runs a
    flow before it imports the command line, so that the server comes up while that loads (the flow begins about
    0.6 s sooner)."""
    _ahead[:] = [start()]


def start() -> TemporaryApi | None:
    """Start a temporary API (or take the one `start_ahead` started), unless the environment names one
    (PREFECT_API_URL), or Prefect, already imported by the caller, has one in its settings."""
    if _ahead:
        return _ahead.pop()
    if os.environ.get("PREFECT_API_URL"):
        return None
    settings = sys.modules.get("prefect.settings")
    if settings is not None and settings.PREFECT_API_URL.value():
        return None
    return TemporaryApi()


@contextmanager
def used(api: TemporaryApi | None) -> Iterator[None]:
    """Within: Prefect talks to `api`, once it is ready. A Prefect profile that names an API, or that turns temporary
    servers off, wins: then `api` is stopped unused and Prefect does as its settings say."""
    if api is None:
        yield
        return
    from prefect.settings import (
        PREFECT_API_URL,
        PREFECT_SERVER_EPHEMERAL_ENABLED,
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS,
        PREFECT_UI_URL,
        temporary_settings,
    )

    if PREFECT_API_URL.value() or not PREFECT_SERVER_EPHEMERAL_ENABLED.value():
        api.stop()
        yield
        return
    api.ready(PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS.value())
    with temporary_settings({PREFECT_API_URL: api.url, PREFECT_UI_URL: ""}):  # no UI is served: no "View at" link
        yield
