"""The geometry of the provider → recipient flow diagram (Sankey style), computed here and drawn
as inline SVG by ``commitments/_flows.html``: no script, no library, nothing the Content Security
Policy would refuse (presentation attributes only, no ``style``).

Pledgers stand on the left, recipient countries on the right, each as a bar as tall as the money
it gave or received; each flow is a band between them as thick as its money. South-South and
triangular flows are hatched (a pattern, not a colour alone) and say so in their own title; the
table beside the diagram gives every figure.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

WIDTH = 720
LEFT = 190  # room for the pledgers' names
RIGHT = 190  # and the recipients'
NODE_WIDTH = 14
GAP = 10
TOP = 8
# The diagram draws the largest flows; the table lists them all.
MOST_FLOWS = 30
SCALE_HEIGHT = 360  # pixels shared by the money of one side


@dataclass(frozen=True)
class Node:
    name: str
    total: Decimal
    x: float
    y: float
    height: float
    label_x: float
    label_y: float
    anchor: str


@dataclass(frozen=True)
class Band:
    giver: str
    receiver: str
    total: Decimal
    south: bool
    path: str


@dataclass(frozen=True)
class FlowDiagram:
    width: int
    height: int
    givers: list[Node]
    receivers: list[Node]
    bands: list[Band]
    shown: int
    total_flows: int


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _band_path(x0: float, top0: float, x1: float, top1: float, thickness: float) -> str:
    middle = (x0 + x1) / 2
    bottom0, bottom1 = top0 + thickness, top1 + thickness
    n = _num
    return (
        f"M{n(x0)} {n(top0)} C{n(middle)} {n(top0)} {n(middle)} {n(top1)} {n(x1)} {n(top1)} "
        f"L{n(x1)} {n(bottom1)} C{n(middle)} {n(bottom1)} {n(middle)} {n(bottom0)} "
        f"{n(x0)} {n(bottom0)} Z"
    )


def flow_diagram(flows: list[tuple[str, str, Decimal, bool]]) -> FlowDiagram | None:
    """Lay out the largest ``flows`` (giver, receiver, US dollars, South-South or triangular).

    None when there is nothing to draw.

    >>> diagram = flow_diagram([("Kenya", "Uganda", Decimal(300), True),
    ...                         ("Sweden", "Uganda", Decimal(100), False)])
    >>> [(n.name, n.total) for n in diagram.receivers]
    [('Uganda', Decimal('400'))]
    >>> [(b.giver, b.south) for b in diagram.bands]
    [('Kenya', True), ('Sweden', False)]
    """
    drawn = [f for f in sorted(flows, key=lambda f: -f[2]) if f[2] > 0][:MOST_FLOWS]
    if not drawn:
        return None
    given: dict[str, Decimal] = defaultdict(Decimal)
    received: dict[str, Decimal] = defaultdict(Decimal)
    for giver, receiver, total, _south in drawn:
        given[giver] += total
        received[receiver] += total
    money = sum(given.values(), Decimal(0))
    scale = SCALE_HEIGHT / float(money)
    sides = []
    for totals, x, label_x, anchor in (
        (given, LEFT, LEFT - 6, "end"),
        (received, WIDTH - RIGHT - NODE_WIDTH, WIDTH - RIGHT + 6, "start"),
    ):
        nodes = []
        y = float(TOP)
        for name, total in sorted(totals.items(), key=lambda item: (-item[1], item[0])):
            height = max(float(total) * scale, 2.0)
            nodes.append(Node(name, total, x, y, height, label_x, y + height / 2, anchor))
            y += height + GAP
        sides.append(nodes)
    givers, receivers = sides
    # Each band leaves its giver below the previous band of the same giver, and likewise
    # arrives at its receiver: bands never overlap on a bar.
    out_offset = {n.name: n.y for n in givers}
    in_offset = {n.name: n.y for n in receivers}
    bands = []
    order = {n.name: i for i, n in enumerate(receivers)}
    for giver, receiver, total, south in sorted(
        drawn, key=lambda f: ([n.name for n in givers].index(f[0]), order[f[1]])
    ):
        thickness = max(float(total) * scale, 1.0)
        path = _band_path(
            LEFT + NODE_WIDTH,
            out_offset[giver],
            WIDTH - RIGHT - NODE_WIDTH,
            in_offset[receiver],
            thickness,
        )
        out_offset[giver] += thickness
        in_offset[receiver] += thickness
        bands.append(Band(giver, receiver, total, south, path))
    height = int(max(givers[-1].y + givers[-1].height, receivers[-1].y + receivers[-1].height))
    return FlowDiagram(
        width=WIDTH,
        height=height + TOP,
        givers=givers,
        receivers=receivers,
        bands=bands,
        shown=len(drawn),
        total_flows=len(flows),
    )
