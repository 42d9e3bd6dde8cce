"""Optimal secondary suppression of one connected component, as a mixed-integer programme.

The model is the classic one of Fischetti and Salazar-González ("Models and algorithms for the
2-dimensional cell suppression problem", Management Science 1999; "Solving the cell suppression
problem on tabular data with linear constraints", 2001) that tau-Argus's "optimal" method
solves, written here in its compact form (every attacker subproblem spelt out, no cut
generation) for HiGHS. For the cells ``c`` of a component, with published values ``a_c``,
relations ``M`` (every relation of every table that touches them) and protection level ``p``:

- ``y_c`` in {0, 1}: the cell is withheld (1 for the primary cells, fixed);
- for each protected cell ``k`` two perturbation vectors ``x+`` and ``x-`` (the intruder's
  highest and lowest tables for ``k``, as deviations from the true one) with
  ``M x = 0`` (every relation still adds up) and ``-a_c y_c <= x_c <= U_c y_c`` (a published
  cell cannot move; a withheld one stays non-negative and below a large bound ``U_c``, the
  largest value of the component: an intruder who knows the grand total knows that much);
- ``x+_k - x-_k >= p``: the two tables are ``p`` apart on ``k``, so its feasible interval
  (the LP attack's, `attack`) is at least ``p`` wide; by convexity (0 is a feasible deviation)
  ``0 <= x+_k <= p`` and ``-p <= x-_k <= 0`` lose nothing and tighten the model;
- minimise ``sum w_c y_c`` over the cells not primary (``w`` = 1 per cell for
  ``cost="cells"``, the value for ``"counts"``, plus the tie-breaker of `suppression`).

Every withheld cell must be protected, not only the primaries (a published file does not say
which is which). The model only protects the cells it has vectors for; so the pattern it finds
is attacked (`attack.attack`), and any secondary cell the attack narrows gets its own pair of
vectors with the conditional constraint ``x+_k - x-_k >= p y_k`` (nothing is asked of it when
it is published), and the model is solved again, at most `ROUNDS` times. The optimum of the
last model is a lower bound of the true optimum (it has a subset of the constraints); once the
attack confirms its pattern, that pattern is the optimum (up to ``mip_rel_gap``).

The model has ``2 x protected cells x cells`` continuous columns: it is used where that size
stays below `MAX_SIZE` (`suppression` falls back to its heuristic beyond), within a time limit,
and never built beyond `MAX_COLUMNS` columns, even when asked for.
A solve stopped at its time limit with a feasible incumbent is used only when the attack
confirms it and it costs no more than the heuristic's pattern, which is given to HiGHS as its
first incumbent.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np
from scipy import sparse  # type: ignore[import-untyped]  # no scipy stubs pinned here

from .attack import Lattice, attack, new_solver

__all__ = ["MAX_COLUMNS", "MAX_SIZE", "ROUNDS", "TIME_LIMIT", "MilpOutcome", "solve_component"]

# Largest ``cells x primary cells`` of a component solved as a MILP by ``method="auto"``.
MAX_SIZE = 5_000
# No model with more columns is built, whatever the method (memory: a few hundred bytes each).
MAX_COLUMNS = 2_000_000
# Seconds HiGHS may spend on one component (all its rounds together), by default.
TIME_LIMIT = 10.0
# Relative gap at which HiGHS stops (its own default).
MIP_REL_GAP = 1e-4
# Models solved per component: the first, then one more each time the attack narrows a
# secondary cell that had no vectors of its own.
ROUNDS = 6


@dataclass
class MilpOutcome:
    """What the MILP gave for one component.

    Attributes
    ----------
    pattern : numpy.ndarray or None
        Per cell of the component, withheld or not; None when no pattern could be used.
    status : str
        ``"optimal"``, ``"time_limit"`` (an incumbent at the time limit), ``"no_solution"``
        (time limit or failure without one), ``"too_large"`` (more than `MAX_COLUMNS`
        columns: not built), ``"refuted"`` (the attack narrowed a cell the
        model already protects: numerical trouble) or ``"rounds"`` (still narrowed after
        `ROUNDS` models).
    objective, bound, gap : float or None
        The last model's objective (with the tie-breaker weights), HiGHS's dual bound, and
        their relative gap.
    """

    pattern: np.ndarray | None
    status: str
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    rounds: int = 0
    protected_cells: int = 0
    columns: int = 0
    rows: int = 0
    seconds: float = 0.0
    confirmed: bool = False
    details: dict[str, Any] = field(default_factory=dict)

    def report(self) -> dict[str, Any]:
        """The figures for ``report.json``."""
        return {
            "status": self.status,
            "objective": self.objective,
            "bound": self.bound,
            "gap": self.gap,
            "rounds": self.rounds,
            "protected_cells": self.protected_cells,
            "columns": self.columns,
            "rows": self.rows,
            "seconds": round(self.seconds, 3),
            "confirmed_by_attack": self.confirmed,
        }


def solve_component(
    lattice: Lattice,
    relation_matrix: sparse.csr_matrix,
    cells: np.ndarray,
    *,
    values: np.ndarray,
    primary: np.ndarray,
    weights: np.ndarray,
    level: float,
    start: np.ndarray | None = None,
    time_limit: float = TIME_LIMIT,
    mip_rel_gap: float = MIP_REL_GAP,
) -> MilpOutcome:
    """Solve the suppression MILP of one connected component (see the module).

    Parameters
    ----------
    lattice : Lattice
    relation_matrix : scipy.sparse.csr_matrix
        ``lattice.matrix()``.
    cells : numpy.ndarray
        The component's cell numbers (every relation touching one of them holds only them).
    values, primary, weights : numpy.ndarray
        Per cell of the lattice: the value, whether it is a primary suppression, its cost.
    level : float
        The protection level.
    start : numpy.ndarray, optional
        Per cell of the component, a protected pattern (the heuristic's): HiGHS's first
        incumbent.
    time_limit, mip_rel_gap : float
        HiGHS's limits, for all the rounds together.

    Returns
    -------
    MilpOutcome
    """
    started = time.perf_counter()
    cells = np.asarray(cells, dtype=np.int64)
    local = np.full(lattice.cells, -1, dtype=np.int64)
    local[cells] = np.arange(len(cells))
    rows = np.unique(relation_matrix[:, cells].tocoo().row)
    block = relation_matrix[rows][:, cells].tocsr()
    amounts = np.nan_to_num(values[cells], nan=0.0).astype(np.float64)
    fixed = primary[cells].astype(bool)
    protected = np.flatnonzero(fixed)
    conditional = np.zeros(0, dtype=np.int64)
    outcome = MilpOutcome(pattern=None, status="no_solution")
    if len(cells) * (1 + 2 * len(protected)) > MAX_COLUMNS:
        outcome.status = "too_large"
        outcome.seconds = time.perf_counter() - started
        return outcome
    for round_number in range(1, ROUNDS + 1):
        remaining = time_limit - (time.perf_counter() - started)
        if remaining <= 0:
            outcome.status = "no_solution" if outcome.pattern is None else outcome.status
            break
        model = _Model(block, amounts, fixed, weights[cells], level, protected, conditional)
        solved = model.solve(start, remaining, mip_rel_gap)
        outcome = MilpOutcome(
            pattern=None,
            status=solved["status"],
            objective=solved["objective"],
            bound=solved["bound"],
            gap=solved["gap"],
            rounds=round_number,
            protected_cells=len(protected) + len(conditional),
            columns=model.columns,
            rows=model.rows,
        )
        pattern = solved["pattern"]
        if pattern is None:
            break
        withheld = np.zeros(lattice.cells, dtype=bool)
        withheld[cells[pattern]] = True
        checked = attack(lattice, values, withheld, protection_level=level)
        failing = local[checked.failing]
        if len(failing) == 0:
            outcome.pattern = pattern
            outcome.confirmed = True
            break
        known = np.concatenate([protected, conditional])
        new = np.setdiff1d(failing, known)
        if len(new) == 0:
            outcome.status = "refuted"
            break
        conditional = np.union1d(conditional, new)
        outcome.status = "rounds"
    outcome.seconds = time.perf_counter() - started
    return outcome


class _Model:
    """The compact model of one component (columns: ``y``, then one block of ``x`` per
    vector; vectors ``2i`` and ``2i + 1`` are the up and down tables of protected cell
    ``i``)."""

    def __init__(
        self,
        block: sparse.csr_matrix,
        amounts: np.ndarray,
        fixed: np.ndarray,
        weights: np.ndarray,
        level: float,
        protected: np.ndarray,
        conditional: np.ndarray,
    ) -> None:
        n = len(amounts)
        targets = np.concatenate([protected, conditional]).astype(np.int64)
        optional = np.concatenate(
            [np.zeros(len(protected), dtype=bool), np.ones(len(conditional), dtype=bool)]
        )
        vectors = 2 * len(targets)
        big = np.maximum(float(amounts.max(initial=0.0)) - amounts, level)
        free = np.flatnonzero(~fixed)
        positive = free[amounts[free] > 0]
        identity = sparse.identity(vectors, format="csr")
        relation_rows = sparse.hstack(
            [sparse.csr_matrix((block.shape[0] * vectors, n)), sparse.kron(identity, block)]
        )
        # x_vj - U_j y_j <= 0 and x_vj + a_j y_j >= 0 for the cells that may stay published.
        pick_free = sparse.csr_matrix(
            (np.ones(len(free)), (np.arange(len(free)), free)), shape=(len(free), n)
        )
        pick_positive = sparse.csr_matrix(
            (np.ones(len(positive)), (np.arange(len(positive)), positive)),
            shape=(len(positive), n),
        )
        ones = sparse.csr_matrix(np.ones((vectors, 1)))
        upper_rows = sparse.hstack(
            [
                sparse.kron(ones, -sparse.diags(big[free]) @ pick_free),
                sparse.kron(identity, pick_free),
            ]
        )
        lower_rows = sparse.hstack(
            [
                sparse.kron(ones, sparse.diags(amounts[positive]) @ pick_positive),
                sparse.kron(identity, pick_positive),
            ]
        )
        # x+_k - x-_k (- p y_k when k is protected only if withheld) >= p (or 0).
        count = len(targets)
        index = np.arange(count)
        width_columns = np.concatenate(
            [n + 2 * index * n + targets, n + (2 * index + 1) * n + targets, targets[optional]]
        )
        width_values = np.concatenate(
            [np.ones(count), -np.ones(count), np.full(int(optional.sum()), -level)]
        )
        width_rows_index = np.concatenate([index, index, index[optional]])
        width_rows = sparse.csr_matrix(
            (width_values, (width_rows_index, width_columns)), shape=(count, n + vectors * n)
        )
        matrix = sparse.vstack([relation_rows, upper_rows, lower_rows, width_rows]).tocsc()
        infinity = highspy.kHighsInf
        row_lower = np.concatenate(
            [
                np.zeros(relation_rows.shape[0]),
                np.full(upper_rows.shape[0], -infinity),
                np.zeros(lower_rows.shape[0]),
                np.where(optional, 0.0, level),
            ]
        )
        row_upper = np.concatenate(
            [
                np.zeros(relation_rows.shape[0]),
                np.zeros(upper_rows.shape[0]),
                np.full(lower_rows.shape[0], infinity),
                np.full(count, infinity),
            ]
        )
        x_lower = np.tile(-amounts, vectors)
        x_upper = np.tile(big, vectors)
        # By convexity the target of each vector moves by at most p.
        up = n + 2 * index * n + targets
        down = n + (2 * index + 1) * n + targets
        column_lower = np.concatenate([fixed.astype(np.float64), x_lower])
        column_upper = np.concatenate([np.ones(n), x_upper])
        column_lower[up] = 0.0
        column_upper[up] = level
        column_lower[down] = -np.minimum(amounts[targets], level)
        column_upper[down] = 0.0
        cost = np.concatenate([np.where(fixed, 0.0, weights), np.zeros(vectors * n)])
        self.n = n
        self.columns = int(matrix.shape[1])
        self.rows = int(matrix.shape[0])
        self.fixed = fixed
        self.weights = weights
        lp = highspy.HighsLp()
        lp.num_col_ = self.columns
        lp.num_row_ = self.rows
        lp.col_cost_ = cost
        lp.col_lower_ = column_lower
        lp.col_upper_ = column_upper
        lp.row_lower_ = row_lower
        lp.row_upper_ = row_upper
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
        lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
        lp.a_matrix_.value_ = matrix.data.astype(np.float64)
        integrality = [highspy.HighsVarType.kInteger] * n + [highspy.HighsVarType.kContinuous] * (
            vectors * n
        )
        lp.integrality_ = integrality
        self.lp = lp

    def solve(self, start: np.ndarray | None, time_limit: float, gap: float) -> dict[str, Any]:
        solver = new_solver()
        solver.setOptionValue("time_limit", float(max(time_limit, 0.01)))
        solver.setOptionValue("mip_rel_gap", float(gap))
        solver.setOptionValue("random_seed", 0)
        # A withheld cell is y = 1 exactly: a y of 1e-6 must not let a cell move by U * 1e-6.
        solver.setOptionValue("mip_feasibility_tolerance", 1e-9)
        solver.passModel(self.lp)
        if start is not None:
            chosen = np.asarray(start, dtype=bool) | self.fixed
            solver.setSolution(self.n, np.arange(self.n, dtype=np.int32), chosen.astype(np.float64))
        solver.run()
        status = solver.getModelStatus()
        info = solver.getInfo()
        has_solution = int(info.primal_solution_status) == 2  # kSolutionStatusFeasible
        result: dict[str, Any] = {
            "pattern": None,
            "objective": None,
            "bound": None,
            "gap": None,
            "status": "no_solution",
        }
        if status == highspy.HighsModelStatus.kOptimal:
            result["status"] = "optimal"
        elif status == highspy.HighsModelStatus.kTimeLimit and has_solution:
            result["status"] = "time_limit"
        else:
            return result
        solution = np.asarray(solver.getSolution().col_value)[: self.n]
        pattern = (solution > 0.5) | self.fixed
        result["pattern"] = pattern
        result["objective"] = float(info.objective_function_value)
        result["bound"] = float(info.mip_dual_bound)
        result["gap"] = float(info.mip_gap) if np.isfinite(info.mip_gap) else None
        return result
