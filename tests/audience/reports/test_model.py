"""How counts and shares are shown (small counts masked, unknown ones said to be unknown, no share of a masked
count), and which runs a report can be about."""

from datetime import UTC, datetime

import pytest
from staged_runs import Workspace

from audience.errors import InputError
from audience.reports.build import build_report
from audience.reports.model import masked, masking_note, share, shown


@pytest.mark.parametrize(("count", "text"), [(None, "not recorded"), (0, "0"), (1, "< 10"), (9, "< 10"), (10, "10"),
                                             (12, "10"), (13, "15"), (1234567, "1,234,565")], ids=str)
def test_small_counts_are_masked_and_the_others_rounded(count: int | None, text: str) -> None:
    assert shown(count, 10) == text
    assert masked(count, 10) == (count is None or 0 < count < 10)


def test_the_threshold_is_a_parameter_and_1_prints_exact_counts() -> None:
    assert (shown(4, 5), shown(5, 5), shown(7, 5)) == ("< 5", "5", "5")
    assert (shown(1, 1), shown(1234567, 1)) == ("1", "1,234,567")
    assert "exact" in masking_note(1) and '"< 10"' in masking_note(10)


def test_no_small_count_follows_from_printed_counts_by_subtraction() -> None:
    whole, excluded = 142, 1
    assert shown(whole, 10) == shown(whole - excluded, 10) == "140"
    assert share(141, 142, 10) == "100.0 %"


@pytest.mark.parametrize(("part", "whole", "text"), [(50, 200, "25.0 %"), (9, 200, "–"), (50, None, "–"),
                                                      (200, 200, "100.0 %"), (0, 0, "–"), (0, 200, "0.0 %"),
                                                      (52, 198, "25.0 %")], ids=str)
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


def test_a_report_on_an_older_run_counts_the_runs_up_to_it_and_says_later_ones_exist(workspace_copy: Workspace) -> None:
    with workspace_copy.connect() as con:
        runs = [r for (r,) in con.execute("SELECT run_id FROM run WHERE status = 'succeeded' ORDER BY started_at")
                .fetchall()]
        first, last = (build_report(con, run_id, now=datetime.now(UTC)) for run_id in (runs[0], runs[-1]))
    assert (first.runs, first.later_runs) == (1, len(runs) - 1) and len(runs) > 1
    assert (last.runs, last.later_runs) == (len(runs), 0)
