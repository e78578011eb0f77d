"""How counts and shares are shown: small counts masked, unknown ones said to be unknown, no share of a masked count."""

import pytest

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
