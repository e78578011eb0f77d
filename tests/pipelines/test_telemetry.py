"""audience sends nothing but its export files: Prefect's telemetry is off unless the environment turns it on."""

import os
import subprocess
import sys

import pytest

PRINT_SETTING = "import pipelines.flows; from prefect.settings import get_current_settings; " \
                "print(get_current_settings().server.analytics_enabled)"


@pytest.mark.parametrize(("given", "expected"), [(None, "False"), ("true", "True")])
def test_prefect_telemetry_is_off_unless_the_environment_asks_for_it(given: str | None, expected: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_SERVER_ANALYTICS_ENABLED"}
    if given is not None:
        env["PREFECT_SERVER_ANALYTICS_ENABLED"] = given
    done = subprocess.run([sys.executable, "-c", PRINT_SETTING], env=env, capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == expected
