"""The analysts' report as data: every number already formatted for display, small counts masked, chart
geometry computed; a template only lays it out."""

from dataclasses import dataclass
from typing import Literal

DEFAULT_THRESHOLD = 10
"""Counts below this are shown as "< 10", so that a report cannot single out a few people."""
NOT_RECORDED = "not recorded"
NO_RATE = "–"

StepKey = Literal["customers", "with_identifier", "valid", "consented", "not_suppressed", "exported", "matched"]
STEPS: tuple[tuple[StepKey, str], ...] = (
    ("customers", "customers"),
    ("with_identifier", "with identifier"),
    ("valid", "valid"),
    ("consented", "consented"),
    ("not_suppressed", "not suppressed"),
    ("exported", "exported"),
    ("matched", "matched"),
)
"""The exclusion waterfall, in order: each step keeps the customers of the one before that pass it."""


def shown(count: int | None, threshold: int) -> str:
    """A count as the report prints it: `< threshold` when small, `not recorded` when unknown."""
    if count is None:
        return NOT_RECORDED
    if count < threshold:
        return f"< {threshold}"
    return f"{count:,}"


def masked(count: int | None, threshold: int) -> bool:
    """Whether a count is hidden (unknown or below the threshold)."""
    return count is None or count < threshold


def share(part: int | None, whole: int | None, threshold: int) -> str:
    """`part / whole` as a percentage, or a dash when either count is hidden or the whole is zero."""
    if masked(part, threshold) or masked(whole, threshold) or not whole:
        return NO_RATE
    return f"{100 * part / whole:.1f} %"


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
    """Shown counts in the order of STEPS, without `matched` (platforms report matches per customer)."""


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
    """An audience not exported to a platform because it is below the platform minimum."""

    platform: str
    audience: str
    customers: str
    minimum: str
    removals: str


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
    run: RunInfo
    runs: int
    waterfalls: tuple[Waterfall, ...]
    quality: tuple[QualityRow, ...]
    match_rates: tuple[MatchRate, ...]
    trends: tuple[Trend, ...]
    held_back: tuple[HeldBack, ...]
