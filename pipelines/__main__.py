"""`audience` and `python -m pipelines`: the command line. For a command that runs a flow, Prefect's temporary API
starts first, so that it comes up while the command line loads."""

import sys

from pipelines import prefect_api

FLOW_COMMANDS = ("run", "demo")


def main() -> None:
    """Run the `audience` command line."""
    if sys.argv[1:2] and sys.argv[1] in FLOW_COMMANDS:
        prefect_api.start_ahead()
    from pipelines.cli import app

    app()


if __name__ == "__main__":
    main()
