"""Prefect flows and the command line that wire the audience and consent libraries together.

audience sends nothing anywhere but its export files: Prefect's usage telemetry is off unless the environment
sets PREFECT_SERVER_ANALYTICS_ENABLED (set before Prefect reads its settings, hence here).
"""

import os

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
