"""The geometry of the ranked chart of gaps, drawn server-side as inline SVG.

As in :mod:`solidarity.indicators.charts` (and for the same reasons: no script needed, nothing
inline for the Content Security Policy to refuse, an accessible title and description), the
geometry is computed here and drawn by the template ``fairshare/_gap_chart.html``: one horizontal
bar per State, from the zero line to its gap, ranked from the largest effort above its fair share
to the largest shortfall.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

WIDTH = 640
LABEL_WIDTH = 150
RIGHT = 16
TOP = 8
ROW = 18
BAR = 12
BOTTOM = 8


@dataclass(frozen=True)
class GapBar:
    label: str
    x: float
    y: float
    width: float
    text_y: float
    above: bool
    value_text: str


@dataclass(frozen=True)
class GapChart:
    width: int
    height: int
    zero_x: float
    top: int
    bottom: float
    label_x: int
    bars: list[GapBar]


def gap_chart(points: list[tuple[str, Decimal, str]]) -> GapChart:
    """Bars for ``points`` (label, gap, text of the gap), ranked by gap, largest first.

    >>> chart = gap_chart([("Malta", Decimal(10), "10"), ("Italy", Decimal(-30), "-30")])
    >>> [(bar.label, bar.above, round(bar.width)) for bar in chart.bars]
    [('Malta', True, 118), ('Italy', False, 356)]
    """
    ranked = sorted(points, key=lambda point: point[1], reverse=True)
    height = TOP + ROW * len(ranked) + BOTTOM
    plot_left, plot_right = LABEL_WIDTH, WIDTH - RIGHT
    largest = max((point[1] for point in ranked), default=Decimal(0))
    smallest = min((point[1] for point in ranked), default=Decimal(0))
    high, low = max(largest, Decimal(0)), min(smallest, Decimal(0))
    span = float(high - low) or 1.0
    scale = (plot_right - plot_left) / span
    zero_x = plot_left + float(-low) * scale
    bars = []
    for number, (label, gap, text) in enumerate(ranked):
        y = TOP + number * ROW + (ROW - BAR) / 2
        length = abs(float(gap)) * scale
        x = zero_x if gap >= 0 else zero_x - length
        bars.append(GapBar(label, x, y, length, y + BAR / 2, gap >= 0, text))
    return GapChart(WIDTH, height, zero_x, TOP, height - BOTTOM, LABEL_WIDTH - 6, bars)
