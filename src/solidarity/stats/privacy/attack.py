"""The LP interval attack: how far can an intruder narrow each withheld cell?

Both secondary suppression (`suppression`) and the audit (`audit`) ask the same question. Every
table of a dataset carries its margins, so its cells obey linear relations — along each
dimension, a cell is the sum of its children (`tables.relations`) — and a cell shared by two
tables (``COUNTRY=MEX;SEX=F`` in a table by country and sex and in a table by four dimensions)
is one unknown, not two. An intruder who reads every published table knows the free cells and
all those relations; a withheld cell ``x`` can then take every value of the feasible interval

    min / max x   subject to   every relation that touches a withheld cell,   all cells >= 0

(the linear-programming attack of tau-Argus and sdcTable, solved with HiGHS). A withheld cell
is protected when that interval is at least the protection level wide.

How it is computed
------------------
`Lattice` numbers the distinct cells of all tables and keeps the distinct relations, once each.
`attack` takes the withheld cells as the only variables, keeps only the relations that touch one
(moving the published cells to the right-hand side), and splits them into connected components,
each its own small LP. A relation with a single withheld cell gives that cell away at once.
Then, per component, HiGHS solves a few LPs with random objectives: every solution is a table
the intruder cannot rule out, so each cell's interval contains the range of values it took in
those solutions; a cell whose observed range is already as wide as the protection level needs
no further work (this proves protection for most cells at the price of a handful of solves).
The remaining cells get the exact attack: minimise and maximise that cell, warm-started from the
previous basis; every solution again widens the observed ranges of the other cells. Cells found
narrower than the protection level are therefore always reported with their exact interval.

The attack is the LP relaxation (cells may take fractional values), as in tau-Argus: an
intruder using integer programming could in rare cases narrow an interval further.

Examples
--------
A 2x2 table with margins where only the top-left cell is withheld gives it away:

>>> import pandas as pd
>>> from solidarity.stats.privacy.tables import TOTAL, Table
>>> frame = pd.DataFrame({
...     "A": ["a", "a", "a", "b", "b", "b", TOTAL, TOTAL, TOTAL],
...     "B": ["x", "y", TOTAL, "x", "y", TOTAL, "x", "y", TOTAL],
...     "count": [3, 20, 23, 30, 40, 70, 33, 60, 93]})
>>> frame["value"] = frame["count"].astype(float)
>>> lattice = Lattice.build({"T": Table(id="T", dimensions=("A", "B"), frame=frame)})
>>> values = lattice.cell_values({"T": frame["value"].to_numpy()})
>>> withheld = lattice.cell_mask({"T": (frame["A"] == "a") & (frame["B"] == "x")})
>>> result = attack(lattice, values, withheld, protection_level=10)
>>> result.passed, [(lattice.cell_name(c), lo, hi) for c, lo, hi in result.offending()]
(False, [('A=a;B=x', 3.0, 3.0)])

Withholding the four inner cells (the "hypercube") leaves each of them an interval of 23:

>>> inner = (frame["A"] != TOTAL) & (frame["B"] != TOTAL)
>>> result = attack(lattice, values, lattice.cell_mask({"T": inner}), protection_level=10)
>>> result.passed
True
>>> exact = attack(lattice, values, lattice.cell_mask({"T": inner}), protection_level=10,
...                exact=True)
>>> [(lattice.cell_name(c), float(exact.lower[c]), float(exact.upper[c])) for c in exact.cells][:2]
[('A=a;B=x', 0.0, 23.0), ('A=a;B=y', 0.0, 23.0)]
"""

from __future__ import annotations

import itertools
import os
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import highspy
import numpy as np
import pandas as pd  # type: ignore[import-untyped]  # no pandas-stubs pinned here
from scipy import sparse  # type: ignore[import-untyped]  # no scipy stubs pinned here
from scipy.sparse.csgraph import connected_components  # type: ignore[import-untyped]

from .tables import TOTAL, TableLike, relations

__all__ = [
    "AttackResult",
    "CubeSpace",
    "Lattice",
    "attack",
    "group_protected",
    "moves_keep_relations",
    "withheld_group",
]

# Values are whole counts; an interval is "at least p wide" up to this slack, so that the
# solver's floating-point tolerance never turns a protected cell into a failure or back.
TOLERANCE = 1e-6
# Rounds of random objectives (a maximum and a minimum each) per component, before the exact
# per-cell attack.
RANDOM_SOLVES = 12
# Components with at least this many withheld cells are first proven with local LPs.
LOCAL_FROM = 300
# Codes per dimension in the box of a local proof.
LOCAL_CODES = 6
# Components with at least this many withheld cells are solved with HiGHS's interior point
# method (the simplex method needs minutes to find a first feasible table among 60,000 cells).
INTERIOR_FROM = 3000
# Rounds of neighbourhood LPs (see `_neighbourhood_rounds`); they stop earlier when a round
# proves less than a tenth of the open cells.
NEIGHBOURHOOD_ROUNDS = 12
# Relations between a cell still open and the withheld cells freed around it (`_hop_proofs`).
HOPS = 2
# ... unless the second hop would free more withheld cells than this (the exact attack is then
# as cheap).
HOP_CELLS = 4000


