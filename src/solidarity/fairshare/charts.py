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


#: Classes of the ratio of actual effort to fair share, with their colours (a diverging scale
#: readable in greyscale too: the darkest blue and the darkest orange are the extremes).
RATIO_CLASSES: list[tuple[str, Decimal | None, str]] = [
    ("far-above", Decimal(2), "#0b2540"),
    ("above", Decimal("1.1"), "#4f7ea8"),
    ("about", Decimal("0.9"), "#e6e1cf"),
    ("below", Decimal("0.5"), "#e3a06b"),
    ("far-below", None, "#9c3d10"),
]
NO_FIGURE_FILL = "#ffffff"
TILE = 28
GAP = 3
TILE_TOP = 8


def ratio_class(ratio: Decimal | None) -> tuple[str, str]:
    """The class and fill of a ratio (``None``: no figure).

    >>> ratio_class(Decimal("2.5")), ratio_class(Decimal("1")), ratio_class(None)
    (('far-above', '#0b2540'), ('about', '#e6e1cf'), ('none', '#ffffff'))
    """
    if ratio is None:
        return "none", NO_FIGURE_FILL
    for name, floor, fill in RATIO_CLASSES:
        if floor is None or ratio >= floor:
            return name, fill
    raise AssertionError("unreachable")  # pragma: no cover - the last class has no floor


@dataclass(frozen=True)
class Tile:
    iso3: str
    name: str
    x: float
    y: float
    text_x: float
    text_y: float
    fill: str
    dark: bool
    title: str


@dataclass(frozen=True)
class TileColumn:
    name: str
    x: float
    tiles: list[Tile]


@dataclass(frozen=True)
class TileMap:
    width: int
    height: int
    tile: int
    columns: list[TileColumn]


def tile_map(
    columns: list[tuple[str, list[tuple[str, str, Decimal | None, str]]]],
) -> TileMap:
    """A tile map: one column of square tiles per region (in the order given), one tile per
    State (ISO3 code, name, ratio, text of the ratio), coloured by `ratio_class`.

    Not a geographic map — Solidarity ships no borders — but the States grouped by their M49
    region, so the neighbours of a crisis stand side by side.

    >>> grid = tile_map([("Northern Europe", [("SWE", "Sweden", Decimal("2.8"), "2.80")]),
    ...                  ("Southern Europe", [("MLT", "Malta", None, "")])])
    >>> [(t.iso3, t.fill, t.x) for column in grid.columns for t in column.tiles]
    [('SWE', '#0b2540', 0.0), ('MLT', '#ffffff', 31.0)]
    """
    step = TILE + GAP
    tallest = max((len(states) for _, states in columns), default=0)
    laid: list[TileColumn] = []
    for number, (name, states) in enumerate(columns):
        x = float(number * step)
        tiles = []
        for row, (iso3, state_name, ratio, text) in enumerate(states):
            y = float(TILE_TOP + row * step)
            kind, fill = ratio_class(ratio)
            tiles.append(
                Tile(
                    iso3,
                    state_name,
                    x,
                    y,
                    x + TILE / 2,
                    y + TILE / 2,
                    fill,
                    kind in ("far-above", "above", "far-below"),
                    f"{state_name}: {text}" if text else state_name,
                )
            )
        laid.append(TileColumn(name, x, tiles))
    return TileMap(max(len(columns) * step, 1), TILE_TOP + tallest * step, TILE, laid)
