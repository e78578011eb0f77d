"""Geometry of the report's inline SVG charts, computed here so that templates only place shapes."""

from collections.abc import Sequence

from audience.reports.model import Bar, BarChart, GridLine, LineChart

BAR_CHART_WIDTH = 620
LABEL_WIDTH = 130
TEXT_ROOM = 110
BAR_HEIGHT = 18
BAR_GAP = 8
HIDDEN_MARK = 16
TEXT_GAP = 6
BASELINE = 13
LINE_WIDTH = 620
LINE_HEIGHT = 180
LINE_MARGIN = 44


def bar_chart(labels: Sequence[str], counts: Sequence[int | None], texts: Sequence[str],
              hidden: Sequence[bool]) -> BarChart:
    """Horizontal bars scaled to the largest shown count; a hidden count gets a dashed mark, never its length."""
    largest = max((c for c, h in zip(counts, hidden) if not h and c), default=0)
    room = BAR_CHART_WIDTH - LABEL_WIDTH - TEXT_ROOM
    bars = []
    for i, (label, count, text, h) in enumerate(zip(labels, counts, texts, hidden)):
        y = i * (BAR_HEIGHT + BAR_GAP)
        width = HIDDEN_MARK if h or not largest else round(room * (count or 0) / largest, 1)
        bars.append(Bar(label, text, h, x=LABEL_WIDTH, y=y, width=width, height=BAR_HEIGHT, text_y=y + BASELINE,
                        value_x=round(LABEL_WIDTH + width + TEXT_GAP, 1)))
    return BarChart(BAR_CHART_WIDTH, len(bars) * (BAR_HEIGHT + BAR_GAP), tuple(bars))


def line_chart(labels: Sequence[str], rates: Sequence[float | None], tips: Sequence[str]) -> LineChart | None:
    """A 0–100 % line over runs (one x position per run); None when fewer than two runs have a rate."""
    if sum(r is not None for r in rates) < 2:
        return None
    inner_w, inner_h = LINE_WIDTH - 2 * LINE_MARGIN, LINE_HEIGHT - 2 * LINE_MARGIN
    step = inner_w / max(len(rates) - 1, 1)

    def x(i: int) -> float:
        return round(LINE_MARGIN + i * step, 1)

    def y(rate: float) -> float:
        return round(LINE_MARGIN + inner_h * (1 - rate), 1)

    dots = tuple((x(i), y(r), tip) for i, (r, tip) in enumerate(zip(rates, tips)) if r is not None)
    return LineChart(
        width=LINE_WIDTH, height=LINE_HEIGHT, axis_x1=LINE_MARGIN - 4, axis_x2=LINE_WIDTH - LINE_MARGIN + 4,
        points=" ".join(f"{px},{py}" for px, py, _ in dots), dots=dots,
        grid=tuple(GridLine(y(level), y(level) + 4, f"{int(level * 100)} %") for level in (0.0, 0.5, 1.0)),
        x_labels=tuple((x(i), label) for i, label in enumerate(labels)), x_label_y=LINE_HEIGHT - 8,
    )