@dataclass(frozen=True)
class Lattice:
    """The distinct cells of a dataset's tables and the distinct relations between them.

    Attributes
    ----------
    dimensions : tuple of str
        Every dimension of the dataset (the union of the tables'), sorted.
    codes : tuple of tuple of str
        Per dimension, its codes; index 0 is always `TOTAL`.
    keys : numpy.ndarray
        ``(cells, dimensions)`` int32: each cell's code index per dimension (0 = total).
    table_cells : dict of str to numpy.ndarray
        Per table, the cell number of each of its rows.
    relation_start, relation_cells, relation_coefficients : numpy.ndarray
        The relations in compressed form: relation ``r`` is
        ``sum(relation_coefficients[s:e] * cell[relation_cells[s:e]]) == 0`` with
        ``s, e = relation_start[r], relation_start[r + 1]`` (+1 children, -1 their total).
    """

    dimensions: tuple[str, ...]
    codes: tuple[tuple[str, ...], ...]
    keys: np.ndarray
    table_cells: dict[str, np.ndarray]
    table_dimensions: dict[str, tuple[str, ...]]
    relation_start: np.ndarray
    relation_cells: np.ndarray
    relation_coefficients: np.ndarray
    table_parents: dict[str, Mapping[str, Mapping[str, str]]]

    @property
    def cells(self) -> int:
        """The number of distinct cells."""
        return int(self.keys.shape[0])

    @property
    def relation_count(self) -> int:
        """The number of distinct relations."""
        return int(len(self.relation_start) - 1)

    @classmethod
    def build(cls, tables: Mapping[str, TableLike]) -> Lattice:
        """Number the cells of ``tables`` (the same cell in two tables once) and collect their
        relations (the same relation in two tables once)."""
        dimensions = tuple(sorted({d for table in tables.values() for d in table.dimensions}))
        codes: list[tuple[str, ...]] = []
        for dimension in dimensions:
            seen: set[str] = set()
            for table in tables.values():
                if dimension in table.dimensions:
                    seen.update(table.frame[dimension].astype(str).unique())
            seen.discard(TOTAL)
            codes.append((TOTAL, *sorted(seen)))
        radix = np.array([len(c) for c in codes], dtype=np.int64)
        if float(np.prod(radix.astype(float))) >= 2.0**62:
            raise ValueError("too many code combinations to number the cells")
        strides = np.ones(len(dimensions), dtype=np.int64)
        for position in range(len(dimensions) - 2, -1, -1):
            strides[position] = strides[position + 1] * radix[position + 1]
        encoded: dict[str, np.ndarray] = {}
        for table_id, table in tables.items():
            key = np.zeros(len(table.frame), dtype=np.int64)
            for position, dimension in enumerate(dimensions):
                if dimension not in table.dimensions:
                    continue
                column = pd.Categorical(
                    table.frame[dimension].astype(str), categories=list(codes[position])
                )
                key += column.codes.astype(np.int64) * strides[position]
            encoded[table_id] = key
        everything = (
            np.concatenate(list(encoded.values())) if encoded else np.zeros(0, dtype=np.int64)
        )
        unique, inverse = np.unique(everything, return_inverse=True)
        table_cells: dict[str, np.ndarray] = {}
        offset = 0
        for table_id, key in encoded.items():
            table_cells[table_id] = inverse[offset : offset + len(key)].astype(np.int64)
            offset += len(key)
        keys = np.zeros((len(unique), len(dimensions)), dtype=np.int32)
        for position in range(len(dimensions)):
            keys[:, position] = (unique // strides[position]) % radix[position]
        # Relations, each table's, then the distinct ones (tables nested in others repeat them).
        seen_relations: set[tuple[int, ...]] = set()
        starts = [0]
        cells_out: list[np.ndarray] = []
        coefficients_out: list[np.ndarray] = []
        total = 0
        for table_id, table in tables.items():
            rel = relations(table)
            if rel.empty:
                continue
            order = np.lexsort((rel["coefficient"].to_numpy(), rel["relation"].to_numpy()))
            relation = rel["relation"].to_numpy()[order]
            cell = table_cells[table_id][rel["row"].to_numpy()[order]]
            coefficient = rel["coefficient"].to_numpy()[order].astype(np.int8)
            bounds = np.flatnonzero(np.diff(relation)) + 1
            for part_cells, part_coefficients in zip(
                np.split(cell, bounds), np.split(coefficient, bounds), strict=True
            ):
                # The total comes first (coefficient -1 sorts first), the children after.
                signature = (int(part_cells[0]), *sorted(part_cells[1:].tolist()))
                if signature in seen_relations:
                    continue
                seen_relations.add(signature)
                cells_out.append(part_cells)
                coefficients_out.append(part_coefficients)
                total += len(part_cells)
                starts.append(total)
        return cls(
            dimensions=dimensions,
            codes=tuple(codes),
            keys=keys,
            table_cells=table_cells,
            table_dimensions={t: tuple(table.dimensions) for t, table in tables.items()},
            table_parents={t: table.parents for t, table in tables.items()},
            relation_start=np.asarray(starts, dtype=np.int64),
            relation_cells=(
                np.concatenate(cells_out).astype(np.int64)
                if cells_out
                else np.zeros(0, dtype=np.int64)
            ),
            relation_coefficients=(
                np.concatenate(coefficients_out).astype(np.float64)
                if coefficients_out
                else np.zeros(0, dtype=np.float64)
            ),
        )

    def matrix(self) -> sparse.csr_matrix:
        """The relations as a sparse ``(relations, cells)`` matrix of +1/-1."""
        rows = np.repeat(np.arange(self.relation_count), np.diff(self.relation_start))
        return sparse.csr_matrix(
            (self.relation_coefficients, (rows, self.relation_cells)),
            shape=(self.relation_count, self.cells),
        )

    def cell_values(self, per_table: Mapping[str, Sequence[float] | np.ndarray]) -> np.ndarray:
        """Spread per-table row values onto the cells (NaN where no table gives one); a cell
        given two different values raises ValueError."""
        values = np.full(self.cells, np.nan)
        for table_id, column in per_table.items():
            array = np.asarray(column, dtype=np.float64)
            cells = self.table_cells[table_id]
            known = ~np.isnan(array)
            previous = values[cells[known]]
            clash = ~np.isnan(previous) & (np.abs(previous - array[known]) > TOLERANCE)
            if clash.any():
                cell = int(cells[known][np.flatnonzero(clash)[0]])
                raise ValueError(
                    f"table {table_id}: the cell {self.cell_name(cell) or '(total)'} is "
                    f"{array[known][np.flatnonzero(clash)[0]]:g} here and "
                    f"{previous[np.flatnonzero(clash)[0]]:g} in another table"
                )
            values[cells[known]] = array[known]
        return values

    def cell_mask(self, per_table: Mapping[str, Sequence[bool] | np.ndarray]) -> np.ndarray:
        """Cells flagged in any table."""
        mask = np.zeros(self.cells, dtype=bool)
        for table_id, column in per_table.items():
            flags = np.asarray(column, dtype=bool)
            mask[self.table_cells[table_id][flags]] = True
        return mask

    def table_mask(self, table_id: str, cells: np.ndarray) -> np.ndarray:
        """A per-cell boolean array read back onto one table's rows."""
        return np.asarray(cells[self.table_cells[table_id]], dtype=bool)

    def cell_name(self, cell: int) -> str:
        """The cell's name as `tables.cell_ids` gives it (``"AGE=Y_GE65;SEX=F"``)."""
        parts = [
            f"{dimension}={self.codes[position][int(self.keys[cell, position])]}"
            for position, dimension in enumerate(self.dimensions)
            if self.keys[cell, position] != 0
        ]
        return ";".join(parts)


# Hypercubes ---------------------------------------------------------------------------------
#
# Along one dimension of a table, a *move* is a small change of codes that keeps every
# relation of that dimension: in a flat dimension, two codes swapping a unit (+1, -1) or a code
# and the total moving together (+1, +1); in a hierarchy, one unit added to a code and to each
# of its ancestors (a path to the total), or moved from one code to another (both paths up to
# where they meet). Choosing one move per dimension of a table that contains the cell gives a
# "hypercube": the products of the moves' codes are its corners, the products of their signs
# the direction in which each corner moves. Every relation of the table — and of the tables
# nested in it, whose relations are among the table's — is kept, so the corners can all move
# by +t / -t together (the GHMITER idea of tau-Argus). Suppression builds its secondary
# pattern from such cubes, and the audit uses them to prove quickly that withheld cells move.

CUBE_CANDIDATES = 3
"""Candidate moves per dimension whose combinations are tried (3**k cubes per cell)."""
LINKED_PENALTY = 1000.0
"""Extra cost of a cube corner that a table not nested in the cube's also holds: the cube
then breaks that table's relations and is only a last resort (it must be checked)."""
MAX_MOVES = 256
"""Moves kept per code (a code under a big hierarchy could have thousands)."""


@dataclass(frozen=True)
class CubeSpace:
    """One table's cells on a dense grid, and each dimension's moves, for vectorised searches
    of hypercubes."""

    table_id: str
    grid: np.ndarray
    strides: np.ndarray
    coordinates: np.ndarray
    move_codes: tuple[np.ndarray, ...]
    move_signs: tuple[np.ndarray, ...]
    linked: np.ndarray

    @classmethod
    def build(cls, lattice: Lattice, table_id: str, weights: np.ndarray | None = None) -> CubeSpace:
        """The grid of ``table_id``; ``linked`` marks cells of tables not nested in it;
        ``weights`` (per cell, optional) picks the codes that stand for a subtotal's children
        (the biggest)."""
        dimensions = lattice.table_dimensions[table_id]
        positions = [lattice.dimensions.index(d) for d in dimensions]
        cells = lattice.table_cells[table_id]
        shape = tuple(len(lattice.codes[p]) for p in positions)
        strides = np.ones(len(shape), dtype=np.int64)
        for axis in range(len(shape) - 2, -1, -1):
            strides[axis] = strides[axis + 1] * shape[axis + 1]
        coordinates = np.zeros((lattice.cells, len(shape)), dtype=np.int64)
        coordinates[cells] = lattice.keys[cells][:, positions]
        grid = np.full(int(np.prod(shape)), -1, dtype=np.int64)
        grid[coordinates[cells] @ strides] = cells
        linked = np.zeros(lattice.cells, dtype=bool)
        for other, other_dimensions in lattice.table_dimensions.items():
            if not set(other_dimensions) <= set(dimensions):
                linked[lattice.table_cells[other]] = True
        codes_out = []
        signs_out = []
        for axis, (position, dimension) in enumerate(zip(positions, dimensions, strict=True)):
            # The size of each code: the table's cell with that code and totals elsewhere.
            size = np.zeros(shape[axis])
            if weights is not None:
                margin = np.zeros(len(shape), dtype=np.int64)
                for code in range(shape[axis]):
                    margin[axis] = code
                    cell = grid[int(margin @ strides)]
                    size[code] = weights[cell] if cell >= 0 else 0.0
            parents = lattice.table_parents.get(table_id, {}).get(dimension, {})
            codes, signs = _moves(lattice.codes[position], parents, size)
            codes_out.append(codes)
            signs_out.append(signs)
        return cls(
            table_id=table_id,
            grid=grid,
            strides=strides,
            coordinates=coordinates,
            move_codes=tuple(codes_out),
            move_signs=tuple(signs_out),
            linked=linked,
        )

    def best_cubes(
        self,
        cells: np.ndarray,
        *,
        values: np.ndarray,
        level: float,
        cost: np.ndarray,
        allowed: np.ndarray,
        candidates: int = CUBE_CANDIDATES,
        one_sided: bool = True,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For each of ``cells``, the cheapest hypercube of allowed cells whose corners can all
        move by at least ``level`` in total from ``values`` (each corner staying >= 0).
        ``one_sided=False`` leaves out cubes whose corners all move the same way (a cell and
        all its margins up to the grand total: valid, but a costly secondary pattern).

        Returns ``(corners, signs, found)``: per cell, its cube's corner cells (-1 where a
        corner is unused) and their signs (0 there), and whether a cube was found.
        """
        entry_counts = [codes.shape[2] for codes in self.move_codes]
        entries = np.array(list(itertools.product(*[range(m) for m in entry_counts])))
        choices = np.array(list(itertools.product(range(candidates), repeat=len(entry_counts))))
        per_cell = len(choices) * len(entries) * len(entry_counts)
        batch = max(1, 2_000_000 // per_cell)
        all_corners = np.full((len(cells), len(entries)), -1, dtype=np.int64)
        all_signs = np.zeros((len(cells), len(entries)))
        found = np.zeros(len(cells), dtype=bool)
        for start in range(0, len(cells), batch):
            chunk = cells[start : start + batch]
            corners, signs, ok = self._search(
                chunk, entries, choices, values, level, cost, allowed, candidates, one_sided
            )
            all_corners[start : start + batch] = corners
            all_signs[start : start + batch] = signs
            found[start : start + batch] = ok
        return all_corners, all_signs, found

    def _search(
        self,
        cells: np.ndarray,
        entries: np.ndarray,
        choices: np.ndarray,
        values: np.ndarray,
        level: float,
        cost: np.ndarray,
        allowed: np.ndarray,
        candidates: int,
        one_sided: bool,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        here = self.coordinates[cells]
        flat_here = here @ self.strides
        own = values[cells]
        count = len(cells)
        picked_codes: list[np.ndarray] = []
        picked_signs: list[np.ndarray] = []
        usable = np.ones(count, dtype=bool)
        for axis in range(len(self.strides)):
            codes = self.move_codes[axis][here[:, axis]]  # (cells, moves, entries)
            signs = self.move_signs[axis][here[:, axis]]
            real = codes >= 0
            flat = (
                flat_here[:, None, None] + (codes - here[:, axis, None, None]) * self.strides[axis]
            )
            partner = np.where(real, self.grid[np.where(real, flat, 0)], -1)
            safe = np.maximum(partner, 0)
            exists = ~real | ((partner >= 0) & allowed[safe])
            partner_values = values[safe]
            enough = ~real | (signs > 0) | (partner_values >= level - own[:, None, None])
            # Ties go to the move whose smallest partner is biggest (room to move).
            room = np.where(real[:, :, 1:], partner_values[:, :, 1:], np.inf).min(axis=2)
            score = (
                np.where(real[:, :, 1:], cost[safe[:, :, 1:]], 0.0).sum(axis=2)
                + np.where(enough.all(axis=2), 0.0, 1e6)
                + (self.linked[safe] & real).sum(axis=2) * LINKED_PENALTY
                - 1e-6 * np.minimum(room, 1e6)
            )
            score = np.where(exists.all(axis=2) & real[:, :, 0], score, np.inf)
            order = np.argsort(score, axis=1, kind="stable")[:, :candidates]
            if order.shape[1] < candidates:
                order = np.pad(order, ((0, 0), (0, candidates - order.shape[1])), "edge")
            best = np.take_along_axis(score, order, axis=1)
            usable &= np.isfinite(best[:, 0])
            chosen_codes = np.take_along_axis(codes, order[:, :, None], axis=1)
            chosen_signs = np.take_along_axis(signs, order[:, :, None], axis=1)
            # A candidate that is not finite is dropped from every combination.
            chosen_codes = np.where(np.isfinite(best)[:, :, None], chosen_codes, -2)
            picked_codes.append(chosen_codes)
            picked_signs.append(chosen_signs)
        # (cells, combinations, corners) per axis: the corner's code and sign on that axis.
        corner_flat = np.broadcast_to(flat_here[:, None, None], (count, len(choices), len(entries)))
        corner_flat = corner_flat.copy()
        corner_sign = np.ones((count, len(choices), len(entries)))
        dropped = np.zeros((count, len(choices)), dtype=bool)
        unused = np.zeros((count, len(choices), len(entries)), dtype=bool)
        for axis in range(len(self.strides)):
            codes = picked_codes[axis][:, choices[:, axis], :]  # (cells, combos, entries_axis)
            signs = picked_signs[axis][:, choices[:, axis], :]
            dropped |= (codes == -2).any(axis=2)
            axis_codes = codes[:, :, entries[:, axis]]
            axis_signs = signs[:, :, entries[:, axis]]
            unused |= axis_codes < 0
            corner_flat += (np.maximum(axis_codes, 0) - here[:, axis, None, None]) * self.strides[
                axis
            ]
            corner_sign *= axis_signs
        corners = np.where(unused, -1, self.grid[np.where(unused, 0, corner_flat)])
        corner_sign = np.where(unused, 0.0, corner_sign)
        safe = np.maximum(corners, 0)
        present = unused | ((corners >= 0) & allowed[safe])
        valid = ~dropped & present.all(axis=2) & usable[:, None]
        corner_values = values[safe]
        plus = np.where(corner_sign > 0, corner_values, np.inf).min(axis=2)
        minus = np.where(corner_sign < 0, corner_values, np.inf).min(axis=2)
        feasible = valid & (plus + minus >= level - TOLERANCE)
        if not one_sided:
            feasible &= np.isfinite(minus)
        used = ~unused
        total = (
            np.where(used, cost[safe], 0.0).sum(axis=2)
            + (self.linked[safe] & used).sum(axis=2) * LINKED_PENALTY
        )
        total = np.where(feasible, total, np.inf)
        chosen = np.argmin(total, axis=1)
        rows = np.arange(count)
        return corners[rows, chosen], corner_sign[rows, chosen], np.isfinite(total[rows, chosen])


def _moves(
    codes: tuple[str, ...], parents: Mapping[str, str], size: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per code index (0 = the total), its moves along the dimension: ``(codes, moves, M)``
    code indices (the first entry is the code itself, -1 pads) and signs (0 pads)."""
    index = {code: position for position, code in enumerate(codes)}
    parent = np.zeros(len(codes), dtype=np.int64)
    for code, above in parents.items():
        if code in index and above in index:
            parent[index[code]] = index[above]
    parent[0] = -1
    children: dict[int, list[int]] = {}
    for position in range(1, len(codes)):
        children.setdefault(int(parent[position]), []).append(position)
    leaves = [p for p in range(1, len(codes)) if p not in children]

    def path(code: int) -> list[int]:
        chain = [code]
        while parent[chain[-1]] >= 0:
            chain.append(int(parent[chain[-1]]))
        return chain

    def below(code: int) -> list[int]:
        """The leaves under a code (itself when it is one), biggest first."""
        found: list[int] = []
        stack = [code]
        while stack:
            current = stack.pop()
            if current in children:
                stack.extend(children[current])
            else:
                found.append(current)
        return sorted(found, key=lambda leaf: (-size[leaf], leaf))

    def transfer(first: int, second: int) -> list[tuple[int, float]]:
        up, down = path(first), path(second)
        shared = set(up) & set(down)
        return [(c, 1.0) for c in up if c not in shared] + [
            (c, -1.0) for c in down if c not in shared
        ]

    per_code: list[list[list[tuple[int, float]]]] = []
    for position in range(len(codes)):
        moves: list[list[tuple[int, float]]] = []
        if position != 0 and position not in children:
            moves.append([(c, 1.0) for c in path(position)])
            others = sorted((leaf for leaf in leaves if leaf != position), key=lambda c: -size[c])
            moves.extend(transfer(position, other) for other in others)
        else:
            for leaf in below(position):
                moves.append([(c, 1.0) for c in path(leaf)])
            if position != 0:
                mine = below(position)[0]
                siblings = [c for c in children.get(int(parent[position]), []) if c != position]
                moves.extend(transfer(mine, below(sibling)[0]) for sibling in siblings)
        moves = moves[:MAX_MOVES]
        # The code itself first in every move.
        ordered = []
        for move in moves:
            own = [entry for entry in move if entry[0] == position]
            ordered.append(own + [entry for entry in move if entry[0] != position])
        per_code.append(ordered)
    width = max(1, max((len(m) for moves in per_code for m in moves), default=1))
    count = max(1, max(len(moves) for moves in per_code))
    codes_out = np.full((len(codes), count, width), -1, dtype=np.int64)
    signs_out = np.zeros((len(codes), count, width))
    for position, moves in enumerate(per_code):
        for number, move in enumerate(moves):
            for slot, (member, sign) in enumerate(move):
                codes_out[position, number, slot] = member
                signs_out[position, number, slot] = sign
    return codes_out, signs_out


def moves_keep_relations(
    lattice_matrix_csc: sparse.csc_matrix, cells: np.ndarray, direction: np.ndarray
) -> bool:
    """Whether moving ``cells`` by ``direction`` keeps every relation (checked only on the
    relations that touch them)."""
    used = (cells >= 0) & (direction != 0)
    cells, direction = cells[used], direction[used]
    starts = lattice_matrix_csc.indptr[cells]
    ends = lattice_matrix_csc.indptr[cells + 1]
    lengths = ends - starts
    if lengths.sum() == 0:
        return True
    entries = np.concatenate([np.arange(a, b) for a, b in zip(starts, ends, strict=True)])
    rows = lattice_matrix_csc.indices[entries]
    amounts = lattice_matrix_csc.data[entries] * np.repeat(direction, lengths)
    sums = np.bincount(np.unique(rows, return_inverse=True)[1], weights=amounts)
    return bool(np.all(np.abs(sums) < TOLERANCE))


@dataclass
class AttackResult:
    """What the intruder learns about each withheld cell.

    Attributes
    ----------
    cells : numpy.ndarray
        The withheld cells attacked (cell numbers of the `Lattice`).
    lower, upper : numpy.ndarray
        Per cell of the lattice (NaN for published cells): a range the cell's feasible
        interval certainly contains; exact (the LP optimum) wherever ``exact`` is True, which
        includes every offending cell. ``upper`` is ``inf`` when nothing bounds the cell.
    exact : numpy.ndarray
        Per cell: whether ``lower``/``upper`` are the optimum of the attack.
    failing : numpy.ndarray
        The withheld cells whose interval is narrower than the protection level.
    """

    protection_level: float
    cells: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    exact: np.ndarray
    failing: np.ndarray
    components: int = 0
    largest_component: int = 0
    solves: int = 0
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        """Whether every withheld cell is protected."""
        return len(self.failing) == 0

    def offending(self) -> Iterator[tuple[int, float, float]]:
        """``(cell, lower, upper)`` for each failing cell, its exact interval."""
        for cell in self.failing.tolist():
            yield int(cell), float(self.lower[cell]), float(self.upper[cell])


def attack(
    lattice: Lattice,
    values: np.ndarray,
    withheld: np.ndarray,
    *,
    protection_level: float,
    exact: bool = False,
    check: np.ndarray | None = None,
    rounding: float = 0.0,
    seed: int = 0,
) -> AttackResult:
    """Attack every withheld cell with linear programming (see the module's documentation).

    Parameters
    ----------
    lattice : Lattice
    values : numpy.ndarray
        Per cell, the published value (ignored for withheld cells).
    withheld : numpy.ndarray
        Per cell, True when the cell is withheld in every table that has it.
    protection_level : float
        The narrowest interval that protects a cell.
    exact : bool
        Compute the exact interval of every withheld cell, not only of the offending ones
        (two LPs per cell; slow on big tables, for reports and tests).
    check : numpy.ndarray, optional
        Per cell, True for the withheld cells to prove protected (by default all of them);
        the others are still unknowns of the attack, but already known to be protected
        (suppression passes the cells it holds a certificate for).
    rounding : float
        How far each published value may be from the true one (0.5 when weighted totals are
        published rounded to whole numbers): a relation then holds up to that much per
        published cell in it, and the intruder knows no more.
    seed : int
        Seed of the random objectives (they change the work done, never the verdict).

    Returns
    -------
    AttackResult
    """
    started = time.perf_counter()
    randomness = np.random.default_rng(seed)
    withheld = np.asarray(withheld, dtype=bool)
    lower = np.full(lattice.cells, np.nan)
    upper = np.full(lattice.cells, np.nan)
    is_exact = np.zeros(lattice.cells, dtype=bool)
    variables = np.flatnonzero(withheld)
    needed = withheld if check is None else (withheld & np.asarray(check, dtype=bool))
    result = AttackResult(
        protection_level=float(protection_level),
        cells=variables,
        lower=lower,
        upper=upper,
        exact=is_exact,
        failing=np.zeros(0, dtype=np.int64),
    )
    if len(variables) == 0:
        result.seconds = time.perf_counter() - started
        return result
    column_of = np.full(lattice.cells, -1, dtype=np.int64)
    column_of[variables] = np.arange(len(variables))
    # Relations touching a withheld cell; the published cells go to the right-hand side.
    counts = np.diff(lattice.relation_start)
    relation_of_entry = np.repeat(np.arange(lattice.relation_count), counts)
    entry_withheld = withheld[lattice.relation_cells]
    touched = np.zeros(lattice.relation_count, dtype=bool)
    touched[relation_of_entry[entry_withheld]] = True
    known_values = np.where(withheld, 0.0, np.nan_to_num(values, nan=0.0))
    published_sum = np.bincount(
        relation_of_entry,
        weights=lattice.relation_coefficients * known_values[lattice.relation_cells],
        minlength=lattice.relation_count,
    )
    row_of = np.full(lattice.relation_count, -1, dtype=np.int64)
    row_of[touched] = np.arange(int(touched.sum()))
    keep = entry_withheld
    matrix = sparse.csr_matrix(
        (
            lattice.relation_coefficients[keep],
            (row_of[relation_of_entry[keep]], column_of[lattice.relation_cells[keep]]),
        ),
        shape=(int(touched.sum()), len(variables)),
    )
    rhs = -published_sum[touched]
    published_entries = np.bincount(
        relation_of_entry[~entry_withheld], minlength=lattice.relation_count
    )
    slack = float(rounding) * published_entries[touched].astype(np.float64)
    # A relation with one withheld cell gives it away (its coefficient is +1 or -1).
    singles = np.flatnonzero((np.diff(matrix.indptr) == 1) & (slack == 0))
    for row in singles.tolist():
        column = int(matrix.indices[matrix.indptr[row]])
        value = rhs[row] / matrix.data[matrix.indptr[row]]
        cell = int(variables[column])
        lower[cell] = upper[cell] = value
        is_exact[cell] = True
    # Components of the bipartite graph of withheld cells and relations.
    rows_count = matrix.shape[0]
    graph = sparse.bmat([[None, matrix], [matrix.T, None]], format="csr")
    component_count, labels = connected_components(graph, directed=False)
    column_labels = labels[rows_count:]
    row_labels = labels[:rows_count]
    csc = matrix.tocsc()
    cubes = _CubeProver(lattice, float(protection_level))
    order_columns = np.argsort(column_labels, kind="stable")
    order_rows = np.argsort(row_labels, kind="stable")
    column_bounds = np.searchsorted(column_labels[order_columns], np.arange(component_count + 1))
    row_bounds = np.searchsorted(row_labels[order_rows], np.arange(component_count + 1))
    for component in range(component_count):
        columns = order_columns[column_bounds[component] : column_bounds[component + 1]]
        if len(columns) == 0:
            continue
        rows = order_rows[row_bounds[component] : row_bounds[component + 1]]
        result.components += 1
        result.largest_component = max(result.largest_component, len(columns))
        cells = variables[columns]
        if (is_exact[cells] | ~needed[cells]).all():
            continue
        sub = csc[rows][:, columns].tocsc()
        low, high, exact_flags, solves = _component_intervals(
            sub,
            rhs[rows],
            slack=slack[rows],
            protection_level=float(protection_level),
            exact=exact,
            randomness=randomness,
            known=is_exact[cells],
            needed=needed[cells],
            known_lower=lower[cells],
            known_upper=upper[cells],
            keys=lattice.keys[cells],
            prover=lambda base, open_cells, cells=cells: cubes.prove(  # type: ignore[misc]
                cells, base, open_cells
            ),
        )
        result.solves += solves
        lower[cells] = low
        upper[cells] = high
        is_exact[cells] = exact_flags
    checked = np.flatnonzero(needed)
    width = upper[checked] - lower[checked]
    result.failing = checked[width < protection_level - TOLERANCE]
    result.seconds = time.perf_counter() - started
    return result


def withheld_group(
    withheld: np.ndarray,
    cell: int,
    relation_matrix: sparse.csr_matrix,
    relations_by_cell: sparse.csc_matrix,
    *,
    limit: int,
) -> np.ndarray | None:
    """The withheld cells linked to ``cell`` through relations (each relation touching a
    withheld cell links it to the other withheld cells of that relation), ``cell`` itself
    included only if withheld; None when there are more than ``limit``.

    Publishing or withholding ``cell`` changes the intervals of this group only: the attack of
    every other withheld cell involves none of its relations.
    """
    seen_relations = np.zeros(relation_matrix.shape[0], dtype=bool)
    seen_cells = np.zeros(relation_matrix.shape[1], dtype=bool)
    if withheld[cell]:
        seen_cells[cell] = True
    frontier = relations_by_cell[:, [cell]].indices
    while len(frontier):
        seen_relations[frontier] = True
        touched = np.unique(relation_matrix[frontier].indices)
        new = touched[withheld[touched] & ~seen_cells[touched]]
        seen_cells[new] = True
        if int(seen_cells.sum()) > limit:
            return None
        if len(new) == 0:
            break
        following = np.unique(relations_by_cell[:, new].indices)
        frontier = following[~seen_relations[following]]
    return np.flatnonzero(seen_cells)


def group_protected(
    lattice: Lattice,
    relation_matrix: sparse.csr_matrix,
    relations_by_cell: sparse.csc_matrix,
    values: np.ndarray,
    withheld: np.ndarray,
    group: np.ndarray,
    *,
    protection_level: float,
) -> bool:
    """Whether every cell of a closed group of withheld cells (`withheld_group`) keeps a
    feasible interval at least ``protection_level`` wide: the attack of `attack`, on that
    group's relations only (the published cells of each on the right-hand side)."""
    if len(group) == 0:
        return True
    rows = np.unique(relations_by_cell[:, group].indices)
    block = relation_matrix[rows]
    known = np.where(withheld, 0.0, np.nan_to_num(values, nan=0.0))
    rhs = -np.asarray(block @ known, dtype=np.float64)
    matrix = block[:, group].tocsc()
    nothing = np.zeros(len(group), dtype=bool)
    try:
        low, high, _, _ = _component_intervals(
            matrix,
            rhs,
            slack=np.zeros(len(rows)),
            protection_level=float(protection_level),
            exact=False,
            randomness=np.random.default_rng(0),
            known=nothing,
            needed=~nothing,
            known_lower=np.full(len(group), np.nan),
            known_upper=np.full(len(group), np.nan),
            keys=lattice.keys[group],
        )
    except AttackError:
        return False
    return bool((high - low >= protection_level - TOLERANCE).all())


_banner_shown = False


def new_solver() -> highspy.Highs:
    """A silent HiGHS instance.

    HiGHS prints its banner on standard output when the first instance of a process is made,
    before any option can be set; it would land in the middle of a command's output (or a
    published CSV piped to stdout), so that one construction runs with file descriptor 1
    pointed at the null device.
    """
    global _banner_shown  # once per process, as HiGHS itself does
    if _banner_shown:
        solver = highspy.Highs()  # type: ignore[no-untyped-call]  # highspy's __init__ is untyped
    else:
        sys.stdout.flush()
        saved = os.dup(1)
        try:
            with open(os.devnull, "wb") as null:
                os.dup2(null.fileno(), 1)
                solver = highspy.Highs()  # type: ignore[no-untyped-call]  # as above
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        _banner_shown = True
    solver.silent()
    return solver


class AttackError(ValueError):
    """The published cells contradict their own relations (no table fits them)."""


def _component_intervals(
    matrix: sparse.csc_matrix,
    rhs: np.ndarray,
    *,
    slack: np.ndarray,
    protection_level: float,
    exact: bool,
    randomness: np.random.Generator,
    known: np.ndarray,
    needed: np.ndarray,
    known_lower: np.ndarray,
    known_upper: np.ndarray,
    keys: np.ndarray,
    prover: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    columns = matrix.shape[1]
    # A finite cap on every cell keeps each LP bounded (an unbounded LP gives no table back);
    # an optimum that leans on a cap is solved again without caps (see `maximum`).
    cap = 2.0 * float(np.abs(rhs).sum() + slack.sum()) + 4.0 * protection_level + 1.0
    solver = new_solver()
    big = columns >= INTERIOR_FROM
    if big:
        # The interior point method, then crossover to an exact vertex: the simplex method
        # alone takes minutes on tens of thousands of withheld cells.
        solver.setOptionValue("solver", "ipm")
    else:
        # Without presolve, each solve starts from the previous optimal basis (warm start).
        solver.setOptionValue("presolve", "off")
    lp = highspy.HighsLp()
    lp.num_col_ = columns
    lp.num_row_ = matrix.shape[0]
    lp.col_cost_ = np.zeros(columns)
    lp.col_lower_ = np.zeros(columns)
    lp.col_upper_ = np.full(columns, cap)
    lp.row_lower_ = (rhs - slack).astype(np.float64)
    lp.row_upper_ = (rhs + slack).astype(np.float64)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
    lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
    lp.a_matrix_.value_ = matrix.data.astype(np.float64)
    solver.passModel(lp)
    low = np.where(known, known_lower, np.inf)
    high = np.where(known, known_upper, -np.inf)
    exact_flags = known.copy()
    everything = np.arange(columns, dtype=np.int32)
    solves = 0

    def solve(costs: np.ndarray, sense: highspy.ObjSense) -> np.ndarray:
        nonlocal solves
        solver.changeColsCost(columns, everything, costs)
        solver.changeObjectiveSense(sense)
        solver.run()
        solves += 1
        if big and solves == first_solve + 1:
            # One optimal basis found (interior point, then crossover), every later solve
            # changes only the objective and starts from the last optimal basis with the
            # primal simplex method: a few dozen iterations each instead of a fresh start.
            solver.setOptionValue("solver", "simplex")
            solver.setOptionValue("simplex_strategy", 4)
            solver.setOptionValue("presolve", "off")
        status = solver.getModelStatus()
        if status == highspy.HighsModelStatus.kInfeasible:
            raise AttackError("the published cells contradict their relations")
        if status != highspy.HighsModelStatus.kOptimal:
            raise AttackError(f"HiGHS stopped: {solver.modelStatusToString(status)}")
        point = np.asarray(solver.getSolution().col_value)
        np.minimum(low, point, out=low)
        np.maximum(high, point, out=high)
        return point

    def unproven() -> np.ndarray:
        return np.asarray(needed & ~exact_flags & (high - low < protection_level - TOLERANCE))

    first_solve = 0
    if not exact and columns >= LOCAL_FROM:
        first_solve = solves = _local_proofs(
            matrix,
            rhs,
            slack,
            keys,
            needed & ~exact_flags,
            low,
            high,
            protection_level,
            cap,
            prover,
            randomness,
        )
    # Tables the intruder cannot rule out, found by pushing all unproven cells up together and
    # then down together (with random weights): each widens every cell's observed range. (On
    # big components, the few cells the local proofs leave open: after one interior point
    # solve, each round is a warm-started simplex solve that proves most of them at once.)
    rounds = 0 if exact else RANDOM_SOLVES
    for _ in range(rounds):
        open_cells = unproven()
        if not open_cells.any():
            break
        weights = np.where(open_cells, randomness.uniform(-1.0, 1.0, columns), 0.0)
        solve(weights, highspy.ObjSense.kMaximize)
        solve(weights, highspy.ObjSense.kMinimize)
        if unproven().sum() > 0.9 * open_cells.sum():
            break
    # The exact attack on the cells still unproven (every cell when ``exact``).
    for column in range(columns):
        if exact_flags[column] or not needed[column]:
            continue
        if not exact and high[column] - low[column] >= protection_level - TOLERANCE:
            continue
        unit = np.zeros(columns)
        unit[column] = 1.0
        point = solve(unit, highspy.ObjSense.kMaximize)
        upper_bound = np.inf if point[column] >= cap - TOLERANCE else float(point[column])
        narrow = upper_bound - low[column] < protection_level - TOLERANCE
        if (narrow or exact) and (point >= cap - TOLERANCE).any():
            upper_bound = _uncapped_maximum(solver, columns, column, cap)
        lower_bound = float(low[column])
        if exact or upper_bound - lower_bound < protection_level - TOLERANCE:
            point = solve(unit, highspy.ObjSense.kMinimize)
            lower_bound = float(point[column])
            exact_flags[column] = True
        high[column] = upper_bound
        low[column] = lower_bound
    return np.maximum(low, 0.0), high, exact_flags, solves


def _local_proofs(
    matrix: sparse.csc_matrix,
    rhs: np.ndarray,
    slack: np.ndarray,
    keys: np.ndarray,
    needed: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    protection_level: float,
    cap: float,
    prover: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]] | None,
    randomness: np.random.Generator | None = None,
) -> int:
    """Prove most cells of a big component protected with small LPs (updates low/high).

    A table ``y0`` the intruder cannot rule out is found first: on big components, a central
    one (`_central_table`: every cell away from its bounds where it can be, which is what
    hypercubes need to move); otherwise, or if that fails, one pushing every withheld cell up
    to the protection level where it can be (maximise the sum of ``min(x, level)``). On big
    components, `_neighbourhood_rounds` then finds more such tables on LPs over the open cells
    and their neighbours only, each round proving most of the cells still open. Then, for
    each cell not yet proven, a change ``d`` of the withheld cells in a box around it (the
    codes of withheld cells on its lines, per dimension) that keeps every relation touching
    the box, with the cells outside the box held still, is maximised and minimised in that
    cell: ``y0 + d`` is again a table the intruder cannot rule out, for the whole component.
    Before the LPs, hypercubes of withheld cells around each cell (`CubeSpace`) are tried
    from ``y0``: a cube that keeps every relation moves its corners along a line of tables the
    intruder cannot rule out, with no LP at all. These are inner bounds: they prove
    protection, never failure; what they leave open goes
    to the exact attack.
    """
    columns = matrix.shape[1]
    rows = matrix.shape[0]
    solves = 0
    if columns >= INTERIOR_FROM:
        central = _central_table(matrix, rhs, slack, cap)
        solves += 1
        if central is not None:
            np.minimum(low, central, out=low)
            np.maximum(high, central, out=high)
            if prover is not None:
                cube_low, cube_high = prover(central, needed & (high - low < protection_level))
                np.minimum(low, cube_low, out=low)
                np.maximum(high, cube_high, out=high)
            solves += _neighbourhood_rounds(
                matrix,
                rhs,
                slack,
                cap,
                central,
                needed,
                low,
                high,
                protection_level,
                prover,
                randomness if randomness is not None else np.random.default_rng(0),
            )
            solves += _box_proofs(
                matrix,
                keys,
                needed,
                low,
                high,
                protection_level,
                cap,
                central,
                passes=(LOCAL_CODES,),
            )
            return solves + _hop_proofs(
                matrix, rhs, slack, cap, central, needed, low, high, protection_level
            )
    # y0: columns x then z, z <= x, z <= level, maximise sum z.
    solver = new_solver()
    identity = sparse.identity(columns, format="csc")
    full = sparse.vstack(
        [
            sparse.hstack([matrix, sparse.csc_matrix((rows, columns))]),
            sparse.hstack([-identity, identity]),
        ],
        format="csc",
    )
    lp = highspy.HighsLp()
    lp.num_col_ = 2 * columns
    lp.num_row_ = rows + columns
    lp.col_cost_ = np.concatenate([np.zeros(columns), np.ones(columns)])
    lp.col_lower_ = np.zeros(2 * columns)
    lp.col_upper_ = np.concatenate([np.full(columns, cap), np.full(columns, protection_level)])
    lp.row_lower_ = np.concatenate([rhs - slack, np.full(columns, -highspy.kHighsInf)])
    lp.row_upper_ = np.concatenate([rhs + slack, np.zeros(columns)])
    lp.sense_ = highspy.ObjSense.kMaximize
    _pass_matrix(lp, full)
    solver.passModel(lp)
    solver.run()
    solves += 1
    if solver.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return solves
    base = np.asarray(solver.getSolution().col_value)[:columns]
    np.minimum(low, base, out=low)
    np.maximum(high, base, out=high)
    if prover is not None:
        open_cells = needed & (high - low < protection_level - TOLERANCE)
        cube_low, cube_high = prover(base, open_cells)
        np.minimum(low, cube_low, out=low)
        np.maximum(high, cube_high, out=high)
    return solves + _box_proofs(matrix, keys, needed, low, high, protection_level, cap, base)


