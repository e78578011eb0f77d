"""A quiet end to a process that ran a flow.

At interpreter shutdown after a flow run, DuckDB's bindings (nanobind) print a benign report of module objects still
alive (Prefect's event-loop threads outlive the clean-up): some forty lines that would bury a run's summary, and
follow every run in a served deployment's log.
"""

import atexit
import os
import sys

_installed = False


def install() -> None:
    """Close standard error at exit, once per process, when the exit handlers registered after this call have run
    (they run first: last registered, first run).

    The CLI installs it first thing, so it runs after all of Prefect's handlers. In the process Prefect starts for a
    served run it is installed as the flow begins, after Prefect registered some handlers: what those print at exit
    (normally nothing) is lost.
    """
    global _installed
    if _installed:
        return
    _installed = True

    def close_stderr() -> None:
        sys.stderr.flush()
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stderr.fileno())
        os.close(devnull)

    atexit.register(close_stderr)
