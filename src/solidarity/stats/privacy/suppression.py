"""Threshold and secondary cell suppression over all the tables of a dataset.

Primary suppression withholds every cell counting at least one and fewer than ``threshold``
records. Zeros are not primary suppressions: a zero discloses no person (this is tau-Argus's and
sdcTable's default), and a published zero next to a withheld cell is simply part of what the
intruder knows; a zero cell may still be withheld as a secondary suppression, where it hides
as well as any other. Margins are cells like the others: a margin below the threshold is a
primary suppression too.

Secondary suppression then withholds more cells until no withheld cell can be narrowed, from
everything published in *all* the tables of the dataset together, to an interval less than
``protection_level`` wide (see `attack`). It runs in three steps:

1. **Hypercubes.** For each primary cell, in the table with the most dimensions that holds it,
   the cheapest hypercube (`attack.CubeSpace`): one *move* per dimension (two sibling codes in
   opposite directions, a code and the total together, or in a hierarchy a code with its
   ancestors), whose products are cells that can all move by +t or -t without changing any
   margin, each corner staying non-negative while the primary moves by the protection level.
   The search is the GHMITER idea of tau-Argus with a greedy choice of a few candidate moves
   per dimension, scored with numpy over batches of primary cells; a cube whose corners all
   move the same way (a cell and its margins up to the grand total) is never chosen. A cube
   proves protection for all its corners (a *certificate*; cubes touching a table not nested
   in theirs are checked against every relation before they count).
2. **Attack and repair.** The LP attack (`attack.attack`) is run on the withheld cells that
   have no certificate. For each cell it narrows too far, a small LP (HiGHS) finds the
   cheapest way to let that cell move by the protection level: a change ``d`` of the cells of a
   box around it (its own codes and a few alternatives per dimension, with every relation that
   touches the box), ``relations · d = 0``, ``cells + d >= 0``, minimising the weighted change
   of published cells; the published cells it moves are withheld, and ``d`` is the cell's new
   certificate. When the box is too small, the whole dataset is the box. This is what handles
   tables that share cells without being nested in each other, and subtotals of hierarchies.
3. Step 2 repeats until the attack finds nothing: the result is protected by construction, and
   the audit (`audit`) checks it again from the published files.
4. **Pruning.** The secondary cells are tried again one by one, the most costly first: each is
   published again if the LP attack still proves every withheld cell of its connected group
   (withheld cells linked by relations) wide enough; otherwise it stays withheld. Groups of
   more than ``prune`` withheld cells (by default `PRUNE_GROUP`) after step 3 are left as they
   are (each try is an attack of the whole group), and at most `PRUNE_TRIES` cells are tried.
5. **MILP.** The cells and relations form connected components (the tables of a dataset
   usually form one: they share the grand total). On each component with primary cells whose
   size (cells x primary cells) is at most ``milp_max_size``, the exact MILP (`milp`) is solved
   with HiGHS, starting from the pattern of steps 1-4, within ``time_limit`` seconds. Its
   pattern replaces the heuristic's when the LP attack confirms it and it costs no more (an
   optimum always does; an incumbent at the time limit only when the attack confirms it).
   ``method="auto"`` (the default) does this where tractable, ``"milp"`` on every component
   whatever its size (still within the time limit), ``"heuristic"`` never. The statistics'
   ``components`` say which method gave each component's pattern, and the MILP's status,
   objective, bound and gap.

``cost`` chooses what the cubes and the repair LP minimise: ``"cells"`` the number of cells
withheld, ``"counts"`` the sum of their counts (the information lost); ties go to fewer cells,
then to inner cells rather than margins (totals are the figures most used).

Examples
--------
>>> import pandas as pd
>>> from solidarity.stats.privacy.tables import TOTAL, Table
>>> frame = pd.DataFrame({
...     "A": ["a", "a", "a", "b", "b", "b", TOTAL, TOTAL, TOTAL],
...     "B": ["x", "y", TOTAL, "x", "y", TOTAL, "x", "y", TOTAL],
...     "count": [3, 20, 23, 30, 40, 70, 33, 60, 93]})
>>> frame["value"] = frame["count"].astype(float)
>>> result = suppress({"T": Table(id="T", dimensions=("A", "B"), frame=frame)},
...                   threshold=10)
>>> frame[result.confidential["T"]][["A", "B", "count"]].values.tolist()
[['a', 'x', 3], ['a', 'y', 20], ['b', 'x', 30], ['b', 'y', 40]]
>>> result.statistics["primary_cells"], result.statistics["secondary_cells"]
(1, 3)
>>> result.attack.passed
True
>>> component = result.statistics["components"][0]
>>> component["method"], component["milp"]["status"], component["milp"]["gap"]
('milp', 'optimal', 0.0)
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import highspy
import numpy as np
from scipy import sparse  # type: ignore[import-untyped]  # no scipy stubs pinned here
from scipy.sparse.csgraph import connected_components  # type: ignore[import-untyped]

from . import milp
from .attack import (
    TOLERANCE,
    AttackResult,
    CubeSpace,
    Lattice,
    attack,
    group_protected,
    moves_keep_relations,
    new_solver,
    withheld_group,
)
from .tables import Table

__all__ = ["SuppressionError", "SuppressionResult", "suppress"]

Cost = Literal["cells", "counts"]
Method = Literal["auto", "milp", "heuristic"]
# Primary cells whose cubes are searched together (vectorised).
BATCH = 128
# Codes per dimension, besides the cell's own, in the first repair box.
BOX_CODES = 6
MAX_ROUNDS = 100
# Pruning: at most this many secondary cells tried, each only in a group of at most this many
# withheld cells by default (below attack.LOCAL_FROM, where a group's attack is a few solves).
PRUNE_TRIES = 5000
PRUNE_GROUP = 300


class SuppressionError(RuntimeError):
    """Secondary suppression did not converge (never expected; the message says where)."""


@dataclass
class SuppressionResult:
    """What to withhold, per table, and the figures of the report.

    Attributes
    ----------
    confidential : dict of str to numpy.ndarray
        Per table, one boolean per row of its frame: withheld (primary or secondary).
    primary, secondary : dict of str to numpy.ndarray
        The same, split by reason (for the report; never publish the split).
    statistics : dict
        ``cells``, ``primary_cells``, ``secondary_cells``, ``suppressed_count``,
        ``total_count``, ``information_loss_cells`` and ``information_loss_counts`` (shares
        of the distinct cells and of their counts withheld), ``heuristic_secondary_cells``
        (before pruning), ``pruned_cells``, ``method``, ``components`` (per connected
        component: its tables, size, the method that gave its pattern and the MILP's
        figures), ``rounds``, ``repairs``, ``seconds``; and ``tables``: the counts per table
        and the method of its components.
    attack : AttackResult
        The last attack of the heuristic (on the withheld cells without a certificate);
        pruning and the MILP confirm their own changes with the attack.
    """

    confidential: dict[str, np.ndarray]
    primary: dict[str, np.ndarray]
    secondary: dict[str, np.ndarray]
    statistics: dict[str, Any]
    attack: AttackResult
    lattice: Lattice = field(repr=False)


def suppress(
    tables: Mapping[str, Table],
    *,
    threshold: int,
    protection_level: float | None = None,
    cost: Cost = "cells",
    method: Method = "auto",
    time_limit: float = milp.TIME_LIMIT,
    milp_max_size: int = milp.MAX_SIZE,
    mip_rel_gap: float = milp.MIP_REL_GAP,
    prune: int = PRUNE_GROUP,
) -> SuppressionResult:
    """Primary and secondary suppression of all the tables of a dataset together.

    Parameters
    ----------
    tables : mapping of table id to Table
        Every table of the dataset (cells shared between tables are protected once).
    threshold : int
        Cells counting 1 to ``threshold - 1`` records are primary suppressions.
    protection_level : float, optional
        The narrowest feasible interval allowed for a withheld cell; by default the threshold.
    cost : {"cells", "counts"}
        What secondary suppression minimises.
    method : {"auto", "milp", "heuristic"}
        Where the exact MILP is solved: on components of at most ``milp_max_size``
        (cells x primary cells), on every component, or nowhere.
    time_limit : float
        Seconds HiGHS may spend on the MILP of one component.
    milp_max_size : int
        The largest component (cells x primary cells) ``"auto"`` solves as a MILP.
    mip_rel_gap : float
        The relative gap at which HiGHS stops.
    prune : int
        The largest group of linked withheld cells in which secondary cells are tried again
        (step 4); 0 turns the pass off. Each try attacks the whole group again, so bigger
        groups cost more time than they usually save cells.

    Returns
    -------
    SuppressionResult
    """
    if threshold < 1:
        raise ValueError("threshold must be at least 1")
    level = float(threshold if protection_level is None else protection_level)
    if level <= 0:
        raise ValueError("protection_level must be positive")
    if cost not in ("cells", "counts"):
        raise ValueError("cost must be 'cells' or 'counts'")
    if method not in ("auto", "milp", "heuristic"):
        raise ValueError("method must be 'auto', 'milp' or 'heuristic'")
    if time_limit <= 0:
        raise ValueError("time_limit must be positive")
    started = time.perf_counter()
    lattice = Lattice.build(tables)
    values = lattice.cell_values(
        {t: table.frame["value"].to_numpy() for t, table in tables.items()}
    )
    counts = lattice.cell_values(
        {t: table.frame["count"].to_numpy() for t, table in tables.items()}
    )
    primary = (counts > 0) & (counts < threshold)
    # Ties go to inner cells: margins and totals are the figures most used.
    totals = (lattice.keys == 0).sum(axis=1)
    weights = (1.0 if cost == "cells" else values) + 1e-3 * (1 + totals)
    state = _State(lattice, values, primary.copy(), weights, level)
    relation_matrix = lattice.matrix()
    relations_by_cell = relation_matrix.tocsc()
    timings: dict[str, float] = {}
    # 1. Hypercubes, in the tables with the most dimensions first.
    moment = time.perf_counter()
    order = sorted(tables, key=lambda t: (-len(tables[t].dimensions), t))
    home = _home_tables(lattice, tables)
    for table_id in order:
        _protect_with_cubes(state, table_id, home, relations_by_cell)
    timings["hypercubes"] = time.perf_counter() - moment
    # 2. Attack what has no certificate; repair what it narrows; again until nothing is found.
    moment = time.perf_counter()
    rounds = repairs = 0
    while True:
        rounds += 1
        result = attack(
            lattice,
            values,
            state.suppressed,
            protection_level=level,
            check=state.suppressed & ~state.certified,
        )
        if result.passed:
            break
        if rounds > MAX_ROUNDS:
            names = ", ".join(lattice.cell_name(int(c)) for c in result.failing[:5])
            raise SuppressionError(f"still unprotected after {MAX_ROUNDS} rounds: {names}")
        for cell in result.failing.tolist():
            if state.certified[cell]:
                continue
            _repair(state, int(cell), relation_matrix, relations_by_cell)
            repairs += 1
    timings["attack_and_repair"] = time.perf_counter() - moment
    moment = time.perf_counter()
    heuristic_pattern = state.suppressed.copy()
    pruned = _prune(state, primary, relation_matrix, relations_by_cell, prune) if prune > 0 else 0
    timings["prune"] = time.perf_counter() - moment
    moment = time.perf_counter()
    components = _components(
        state,
        primary,
        relation_matrix,
        tables,
        method=method,
        time_limit=time_limit,
        max_size=milp_max_size,
        mip_rel_gap=mip_rel_gap,
    )
    timings["milp"] = time.perf_counter() - moment
    secondary = state.suppressed & ~primary
    confidential = {t: lattice.table_mask(t, state.suppressed) for t in tables}
    per_table = {}
    for table_id in tables:
        cells = lattice.table_cells[table_id]
        methods = sorted({c["method"] for c in components if table_id in c["tables"]})
        per_table[table_id] = {
            "method": "+".join(methods) if methods else "none",
            "cells": len(cells),
            "primary_cells": int(primary[cells].sum()),
            "secondary_cells": int(secondary[cells].sum()),
            "suppressed_count": int(counts[cells][state.suppressed[cells]].sum()),
        }
    total_count = float(np.nansum(counts))
    suppressed_count = float(np.nansum(counts[state.suppressed]))
    statistics: dict[str, Any] = {
        "cells": lattice.cells,
        "primary_cells": int(primary.sum()),
        "secondary_cells": int(secondary.sum()),
        "suppressed_count": int(suppressed_count),
        "total_count": int(total_count),
        "information_loss_cells": float(state.suppressed.sum() / max(lattice.cells, 1)),
        "information_loss_counts": suppressed_count / total_count if total_count else 0.0,
        "protection_level": level,
        "threshold": threshold,
        "cost": cost,
        "method": method,
        "heuristic_secondary_cells": int((heuristic_pattern & ~primary).sum()),
        "pruned_cells": pruned,
        "components": components,
        "rounds": rounds,
        "repairs": repairs,
        "timings": timings,
        "seconds": time.perf_counter() - started,
        "tables": per_table,
    }
    return SuppressionResult(
        confidential=confidential,
        primary={t: lattice.table_mask(t, primary) for t in tables},
        secondary={t: lattice.table_mask(t, secondary) for t in tables},
        statistics=statistics,
        attack=result,
        lattice=lattice,
    )


@dataclass
class _State:
    lattice: Lattice
    values: np.ndarray
    suppressed: np.ndarray
    weights: np.ndarray
    level: float
    certified: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.certified = np.zeros(self.lattice.cells, dtype=bool)

    def cost_of(self, cells: np.ndarray) -> np.ndarray:
        return np.where(self.suppressed[cells], 0.0, self.weights[cells])

    def certify(self, cells: np.ndarray, direction: np.ndarray) -> None:
        """Withhold ``cells`` and certify those that ``direction`` moves far enough (cells
        numbered -1, unused corners of a cube, are ignored)."""
        amount = np.asarray(direction, dtype=np.float64)
        used = (cells >= 0) & (np.abs(amount) > TOLERANCE)
        cells, amount = cells[used], amount[used]
        self.suppressed[cells] = True
        moving = np.abs(amount) > TOLERANCE
        cells, amount = cells[moving], amount[moving]
        values = self.values[cells]
        # t can go up until a cell that decreases hits zero, and down likewise.
        up = np.min(values[amount < 0] / -amount[amount < 0], initial=np.inf)
        down = np.min(values[amount > 0] / amount[amount > 0], initial=np.inf)
        width = (up + down) * np.abs(amount)
        self.certified[cells[width >= self.level - TOLERANCE]] = True


def _protect_with_cubes(
    state: _State,
    table_id: str,
    home: np.ndarray,
    relations_by_cell: sparse.csc_matrix,
) -> None:
    lattice = state.lattice
    space = CubeSpace.build(lattice, table_id, state.values)
    cells = lattice.table_cells[table_id]
    todo = cells[state.suppressed[cells] & ~state.certified[cells] & (home[cells] == table_id)]
    todo = todo[np.argsort(state.values[todo], kind="stable")]
    everywhere = np.ones(lattice.cells, dtype=bool)
    # Cubes are chosen for a batch of primary cells at a time against the withheld cells as
    # they stand, then applied in order (a cell protected by an earlier cube is skipped).
    for start in range(0, len(todo), BATCH):
        chunk = todo[start : start + BATCH]
        chunk = chunk[~state.certified[chunk]]
        if len(chunk) == 0:
            continue
        corners, signs, found = space.best_cubes(
            chunk,
            values=state.values,
            level=state.level,
            cost=np.where(state.suppressed, 0.0, state.weights),
            allowed=everywhere,
            one_sided=False,
        )
        for position, cell in enumerate(chunk.tolist()):
            if not found[position] or state.certified[cell]:
                continue
            corner_cells, corner_signs = corners[position], signs[position]
            if space.linked[corner_cells].any() and not moves_keep_relations(
                relations_by_cell, corner_cells, corner_signs
            ):
                continue  # left to the attack and repair
            state.certify(corner_cells, corner_signs)


def _home_tables(lattice: Lattice, tables: Mapping[str, Table]) -> np.ndarray:
    """Per cell, the id of the table with the most dimensions that holds it."""
    home = np.full(lattice.cells, "", dtype=object)
    size = np.full(lattice.cells, -1)
    for table_id in sorted(tables):
        cells = lattice.table_cells[table_id]
        bigger = size[cells] < len(tables[table_id].dimensions)
        home[cells[bigger]] = table_id
        size[cells[bigger]] = len(tables[table_id].dimensions)
    return home


def _repair(
    state: _State,
    cell: int,
    relation_matrix: sparse.csr_matrix,
    relations_by_cell: sparse.csc_matrix,
) -> None:
    """Let ``cell`` move up by the protection level, withholding the cheapest published cells
    that must move with it (an LP on a box around it, then on everything)."""
    lattice = state.lattice
    for box_codes in (BOX_CODES, None):
        inside = _box(state, cell, box_codes)
        found = _move_cell(state, cell, np.flatnonzero(inside), relations_by_cell)
        if found is not None:
            moved_cells, direction = found
            state.certify(moved_cells, direction)
            return
    raise SuppressionError(f"no way to protect the cell {lattice.cell_name(cell)}")


def _box(state: _State, cell: int, codes_per_dimension: int | None) -> np.ndarray:
    lattice = state.lattice
    if codes_per_dimension is None:
        return np.ones(lattice.cells, dtype=bool)
    inside = np.ones(lattice.cells, dtype=bool)
    key = lattice.keys[cell]
    for position in range(len(lattice.dimensions)):
        # Along this dimension, from the cell: the withheld cells first, then the biggest.
        others = np.delete(key, position)
        rest = np.delete(lattice.keys, position, axis=1)
        line = np.flatnonzero((rest == others).all(axis=1))
        score = np.where(state.suppressed[line], -np.inf, -state.values[line])
        chosen = line[np.argsort(score, kind="stable")[: codes_per_dimension + 1]]
        codes = np.unique(np.concatenate([lattice.keys[chosen, position], [key[position], 0]]))
        inside &= np.isin(lattice.keys[:, position], codes)
    return inside


def _move_cell(
    state: _State, cell: int, box: np.ndarray, relations_by_cell: sparse.csc_matrix
) -> tuple[np.ndarray, np.ndarray] | None:
    """min sum w|d| over the box s.t. relations·d = 0, values + d >= 0, d[cell] = level."""
    # Every relation touching the box, with the cells outside it held still.
    sub = relations_by_cell[:, box].tocsr()
    rows = np.flatnonzero(np.diff(sub.indptr) > 0)
    sub = sub[rows].tocsc()
    count = len(box)
    weights = np.where(state.suppressed[box], 0.0, state.weights[box])
    values = state.values[box]
    # Columns: d_plus (count) then d_minus (count).
    matrix = sparse.hstack([sub, -sub], format="csc")
    upper_plus = np.full(count, highspy.kHighsInf)
    lower_plus = np.zeros(count)
    upper_minus = values.astype(np.float64).copy()
    target = int(np.flatnonzero(box == cell)[0])
    lower_plus[target] = upper_plus[target] = state.level
    upper_minus[target] = 0.0
    solver = new_solver()
    lp = highspy.HighsLp()
    lp.num_col_ = 2 * count
    lp.num_row_ = matrix.shape[0]
    lp.col_cost_ = np.concatenate([weights, weights])
    lp.col_lower_ = np.concatenate([lower_plus, np.zeros(count)])
    lp.col_upper_ = np.concatenate([upper_plus, upper_minus])
    lp.row_lower_ = np.zeros(matrix.shape[0])
    lp.row_upper_ = np.zeros(matrix.shape[0])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
    lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
    lp.a_matrix_.value_ = matrix.data.astype(np.float64)
    solver.passModel(lp)
    solver.run()
    if solver.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    solution = np.asarray(solver.getSolution().col_value)
    direction = solution[:count] - solution[count:]
    moving = np.abs(direction) > TOLERANCE
    cells = box[moving]
    direction = direction[moving]
    if not moves_keep_relations(relations_by_cell, cells, direction):
        return None
    return cells, direction


def _prune(
    state: _State,
    primary: np.ndarray,
    relation_matrix: sparse.csr_matrix,
    relations_by_cell: sparse.csc_matrix,
    group_limit: int,
) -> int:
    """Publish again the secondary cells the attack lets go, the most costly first (step 4);
    returns how many."""
    # Groups of withheld cells as they stand: only the small ones are tried (publishing cells
    # only splits groups, so a group too big now is usually too big for every try).
    withheld = np.flatnonzero(state.suppressed)
    links = relation_matrix[:, withheld]
    rows = np.flatnonzero(np.diff(links.indptr) > 0)
    links = links[rows]
    graph = sparse.bmat([[None, links], [links.T, None]], format="csr")
    _, labels = connected_components(graph, directed=False)
    sizes = np.bincount(labels[len(rows) :])
    small = np.zeros(state.lattice.cells, dtype=bool)
    small[withheld] = sizes[labels[len(rows) :]] <= group_limit
    candidates = np.flatnonzero(state.suppressed & ~primary & small)
    order = np.lexsort((candidates, -state.weights[candidates]))
    published = 0
    for cell in candidates[order][:PRUNE_TRIES].tolist():
        state.suppressed[cell] = False
        # A relation of the cell left with one withheld cell would give that cell away.
        rows = relations_by_cell[:, [cell]].indices
        block = relation_matrix[rows]
        withheld_per_row = (
            np.add.reduceat(state.suppressed[block.indices].astype(np.int64), block.indptr[:-1])
            if block.nnz
            else np.zeros(0, dtype=np.int64)
        )
        group = (
            None
            if (withheld_per_row == 1).any()
            else withheld_group(
                state.suppressed, cell, relation_matrix, relations_by_cell, limit=group_limit
            )
        )
        if group is not None and group_protected(
            state.lattice,
            relation_matrix,
            relations_by_cell,
            state.values,
            state.suppressed,
            group,
            protection_level=state.level,
        ):
            published += 1
        else:
            state.suppressed[cell] = True
    return published


def _components(
    state: _State,
    primary: np.ndarray,
    relation_matrix: sparse.csr_matrix,
    tables: Mapping[str, Table],
    *,
    method: Method,
    time_limit: float,
    max_size: int,
    mip_rel_gap: float,
) -> list[dict[str, Any]]:
    """Solve the MILP on the components where ``method`` asks for it (step 5); returns the
    report of every component with primary cells."""
    lattice = state.lattice
    relation_count = relation_matrix.shape[0]
    graph = sparse.bmat([[None, relation_matrix], [relation_matrix.T, None]], format="csr")
    _, labels = connected_components(graph, directed=False)
    cell_labels = labels[relation_count:]
    reports: list[dict[str, Any]] = []
    for label in np.unique(cell_labels[primary]).tolist():
        cells = np.flatnonzero(cell_labels == label)
        inside = np.zeros(lattice.cells, dtype=bool)
        inside[cells] = True
        primaries = int(primary[cells].sum())
        size = len(cells) * primaries
        optional = ~primary[cells]
        heuristic_cost = float(state.weights[cells][state.suppressed[cells] & optional].sum())
        entry: dict[str, Any] = {
            "tables": sorted(t for t in tables if inside[lattice.table_cells[t]].any()),
            "cells": len(cells),
            "primary_cells": primaries,
            "size": size,
            "method": "heuristic",
            "reason": None,
            "heuristic_secondary_cells": int((state.suppressed[cells] & optional).sum()),
            "milp": None,
        }
        if method == "heuristic":
            entry["reason"] = "method"
        elif method == "auto" and size > max_size:
            entry["reason"] = "size"
        else:
            outcome = milp.solve_component(
                lattice,
                relation_matrix,
                cells,
                values=state.values,
                primary=primary,
                weights=state.weights,
                level=state.level,
                start=state.suppressed[cells],
                time_limit=time_limit,
                mip_rel_gap=mip_rel_gap,
            )
            entry["milp"] = outcome.report()
            if outcome.pattern is None:
                entry["reason"] = outcome.status
            else:
                milp_cost = float(state.weights[cells][outcome.pattern & optional].sum())
                if milp_cost <= heuristic_cost + TOLERANCE:
                    state.suppressed[cells] = outcome.pattern
                    entry["method"] = "milp"
                else:
                    entry["reason"] = "costlier"
        entry["secondary_cells"] = int((state.suppressed[cells] & optional).sum())
        reports.append(entry)
    return reports