def _box_proofs(
    matrix: sparse.csc_matrix,
    keys: np.ndarray,
    needed: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    protection_level: float,
    cap: float,
    base: np.ndarray,
    passes: tuple[int, ...] = (LOCAL_CODES, 3 * LOCAL_CODES),
) -> int:
    """For each cell still open, a change of the cells in a box around it from ``base`` (a
    table the intruder cannot rule out), maximised and minimised in that cell (see
    `_local_proofs`); ``passes``: the codes per dimension of the boxes, one pass each.
    Updates low/high and returns the LPs solved."""
    columns = matrix.shape[1]
    solves = 0
    if not (needed & (high - low < protection_level - TOLERANCE)).any():
        return 0
    # Lines: per dimension, the cells that differ from each other only there.
    dims = keys.shape[1]
    radix = keys.max(axis=0).astype(np.int64) + 1
    strides = np.ones(dims, dtype=np.int64)
    for position in range(dims - 2, -1, -1):
        strides[position] = strides[position + 1] * radix[position + 1]
    encoded = keys.astype(np.int64) @ strides
    order = np.argsort(encoded)
    sorted_keys = encoded[order]
    line_members: list[dict[int, np.ndarray]] = []
    line_of: list[np.ndarray] = []
    for position in range(dims):
        line = encoded - keys[:, position].astype(np.int64) * strides[position]
        uniques, inverse = np.unique(line, return_inverse=True)
        grouped = np.argsort(inverse, kind="stable")
        bounds = np.searchsorted(inverse[grouped], np.arange(len(uniques) + 1))
        line_members.append({u: grouped[bounds[u] : bounds[u + 1]] for u in range(len(uniques))})
        line_of.append(inverse)
    # Boxes of a few codes per dimension first; a second pass with wider boxes for the rest.
    for box_codes in passes:
        for column in range(columns):
            if not needed[column] or high[column] - low[column] >= protection_level - TOLERANCE:
                continue
            code_sets = []
            for position in range(dims):
                members = line_members[position][int(line_of[position][column])]
                if len(members) > box_codes:
                    # The cell itself and the members with the most room.
                    members = members[np.argsort(-base[members], kind="stable")][:box_codes]
                code_sets.append(np.union1d(keys[members, position], [keys[column, position]]))
            grid = np.array(np.meshgrid(*code_sets, indexing="ij")).reshape(dims, -1).T
            wanted = grid.astype(np.int64) @ strides
            where = np.searchsorted(sorted_keys, wanted)
            where = np.minimum(where, len(sorted_keys) - 1)
            box = order[where[sorted_keys[where] == wanted]]
            if len(box) < 2:
                continue
            sub = matrix[:, box]
            touched = np.flatnonzero(np.diff(sub.tocsr().indptr) > 0)
            local = sub.tocsr()[touched].tocsc()
            target = int(np.flatnonzero(box == column)[0])
            local_solver = new_solver()
            local_solver.setOptionValue("presolve", "off")
            local_lp = highspy.HighsLp()
            local_lp.num_col_ = len(box)
            local_lp.num_row_ = len(touched)
            cost = np.zeros(len(box))
            cost[target] = 1.0
            local_lp.col_cost_ = cost
            local_lp.col_lower_ = -base[box]
            local_lp.col_upper_ = cap - base[box]
            local_lp.row_lower_ = np.zeros(len(touched))
            local_lp.row_upper_ = np.zeros(len(touched))
            local_lp.sense_ = highspy.ObjSense.kMaximize
            _pass_matrix(local_lp, local)
            local_solver.passModel(local_lp)
            for sense in (highspy.ObjSense.kMaximize, highspy.ObjSense.kMinimize):
                local_solver.changeObjectiveSense(sense)
                local_solver.run()
                solves += 1
                if local_solver.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                    break
                point = base[box] + np.asarray(local_solver.getSolution().col_value)
                low[box] = np.minimum(low[box], point)
                high[box] = np.maximum(high[box], point)
                if high[column] - low[column] >= protection_level - TOLERANCE:
                    break
    return solves


