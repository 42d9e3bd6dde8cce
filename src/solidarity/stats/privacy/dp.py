"""Differentially private counts: zero-concentrated DP with the discrete Gaussian of OpenDP.

What is released
----------------
Every cell of every table of the release — margins, subtotals and grand totals included — gets
its own noisy count, and a cell shared by two tables (``COUNTRY=MEX;SEX=F`` in a table by
country and sex and in a table by four dimensions) is noised once and published with the same
value in both. The cells are every combination of the dimensions' **public codelists** (the
specification's ``codes:``, ``bins:`` or ``codelist:``, and their hierarchy's subtotals), never
codes found in the data: a cell with no record is released with noise like any other, and a
dimension whose codes would come from the microdata is refused. Counts are unweighted (a
survey weight has no bounded sensitivity).

Sensitivity
-----------
Neighbouring datasets differ by one person (added or removed). One person counts once in each
*grouping* of the release: a choice, per dimension of the dataset, of the total or one level
of its codes (the codes themselves, or a level of subtotals of its hierarchy); a table with
dimensions D contributes every grouping that keeps the total outside D. With ``m`` distinct
groupings over all the tables (`groupings`), one person changes exactly ``m`` cells by one, so
the vector of distinct cells has L2 sensitivity ``sqrt(m)``: 4 for a table by four flat
dimensions with all its margins (2**4 = 16 groupings), whatever the other tables nested in it.

Noise and privacy loss
----------------------
The discrete Gaussian of standard deviation ``scale = sqrt(m) / sqrt(2 rho)`` is added to each
count by OpenDP's exact sampler (``opendp.measurements.make_gaussian`` on a vector of integers,
L2 input metric, ``ZeroConcentratedDivergence``; the ``contrib`` feature is required). Its cost
is ``rho = sensitivity**2 / (2 scale**2)`` (`ledger.gaussian_rho`, our own formula), which is
checked against the measurement's own ``map(sensitivity)`` before anything is drawn; the ledger
records both and charges the larger.

``epsilon`` and ``delta`` are converted to the largest rho whose zCDP guarantee implies
(epsilon, delta)-DP by Bun and Steinke (2016, Proposition 1.3),
``epsilon = rho + 2 sqrt(rho ln(1/delta))``, i.e.
``rho = (sqrt(ln(1/delta) + epsilon) - sqrt(ln(1/delta)))**2`` (`rho_from_epsilon_delta`).
Tighter conversions exist; this one is simple, standard and never optimistic.

Post-processing (optional)
--------------------------
``postprocess=True`` turns the noisy counts into non-negative integers that add up: in each
table (largest first), the cells at the finest level of every dimension are clipped at zero,
and every margin and subtotal is recomputed as the sum of its finest cells (bottom-up). A table
nested in an already processed one takes that one's values, so they agree. Post-processing
costs no privacy, but it is not unbiased: clipping lifts the many near-zero cells, so margins
are biased upwards by the clipped noise; tables not nested in each other may disagree on the
cells they share. Without it (the default), every cell is an unbiased noisy count and may be
negative.

Examples
--------
>>> round(rho_from_epsilon_delta(1.0, 1e-6), 6)
0.017469
>>> round(epsilon_from_rho(rho_from_epsilon_delta(1.0, 1e-6), 1e-6), 9)
1.0
"""

from __future__ import annotations

import datetime as dt
import math
import secrets
import time
from collections.abc import Mapping, Sequence
from itertools import product
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd  # type: ignore[import-untyped]  # no pandas-stubs pinned here

from . import ledger
from .attack import Lattice
from .errors import SpecError
from .spec import Spec
from .tables import TOTAL, Table

__all__ = [
    "DPError",
    "add_noise",
    "epsilon_from_rho",
    "groupings",
    "public_tables",
    "release",
    "rho_from_epsilon_delta",
]


class DPError(RuntimeError):
    """OpenDP disagrees with our own privacy accounting (never expected)."""


def rho_from_epsilon_delta(epsilon: float, delta: float) -> float:
    """The largest rho whose zCDP implies (epsilon, delta)-DP (Bun and Steinke 2016, Prop. 1.3).

    Examples
    --------
    >>> round(rho_from_epsilon_delta(2.0, 1e-5), 5)
    0.08005
    """
    if not (epsilon > 0 and 0 < delta < 1):
        raise ValueError("epsilon must be positive and delta between 0 and 1")
    log_term = math.log(1 / delta)
    return (math.sqrt(log_term + epsilon) - math.sqrt(log_term)) ** 2


