"""The geometry of a bar chart drawn server-side as inline SVG.

Written by hand rather than with a charting library: the pages must work without JavaScript under
a Content Security Policy that refuses inline styles, and the chart libraries we know either need
a script in the browser or write ``style=""`` attributes into their SVG (matplotlib) and no
accessible title or description. The template ``indicators/_chart.html`` draws what this computes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

WIDTH = 640
HEIGHT = 280
LEFT = 64
RIGHT = 16
TOP = 16
BOTTOM = 40
# More periods than this and only every n-th one is labelled on the axis, so labels never overlap.
MOST_LABELS = 12


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label_x: float
    label: str
    show_label: bool
    value_text: str


@dataclass(frozen=True)
class Tick:
    y: float
    text: str


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    left: int
    right_edge: int
    baseline: float
    top: int
    bars: list[Bar]
    ticks: list[Tick]


def _nice_step(span: float, count: int = 4) -> float:
    """A round step (1, 2 or 5 times a power of ten) giving about ``count`` ticks over ``span``.

    >>> _nice_step(50)
    20.0
    >>> _nice_step(0.9)
    0.2
    """
    raw = span / count
    power = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 5, 10):
        if raw <= multiple * power:
            return float(multiple * power)
    return float(10 * power)  # pragma: no cover - the loop always returns


def _tick_text(number: float) -> str:
    return f"{number:.6f}".rstrip("0").rstrip(".")


def bar_chart(points: list[tuple[str, Decimal | None]], *, value_text: list[str]) -> BarChart:
    """Bars for ``points`` (label, value); a missing value leaves its place empty.

    >>> chart = bar_chart([("2020", Decimal(10)), ("2021", None)], value_text=["10", ""])
    >>> [bar.label for bar in chart.bars], chart.ticks[-1].text
    (['2020', '2021'], '10')
    """
    values = [float(value) for _label, value in points if value is not None]
    low = min([0.0, *values])
    high = max([0.0, *values])
    if high == low:
        high = low + 1
    step = _nice_step(high - low)
    low = math.floor(low / step) * step
    high = math.ceil(high / step) * step
    plot_height = HEIGHT - TOP - BOTTOM
    plot_width = WIDTH - LEFT - RIGHT

    def y_of(number: float) -> float:
        return round(TOP + (high - number) / (high - low) * plot_height, 2)

    baseline = y_of(0.0)
    band = plot_width / max(len(points), 1)
    every = math.ceil(len(points) / MOST_LABELS) if points else 1
    bars = []
    for index, ((label, value), text) in enumerate(zip(points, value_text, strict=True)):
        x = LEFT + index * band
        top = baseline if value is None else y_of(float(value))
        bars.append(
            Bar(
                x=round(x + band * 0.15, 2),
                y=min(top, baseline),
                width=round(band * 0.7, 2),
                height=round(abs(baseline - top), 2),
                label_x=round(x + band / 2, 2),
                label=label,
                show_label=index % every == 0,
                value_text=text,
            )
        )
    ticks = []
    count = round((high - low) / step)
    for index in range(count + 1):
        number = low + index * step
        ticks.append(Tick(y=y_of(number), text=_tick_text(number)))
    return BarChart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        right_edge=WIDTH - RIGHT,
        baseline=baseline,
        top=TOP,
        bars=bars,
        ticks=ticks,
    )