def _hop_proofs(
    matrix: sparse.csc_matrix,
    rhs: np.ndarray,
    slack: np.ndarray,
    cap: float,
    base: np.ndarray,
    needed: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    protection_level: float,
) -> int:
    """For each cell still open, its maximum and minimum over the tables that differ from
    ``base`` only in the withheld cells at most `HOPS` relations away from it (one when two
    would free more than `HOP_CELLS`; every other withheld cell held): inner bounds again, but
    on an LP far smaller than the component's.
    Updates low/high and returns the LPs solved."""
    csr = matrix.tocsr()
    csc = matrix.tocsc()
    solves = 0
    for column in np.flatnonzero(needed & (high - low < protection_level - TOLERANCE)).tolist():
        if high[column] - low[column] >= protection_level - TOLERANCE:
            continue
        free = np.zeros(matrix.shape[1], dtype=bool)
        free[column] = True
        for hop in range(HOPS):
            touching = np.unique(csc[:, np.flatnonzero(free)].indices)
            wider = free.copy()
            wider[np.unique(csr[touching].indices)] = True
            if hop > 0 and wider.sum() > HOP_CELLS:
                break
            free = wider
        free_columns = np.flatnonzero(free)
        sub = csc[:, free_columns]
        rows = np.unique(sub.indices)
        target = rhs[rows] - (csr[rows] @ np.where(free, 0.0, base))
        solver = new_solver()
        if len(free_columns) >= INTERIOR_FROM:
            solver.setOptionValue("solver", "ipm")
        lp = highspy.HighsLp()
        lp.num_col_ = len(free_columns)
        lp.num_row_ = len(rows)
        cost = np.zeros(len(free_columns))
        cost[int(np.searchsorted(free_columns, column))] = 1.0
        lp.col_cost_ = cost
        lp.col_lower_ = np.zeros(len(free_columns))
        lp.col_upper_ = np.full(len(free_columns), cap)
        lp.row_lower_ = (target - slack[rows]).astype(np.float64)
        lp.row_upper_ = (target + slack[rows]).astype(np.float64)
        _pass_matrix(lp, sub[rows].tocsc())
        solver.passModel(lp)
        for sense in (highspy.ObjSense.kMaximize, highspy.ObjSense.kMinimize):
            solver.changeObjectiveSense(sense)
            solver.run()
            solves += 1
            if solver.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                break
            part = _feasible_point(solver, sub[rows].tocsc(), target, slack[rows], cap)
            if part is None:
                break
            point = base.copy()
            point[free_columns] = part
            np.minimum(low, point, out=low)
            np.maximum(high, point, out=high)
            if high[column] - low[column] >= protection_level - TOLERANCE:
                break
    return solves