def epsilon_from_rho(rho: float, delta: float) -> float:
    """The epsilon that rho-zCDP implies at ``delta``: rho + 2 sqrt(rho ln(1/delta)).

    Examples
    --------
    >>> round(epsilon_from_rho(0.5, 1e-6), 4)
    5.7565
    """
    return rho + 2 * math.sqrt(rho * math.log(1 / delta))


def _levels(table_parents: Mapping[str, str], codes: Sequence[str]) -> int:
    """How many levels of codes a dimension has below its total (1 without a hierarchy)."""
    deepest = 0
    for code in codes:
        depth, current, seen = 0, code, set()
        while current in table_parents and current not in seen:
            seen.add(current)
            current = table_parents[current]
            depth += 1
        deepest = max(deepest, depth)
    return deepest + 1


def groupings(
    tables: Mapping[str, Sequence[str]], levels: Mapping[str, int]
) -> set[tuple[int, ...]]:
    """The distinct groupings (per dimension: 0 for the total, or a level 1…L) of the tables.

    Parameters
    ----------
    tables : mapping of table id to its dimensions
    levels : mapping of dimension to its number of levels below the total

    Examples
    --------
    >>> found = groupings({"T1": ["C", "S"], "T2": ["C", "A", "S", "R"]},
    ...                   {"C": 1, "S": 1, "A": 1, "R": 1})
    >>> len(found)
    16
    >>> len(groupings({"T1": ["C", "S"], "T3": ["A", "R"]}, {"C": 1, "S": 1, "A": 1, "R": 1}))
    7
    """
    dimensions = sorted(levels)
    found: set[tuple[int, ...]] = set()
    for table_dimensions in tables.values():
        ranges = [range(levels[d] + 1) if d in table_dimensions else range(1) for d in dimensions]
        found.update(product(*ranges))
    return found


def public_tables(
    tables: Mapping[str, Table], codelists: Mapping[str, Sequence[str]]
) -> dict[str, Table]:
    """Each table re-indexed on every combination of the public codes of its dimensions (the
    codelist, the hierarchy's subtotals above them, and the total); cells missing from a table
    count 0.

    Raises
    ------
    ValueError
        A table holds a code that is not in the public codelist (or its subtotals).
    """
    result: dict[str, Table] = {}
    for table_id, table in tables.items():
        axes = []
        for dimension in table.dimensions:
            if dimension not in codelists:
                raise ValueError(f"dimension {dimension} has no public codelist")
            parents = table.parents.get(dimension, {})
            codes = list(dict.fromkeys(codelists[dimension]))
            inner: list[str] = []
            for code in codes:
                current, seen = code, set()
                while current in parents and current not in seen:
                    seen.add(current)
                    current = parents[current]
                    if current != TOTAL and current not in inner:
                        inner.append(current)
            allowed = [*codes, *inner, TOTAL]
            present = set(table.frame[dimension].astype(str).unique())
            stray = sorted(present - set(allowed))
            if stray:
                raise ValueError(
                    f"table {table_id}: {dimension} holds codes outside its public codelist "
                    f"({', '.join(stray[:5])}): the release would reveal them"
                )
            axes.append(allowed)
        index = pd.MultiIndex.from_tuples(list(product(*axes)), names=list(table.dimensions))
        counts = (
            table.frame.set_index(list(table.dimensions))["count"]
            .reindex(index, fill_value=0)
            .astype(np.int64)
        )
        frame = counts.reset_index()
        frame = frame.sort_values(list(table.dimensions)).reset_index(drop=True)
        frame["value"] = frame["count"].astype(np.float64)
        result[table_id] = Table(
            id=table_id, dimensions=table.dimensions, frame=frame, parents=table.parents
        )
    return result


def sensitivity_of(tables: Mapping[str, Table]) -> tuple[float, int]:
    """The L2 sensitivity of all the cells of ``tables`` and the number of groupings."""
    levels: dict[str, int] = {}
    for table in tables.values():
        for dimension in table.dimensions:
            codes = [c for c in table.frame[dimension].astype(str).unique() if c != TOTAL]
            found = _levels(table.parents.get(dimension, {}), codes)
            levels[dimension] = max(levels.get(dimension, 1), found)
    count = len(groupings({t: table.dimensions for t, table in tables.items()}, levels))
    return math.sqrt(count), count


