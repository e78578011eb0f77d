"""A three-run workspace for the report tests, with match results imported for its runs."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from staged_runs import History, Workspace, history, write_csv

from audience.reports.matches import import_matches

NOW = datetime(2026, 11, 20, tzinfo=UTC)


@pytest.fixture(scope="session")
def reported(tmp_path_factory: pytest.TempPathFactory) -> History:
    """The workspace, with Meta counts for every run and a Google range for the last one."""
    demo = history(tmp_path_factory.mktemp("reports") / "ws")
    rows = [(run, "meta", "all", str(300 + 10 * i), str(180 + 15 * i), "") for i, run in enumerate(demo.runs)]
    rows.append((demo.runs[2], "google", "all", "", "", "MATCH_RANGE_41_TO_50"))
    matches = write_csv(demo.ws.root / "matches.csv", "run_id,platform,audience,uploaded,matched,match_rate_range", rows)
    with demo.ws.connect() as con:
        import_matches(con, matches, now=NOW)
    return demo


@pytest.fixture
def workspace_copy(reported: History, tmp_path: Path) -> Workspace:
    return reported.ws.copy(tmp_path / "ws")