def _central_table(
    matrix: sparse.csc_matrix, rhs: np.ndarray, slack: np.ndarray, cap: float
) -> np.ndarray | None:
    """A table the intruder cannot rule out with every withheld cell as far from its bounds as
    the relations allow: HiGHS's interior point method on the feasibility problem (no
    objective), stopped before crossover, converges towards the analytic centre of the
    feasible tables. None when the solver does not finish."""
    columns = matrix.shape[1]
    solver = new_solver()
    solver.setOptionValue("solver", "ipm")
    solver.setOptionValue("run_crossover", "off")
    lp = highspy.HighsLp()
    lp.num_col_ = columns
    lp.num_row_ = matrix.shape[0]
    lp.col_cost_ = np.zeros(columns)
    lp.col_lower_ = np.zeros(columns)
    lp.col_upper_ = np.full(columns, cap)
    lp.row_lower_ = (rhs - slack).astype(np.float64)
    lp.row_upper_ = (rhs + slack).astype(np.float64)
    _pass_matrix(lp, matrix)
    solver.passModel(lp)
    solver.run()
    if solver.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    return _feasible_point(solver, matrix, rhs, slack, cap)


def _feasible_point(
    solver: highspy.Highs,
    matrix: sparse.csc_matrix,
    rhs: np.ndarray,
    slack: np.ndarray,
    cap: float,
) -> np.ndarray | None:
    """The solver's solution, checked: within the bounds and every relation to the attack's
    tolerance (an interior point solution without crossover is feasible only to the solver's
    tolerances, far below it); None when it is not."""
    point = np.clip(np.asarray(solver.getSolution().col_value, dtype=np.float64), 0.0, cap)
    residual = matrix @ point - rhs
    if (np.abs(residual) > slack + TOLERANCE / 10).any():
        return None
    return point