def _measurement(scale: float) -> Any:
    # Imported when noise is drawn, and module by module: ``opendp.prelude`` also loads its
    # optional Polars and context layers, which take seconds.
    from opendp import domains, measurements, metrics
    from opendp.mod import enable_features

    enable_features("contrib")
    return measurements.make_gaussian(
        domains.vector_domain(domains.atom_domain(T=int)),
        metrics.l2_distance(T=float),
        scale=scale,
        MO="ZeroConcentratedDivergence",
    )


def calibrate(sensitivity: float, rho: float) -> tuple[float, float, float]:
    """The noise scale for ``rho``, our rho for it and OpenDP's (`DPError` if they differ)."""
    scale = sensitivity / math.sqrt(2 * rho)
    ours = ledger.gaussian_rho(sensitivity, scale)
    theirs = float(_measurement(scale).map(sensitivity))
    if abs(theirs - ours) > 1e-9 * max(ours, 1e-300) + 1e-15:
        raise DPError(f"OpenDP's privacy loss {theirs} differs from ours {ours}")
    return scale, ours, theirs


def add_noise(counts: np.ndarray, *, scale: float) -> np.ndarray:
    """Discrete Gaussian noise of standard deviation ``scale`` on integer counts (OpenDP).

    Examples
    --------
    >>> noisy = add_noise(np.array([5, 0, 12]), scale=1.0)
    >>> noisy.shape, noisy.dtype
    ((3,), dtype('int64'))
    """
    values = np.asarray(counts, dtype=np.int64)
    if len(values) == 0:
        return values.copy()
    noisy = _measurement(scale)(values.tolist())
    return np.asarray(noisy, dtype=np.int64)


def _postprocess(tables: Mapping[str, Table], lattice: Lattice, noisy: np.ndarray) -> np.ndarray:
    """Non-negative integers consistent with each table's margins (see the module's docs)."""
    result = np.full(lattice.cells, -1, dtype=np.int64)
    for table_id in sorted(tables, key=lambda t: (-len(tables[t].dimensions), t)):
        table = tables[table_id]
        cells = lattice.table_cells[table_id]
        if (result[cells] >= 0).all():
            continue
        frame = table.frame[list(table.dimensions)].astype(str)
        finest = np.ones(len(frame), dtype=bool)
        ancestors: dict[str, dict[str, list[str]]] = {}
        for dimension in table.dimensions:
            parents = table.parents.get(dimension, {})
            inner = set(parents.values())
            finest &= (frame[dimension] != TOTAL) & ~frame[dimension].isin(inner)
            chains: dict[str, list[str]] = {}
            for code in frame[dimension].unique():
                chain, current = [code], code
                while current in parents:
                    current = parents[current]
                    chain.append(current)
                if chain[-1] != TOTAL:
                    chain.append(TOTAL)
                chains[code] = chain
            ancestors[dimension] = chains
        leaves = frame[finest].copy()
        leaves["value"] = np.maximum(noisy[cells[finest]], 0)
        # Every leaf counts towards each combination of its codes' ancestors.
        for dimension in table.dimensions:
            leaves[dimension] = leaves[dimension].map(ancestors[dimension])
            leaves = leaves.explode(dimension)
        sums = leaves.groupby(list(table.dimensions))["value"].sum()
        keys = pd.MultiIndex.from_frame(frame)
        values = sums.reindex(keys, fill_value=0).to_numpy().astype(np.int64)
        fresh = result[cells] < 0
        result[cells[fresh]] = values[fresh]
    return result


