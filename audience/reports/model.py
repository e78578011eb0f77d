"""The analysts' report as data: every number already formatted for display, small counts masked, chart
geometry computed; a template only lays it out."""

from dataclasses import dataclass
from typing import Literal

DEFAULT_THRESHOLD = 10
"""Counts from 1 to below this are shown as "< 10", so that a report cannot single out a few people."""
ROUNDING_BASE = 5
"""Printed counts are multiples of this (see `published`)."""
NOT_RECORDED = "not recorded"
NO_RATE = "–"

StepKey = Literal["customers", "with_identifier", "valid", "consented", "not_suppressed", "exported"]
STEPS: tuple[tuple[StepKey, str], ...] = (
    ("customers", "customers"),
    ("with_identifier", "with identifier"),
    ("valid", "valid"),
    ("consented", "consented"),
    ("not_suppressed", "not suppressed"),
    ("exported", "exported"),
)
"""The exclusion waterfall, in order: each step keeps the customers of the one before that pass it. What the
platforms matched is in the match rates: they count records or hashes, not customers."""


def published(count: int | None, threshold: int) -> int | None:
    """The count a report may print, or None when it is hidden (unknown, or from 1 to below the threshold). Zero is
    printed as it is; any other count, while the threshold masks anything (above 1), rounded to the nearest
    multiple of ROUNDING_BASE and never below the threshold, so that no printed count follows exactly from others by
    subtraction: neither a hidden one (a segment as a whole minus the other segments) nor the few a step excluded
    (adjacent steps, two runs)."""
    if count is None or 0 < count < threshold:
        return None
    if threshold <= 1 or count == 0:
        return count
    return max(threshold, ROUNDING_BASE * int(count / ROUNDING_BASE + 0.5))


def masking_note(threshold: int) -> str:
    """What a report says about how its counts are printed."""
    if threshold <= 1:
        return "Counts are exact: nothing is masked (threshold 1)."
    return (f"Counts from 1 to {threshold - 1} are shown as \"< {threshold}\", the others rounded to the nearest "
            f"{ROUNDING_BASE} (shares are of the rounded counts).")


def shown(count: int | None, threshold: int) -> str:
    """A count as the report prints it: `< threshold` when small, `not recorded` when unknown, else `published`."""
    if count is None:
        return NOT_RECORDED
    printed = published(count, threshold)
    return f"< {threshold}" if printed is None else f"{printed:,}"


def masked(count: int | None, threshold: int) -> bool:
    """Whether a count is hidden (unknown or below the threshold, zero aside)."""
    return published(count, threshold) is None


def share(part: int | None, whole: int | None, threshold: int) -> str:
    """`part / whole` of the published counts as a percentage, or a dash when either is hidden or the whole is zero."""
    shown_part, shown_whole = published(part, threshold), published(whole, threshold)
    if shown_part is None or not shown_whole:
        return NO_RATE
    return f"{100 * shown_part / shown_whole:.1f} %"


@dataclass(frozen=True, slots=True)
class Bar:
    """One horizontal bar of a chart: a label, the shown count and where each piece goes (no bar when hidden)."""

    label: str
    text: str
    hidden: bool
    x: float
    y: float
    width: float
    height: float
    text_y: float
    value_x: float


@dataclass(frozen=True, slots=True)
class BarChart:
    """An inline SVG bar chart."""

    width: int
    height: int
    bars: tuple[Bar, ...]


@dataclass(frozen=True, slots=True)
class GridLine:
    """A horizontal grid line of a line chart and its label."""

    y: float
    label_y: float
    label: str


@dataclass(frozen=True, slots=True)
class LineChart:
    """An inline SVG line chart of one series over runs; `points` is the SVG polyline attribute."""

    width: int
    height: int
    axis_x1: float
    axis_x2: float
    points: str
    dots: tuple[tuple[float, float, str], ...]
    """x, y and a tooltip per run."""
    grid: tuple[GridLine, ...]
    x_labels: tuple[tuple[float, str], ...]
    x_label_y: float


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a waterfall."""

    key: StepKey
    label: str
    count: str
    of_customers: str
    """The step as a share of the audience."""


@dataclass(frozen=True, slots=True)
class IdentifierSteps:
    """The waterfall of one identifier kind (email, phone or device_id) on one platform and audience."""

    identifier: str
    counts: tuple[str, ...]
    """Shown counts in the order of STEPS."""


@dataclass(frozen=True, slots=True)
class Waterfall:
    """Why one audience on one platform is the size it is."""

    platform: str
    audience: str
    status: str
    steps: tuple[Step, ...]
    chart: BarChart
    identifiers: tuple[IdentifierSteps, ...]


@dataclass(frozen=True, slots=True)
class QualityRow:
    """How many identifier values (or rows) an input lost to one rejection reason."""

    input: str
    column: str
    platform: str
    reason: str
    count: str


@dataclass(frozen=True, slots=True)
class MatchRate:
    """Before and after upload for one audience on one platform."""

    platform: str
    audience: str
    customers: str
    exported: str
    ceiling: str
    """Exported customers as a share of the audience: the most that can match."""
    uploaded: str
    matched: str
    rate: str
    source: str


@dataclass(frozen=True, slots=True)
class TrendPoint:
    """One run's exported size and match rate for one audience on one platform."""

    run_id: str
    as_of: str
    exported: str
    rate: str


@dataclass(frozen=True, slots=True)
class Trend:
    """A target's match rate across runs."""

    platform: str
    audience: str
    points: tuple[TrendPoint, ...]
    chart: LineChart | None
    """None when fewer than two runs have a reported rate."""


@dataclass(frozen=True, slots=True)
class HeldBack:
    """An audience not exported to a platform because it is below the platform minimum, or retired (no longer
    configured: its removals empty the platform's list)."""

    platform: str
    audience: str
    customers: str
    minimum: str
    removals: str
    retired: bool = False


@dataclass(frozen=True, slots=True)
class RunInfo:
    """What identifies the run a report is about."""

    run_id: str
    as_of: str
    started_at: str
    finished_at: str
    status: str
    code_version: str
    rules_version: str
    config_sha256: str
    ledger_head: str
    files: str
    manifest_sha256: str


@dataclass(frozen=True, slots=True)
class Report:
    """The analysts' report on one run, with trends over every successful run of the workspace."""

    title: str
    generated_at: str
    threshold: int
    masking: str
    """How the counts are printed (`masking_note`)."""
    run: RunInfo
    runs: int
    later_runs: int
    """Successful runs after this one (a report on an older run says so)."""
    waterfalls: tuple[Waterfall, ...]
    quality: tuple[QualityRow, ...]
    match_rates: tuple[MatchRate, ...]
    trends: tuple[Trend, ...]
    held_back: tuple[HeldBack, ...]