def _neighbourhood_rounds(
    matrix: sparse.csc_matrix,
    rhs: np.ndarray,
    slack: np.ndarray,
    cap: float,
    base: np.ndarray,
    needed: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    protection_level: float,
    prover: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]] | None,
    randomness: np.random.Generator,
) -> int:
    """More tables the intruder cannot rule out, each from a small LP (updates low/high).

    Each round takes the cells still open, frees them and every withheld cell sharing a
    relation with one (their neighbours), holds every other withheld cell at its value in
    ``base``, and pushes the open cells up or down at random (one LP, interior point method):
    the result is again a table that fits every relation, for the whole component, so it
    widens the observed range of every cell; hypercubes from it (``prover``) widen them
    further. Rounds stop when none is open or a round proves less than a tenth of them.
    Holding cells still only loses tables: these are inner bounds, proofs of protection.
    """
    csr = matrix.tocsr()
    csc = matrix.tocsc()
    columns = matrix.shape[1]
    solves = 0
    previous = 0
    for _ in range(NEIGHBOURHOOD_ROUNDS):
        open_cells = needed & (high - low < protection_level - TOLERANCE)
        count = int(open_cells.sum())
        if count == 0 or (previous and count > 0.9 * previous):
            break
        previous = count
        touching = np.unique(csc[:, np.flatnonzero(open_cells)].indices)
        free = np.zeros(columns, dtype=bool)
        free[np.unique(csr[touching].indices)] = True
        free_columns = np.flatnonzero(free)
        sub = csc[:, free_columns]
        rows = np.unique(sub.indices)
        held = np.where(free, 0.0, base)
        target = rhs[rows] - (csr[rows] @ held)
        local = sub[rows].tocsc()
        solver = new_solver()
        solver.setOptionValue("solver", "ipm")
        solver.setOptionValue("run_crossover", "off")
        lp = highspy.HighsLp()
        lp.num_col_ = len(free_columns)
        lp.num_row_ = len(rows)
        lp.col_cost_ = np.where(
            open_cells[free_columns], randomness.choice([-1.0, 1.0], len(free_columns)), 0.0
        )
        lp.col_lower_ = np.zeros(len(free_columns))
        lp.col_upper_ = np.full(len(free_columns), cap)
        lp.row_lower_ = (target - slack[rows]).astype(np.float64)
        lp.row_upper_ = (target + slack[rows]).astype(np.float64)
        lp.sense_ = highspy.ObjSense.kMaximize
        _pass_matrix(lp, local)
        solver.passModel(lp)
        solver.run()
        solves += 1
        if solver.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            break
        part = _feasible_point(solver, local, target, slack[rows], cap)
        if part is None:
            break
        point = base.copy()
        point[free_columns] = part
        np.minimum(low, point, out=low)
        np.maximum(high, point, out=high)
        if prover is not None:
            still = needed & (high - low < protection_level - TOLERANCE)
            cube_low, cube_high = prover(point, still)
            np.minimum(low, cube_low, out=low)
            np.maximum(high, cube_high, out=high)
    return solves