def release(
    *,
    spec: Spec,
    tables: Mapping[str, Table],
    state_dir: str | Path,
    rho: float | None = None,
    epsilon: float | None = None,
    delta: float | None = None,
    raise_budget: float | None = None,
    raise_reason: str = "raised with --raise-budget",
    postprocess: bool = False,
) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    """Release every table of ``tables`` with differential privacy, charged to the ledger.

    Parameters
    ----------
    spec : Spec
        Gives the dataset, the public codelists and the total budget (``privacy_budget``).
    tables : mapping of table id to Table
        The exact tables (their counts; weights are ignored).
    state_dir : path
        The dataset's state directory, where the ledger is kept (`ledger`).
    rho : float, optional
        The release's zCDP budget; or ``epsilon`` and ``delta``, converted
        (`rho_from_epsilon_delta`).
    raise_budget : float, optional
        Raise the dataset's total to this rho first (an event of the ledger, with
        ``raise_reason``).
    postprocess : bool
        Non-negative integers consistent with the margins (see the module's documentation).

    Returns
    -------
    (published frames per table, report)
        Frames in the form `output.write_published` takes (``OBS_STATUS`` ``E``: estimated);
        the report's ``parameters``, ``dp`` and ``budget`` say what was spent and what is left.

    Raises
    ------
    SpecError
        A dimension has no public codelist.
    ledger.BudgetExceededError
        The release does not fit in the dataset's budget (nothing drawn, nothing written).
    """
    started = time.perf_counter()
    if rho is None:
        if epsilon is None or delta is None:
            raise ValueError("differential privacy needs rho, or epsilon and delta")
        rho = rho_from_epsilon_delta(float(epsilon), float(delta))
        conversion = "Bun and Steinke 2016, Proposition 1.3"
    else:
        if epsilon is not None or delta is not None:
            raise ValueError("give rho, or epsilon and delta, not both")
        conversion = None
    if not (math.isfinite(rho) and rho > 0):
        raise ValueError("rho must be a positive number")
    used = sorted({d for table in tables.values() for d in table.dimensions})
    codelists: dict[str, tuple[str, ...]] = {}
    for dimension in used:
        codelist = spec.dimensions[dimension].codelist
        if codelist is None:
            raise SpecError(
                "differential privacy needs a public codelist (codes:, bins: or codelist:); "
                "codes taken from the microdata would reveal who is in them",
                file=str(spec.path or "<spec>"),
                key=f"dimensions.{dimension}",
            )
        codelists[dimension] = tuple(codelist)
    public = public_tables(tables, codelists)
    lattice = Lattice.build(public)
    counts = lattice.cell_values(
        {t: table.frame["count"].to_numpy() for t, table in public.items()}
    )
    sensitivity, touched = sensitivity_of(public)
    scale, ours, theirs = calibrate(sensitivity, rho)
    if raise_budget is not None:
        ledger.raise_total(state_dir, spec.dataset, rho=raise_budget, reason=raise_reason)
    release_id = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(4)
    # Charged before any noise is drawn: a failure afterwards wastes budget, never leaks.
    ledger.charge(
        state_dir,
        spec.dataset,
        rho=max(rho, ours, theirs),
        budget_rho=spec.privacy_budget_rho,
        release=release_id,
        sensitivity=sensitivity,
        scale=scale,
        cells=lattice.cells,
        tables=list(public),
        opendp_rho=theirs,
    )
    moment = time.perf_counter()
    noisy = add_noise(counts.astype(np.int64), scale=scale)
    noise_seconds = time.perf_counter() - moment
    if postprocess:
        noisy = _postprocess(public, lattice, noisy)
    published: dict[str, pd.DataFrame] = {}
    per_table: dict[str, Any] = {}
    for table_id, table in public.items():
        out = table.frame[list(table.dimensions)].copy()
        out["OBS_VALUE"] = pd.array(noisy[lattice.table_cells[table_id]], dtype="Int64")
        out["CONF_STATUS"] = "F"
        out["OBS_STATUS"] = "E"
        published[table_id] = out
        per_table[table_id] = {"cells": len(out), "cells_withheld": 0}
    state = ledger.read_ledger(state_dir, spec.dataset)
    report: dict[str, Any] = {
        "method": "dp",
        "parameters": {
            "rho": rho,
            "epsilon": epsilon,
            "delta": delta,
            "epsilon_delta_conversion": conversion,
            "postprocess": "clip at zero, margins summed bottom-up" if postprocess else None,
        },
        "dp": {
            "mechanism": "discrete Gaussian (OpenDP make_gaussian), zero-concentrated DP",
            "neighbours": "one person added or removed",
            "groupings": touched,
            "sensitivity": sensitivity,
            "scale": scale,
            "rho": ours,
            "opendp_rho": theirs,
            "distinct_cells": lattice.cells,
            "noise_seconds": noise_seconds,
            "seconds": time.perf_counter() - started,
        },
        "budget": {
            "release": release_id,
            "ledger": str(ledger.ledger_path(state_dir).resolve()),
            "rho_total": state.total_rho,
            "rho_spent": state.spent_rho,
            "rho_left": state.left_rho,
        },
        "tables": per_table,
    }
    return published, report
