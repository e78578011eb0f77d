"""How counts and shares are shown (small counts masked, unknown ones said to be unknown, no share of a masked
count), and which runs a report can be about."""

from datetime import UTC, datetime

import pytest
from staged_runs import Workspace

from audience.errors import InputError
from audience.reports.build import build_report
from audience.reports.model import masked, share, shown


@pytest.mark.parametrize(("count", "text"), [(None, "not recorded"), (0, "< 10"), (9, "< 10"), (10, "10"),
                                             (1234567, "1,234,567")], ids=str)
def test_counts_below_the_threshold_are_masked(count: int | None, text: str) -> None:
    assert shown(count, 10) == text
    assert masked(count, 10) == (count is None or count < 10)


def test_the_threshold_is_a_parameter() -> None:
    assert (shown(4, 5), shown(5, 5), shown(1, 1)) == ("< 5", "5", "1")


@pytest.mark.parametrize(("part", "whole", "text"), [(50, 200, "25.0 %"), (9, 200, "–"), (50, None, "–"),
                                                      (200, 200, "100.0 %"), (0, 0, "–")], ids=str)
def test_shares_are_only_shown_between_shown_counts(part: int | None, whole: int | None, text: str) -> None:
    assert share(part, whole, 10) == text


def test_a_report_names_an_unknown_or_failed_run_and_how_to_fix_it(workspace_copy: Workspace) -> None:
    with workspace_copy.connect() as con:
        with pytest.raises(InputError, match="No run 'nope'"):
            build_report(con, "nope", now=datetime.now(UTC))
        (run_id,) = con.execute("SELECT run_id FROM run ORDER BY started_at LIMIT 1").fetchone()
        con.execute("UPDATE run SET status = 'failed' WHERE run_id = ?", [run_id])
        with pytest.raises(InputError, match="failed and exported nothing"):
            build_report(con, run_id, now=datetime.now(UTC))
        with pytest.raises(InputError, match="at least 1"):
            build_report(con, threshold=0, now=datetime.now(UTC))