class _CubeProver:
    """Hypercube proofs for the attack, one `CubeSpace` per table, built when first needed."""

    def __init__(self, lattice: Lattice, level: float) -> None:
        self.lattice = lattice
        self.level = level
        self.spaces: dict[str, CubeSpace] = {}
        self.by_cell: sparse.csc_matrix | None = None
        size = np.full(lattice.cells, -1)
        self.home = np.full(lattice.cells, "", dtype=object)
        for table_id in sorted(lattice.table_cells):
            cells = lattice.table_cells[table_id]
            dims = len(lattice.table_dimensions[table_id])
            bigger = size[cells] < dims
            self.home[cells[bigger]] = table_id
            size[cells[bigger]] = dims

    def prove(
        self, cells: np.ndarray, base: np.ndarray, open_cells: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per cell of ``cells`` (a component's), the lowest and highest values seen along the
        cubes found from ``base``."""
        lattice = self.lattice
        low = base.copy()
        high = base.copy()
        values = np.zeros(lattice.cells)
        values[cells] = base
        allowed = np.zeros(lattice.cells, dtype=bool)
        allowed[cells] = True
        column_of = np.full(lattice.cells, -1, dtype=np.int64)
        column_of[cells] = np.arange(len(cells))
        nothing = np.zeros(lattice.cells)
        for table_id in sorted(self.lattice.table_cells):
            targets = cells[open_cells & (self.home[cells] == table_id)]
            if len(targets) == 0:
                continue
            if table_id not in self.spaces:
                self.spaces[table_id] = CubeSpace.build(lattice, table_id)
            space = self.spaces[table_id]
            corners, signs, found = space.best_cubes(
                targets,
                values=values,
                level=self.level,
                cost=nothing,
                allowed=allowed,
                candidates=3,
            )
            corners, signs = corners[found], signs[found]
            if len(corners) == 0:
                continue
            linked = space.linked[corners].any(axis=1)
            for row in np.flatnonzero(linked).tolist():
                if self.by_cell is None:
                    self.by_cell = lattice.matrix().tocsc()
                if not moves_keep_relations(self.by_cell, corners[row], signs[row]):
                    signs[row] = 0.0
            keep = (signs != 0).any(axis=1)
            corners, signs = corners[keep], signs[keep]
            used = corners >= 0
            corner_values = np.where(used, values[np.maximum(corners, 0)], np.inf)
            up = np.where(signs < 0, corner_values, np.inf).min(axis=1)
            down = np.where(signs > 0, corner_values, np.inf).min(axis=1)
            rows, slots = np.nonzero(used)
            columns = column_of[corners[rows, slots]]
            start = corner_values[rows, slots]
            direction = signs[rows, slots]
            # Along the cube's line: t from -down to +up (both finite: each side has a corner).
            highest = start + np.where(direction > 0, up[rows], down[rows]) * np.abs(direction)
            lowest = start - np.where(direction > 0, down[rows], up[rows]) * np.abs(direction)
            np.maximum.at(high, columns, highest)
            np.minimum.at(low, columns, lowest)
        return low, high


def _pass_matrix(lp: highspy.HighsLp, matrix: sparse.csc_matrix) -> None:
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
    lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
    lp.a_matrix_.value_ = matrix.data.astype(np.float64)


def _uncapped_maximum(solver: highspy.Highs, columns: int, column: int, cap: float) -> float:
    """The maximum of one cell with the caps lifted (rarely needed; see `_component_intervals`)."""
    everything = np.arange(columns, dtype=np.int32)
    solver.changeColsBounds(
        columns, everything, np.zeros(columns), np.full(columns, highspy.kHighsInf)
    )
    solver.run()
    status = solver.getModelStatus()
    solver.changeColsBounds(columns, everything, np.zeros(columns), np.full(columns, cap))
    if status == highspy.HighsModelStatus.kOptimal:
        return float(solver.getSolution().col_value[column])
    return float(np.inf)
