"""Test-wide set-up: an isolated Prefect home, set before anything imports Prefect."""

import os
import tempfile
from pathlib import Path

_PREFECT_HOME = Path(tempfile.gettempdir()) / f"audience-tests-prefect-{os.getuid()}"
os.environ["PREFECT_HOME"] = str(_PREFECT_HOME)
os.environ.pop("PREFECT_API_URL", None)
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
