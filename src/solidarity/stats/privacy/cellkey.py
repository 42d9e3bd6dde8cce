"""The cell key method: counts perturbed by a small noise that every cell keeps for good.

Every record has a random key (`keys`); a cell's key is the sum of its records' keys modulo 1
(computed exactly, see `tables`). The cell's perturbation is read from a *perturbation table*
(ptable) at the cell's count and key, so the same cell — the same people — gets the same
published value in every table and every release, and averaging releases gains nothing. After
perturbation, cells whose perturbed count is below the threshold are withheld
(``CONF_STATUS`` ``C``).

The perturbation table
----------------------
Built by `ptable` for a maximum deviation D (default 2, the command line's default) and
``js`` = 2, the largest count never published (so no 1s and 2s appear). For an original count
i, the perturbation v takes the values in [-D, D] with i + v ≥ 0 and i + v not in 1…js, with
probabilities

    p_i(v) proportional to exp(-v**2 / (2 sigma**2) + lambda_i * v),   sigma = D / 2,

where lambda_i is solved (bisection) so that the mean perturbation is exactly zero: unbiased counts,
the Gaussian shape otherwise. Zeros stay zeros (a cell with no records has no key). Where
zero mean allows no other choice, the count is published as is (i = 3 with D = 2: only 3, 4, 5
are allowed above it and nothing below). Rows stop at i = js + D + 1: every larger count uses
that row's symmetric distribution. Each row's probabilities are laid end to end on [0, 1) in
increasing v; a cell key falling in ``[lower, upper)`` gets that v. For D = 2:

====  ==============================================
i     published value (probability)
====  ==============================================
0     0 (1)
1     0 (0.667), 3 (0.333)
2     0 (0.362), 3 (0.552), 4 (0.086)
3     3 (1)
4     3 (0.306), 4 (0.430), 5 (0.222), 6 (0.042)
≥5    i-2 … i+2 (0.054, 0.244, 0.403, 0.244, 0.054)
====  ==============================================

`check_ptable` verifies these properties from the table alone (the audit uses it on the
table written into ``report.json``).

Examples
--------
>>> table = ptable(max_deviation=2)
>>> row = table[table["i"] == 1]
>>> row[["v", "p"]].round(3).to_dict("list")
{'v': [-1, 2], 'p': [0.667, 0.333]}
>>> check_ptable(table, max_deviation=2)
[]
>>> perturb(np.array([0, 1, 1, 40]), np.array([0.5, 0.1, 0.9, 0.5]), table).tolist()
[0, 0, 3, 40]
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd  # type: ignore[import-untyped]  # no pandas-stubs pinned here

from .tables import TOTAL, Table, cell_ids

__all__ = [
    "NEVER_PUBLISHED",
    "check_ptable",
    "perturb",
    "protect_cellkey",
    "ptable",
    "ptable_from_records",
]

NEVER_PUBLISHED = 2
"""js: perturbed counts 1…js are never published (no 1s and 2s)."""
_TOLERANCE = 1e-9


def _allowed(i: int, max_deviation: int, js: int) -> list[int]:
    if i == 0:
        return [0]
    return [
        v for v in range(-max_deviation, max_deviation + 1) if i + v >= 0 and not 1 <= i + v <= js
    ]


def _row(values: Sequence[int], sigma: float) -> list[float]:
    if min(values) >= 0 or max(values) <= 0:
        # Zero mean leaves no choice but v = 0 (which is always allowed then: i > js + D or
        # i = js + 1).
        return [1.0 if v == 0 else 0.0 for v in values]

    def probabilities(tilt: float) -> list[float]:
        logs = [-(v * v) / (2 * sigma * sigma) + tilt * v for v in values]
        top = max(logs)
        weights = [math.exp(x - top) for x in logs]
        total = sum(weights)
        return [w / total for w in weights]

    def mean(tilt: float) -> float:
        return sum(v * p for v, p in zip(values, probabilities(tilt), strict=True))

    low, high = -60.0, 60.0
    for _ in range(200):
        middle = (low + high) / 2
        if mean(middle) > 0:
            high = middle
        else:
            low = middle
    return probabilities((low + high) / 2)


def ptable(max_deviation: int, *, js: int = NEVER_PUBLISHED) -> pd.DataFrame:
    """Build the perturbation table for a maximum deviation.

    Parameters
    ----------
    max_deviation : int
        D, at least js: no published count differs from the original by more.
    js : int, default 2
        Perturbed counts 1…js are never published.

    Returns
    -------
    pandas.DataFrame
        Columns ``i`` (original count; the last row stands for every larger count), ``v``
        (perturbation), ``p`` (probability), ``lower`` and ``upper`` (the cell-key interval
        that selects v).
    """
    if max_deviation < js:
        # A count of 1 must be able to reach js + 1 (and 0) for its mean perturbation to be 0.
        raise ValueError(
            f"the maximum deviation must be at least {js}, or counts of 1…{js} cannot be "
            "perturbed without bias"
        )
    sigma = max_deviation / 2
    records = []
    for i in range(js + max_deviation + 2):
        values = _allowed(i, max_deviation, js)
        probabilities = _row(values, sigma)
        lower = 0.0
        kept = [(v, p) for v, p in zip(values, probabilities, strict=True) if p > 0]
        for position, (v, p) in enumerate(kept):
            upper = 1.0 if position == len(kept) - 1 else lower + p
            records.append({"i": i, "v": v, "p": p, "lower": lower, "upper": upper})
            lower = upper
    frame = pd.DataFrame.from_records(records)
    frame["i"] = frame["i"].astype(np.int64)
    frame["v"] = frame["v"].astype(np.int64)
    return frame


def ptable_from_records(records: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """A perturbation table read back from ``report.json`` (a list of row mappings)."""
    frame = pd.DataFrame.from_records(list(records), columns=["i", "v", "p", "lower", "upper"])
    return frame.astype({"i": np.int64, "v": np.int64, "p": np.float64})


def check_ptable(
    table: pd.DataFrame, *, max_deviation: int, js: int = NEVER_PUBLISHED
) -> list[str]:
    """Check a perturbation table's properties; return the problems found (none: ``[]``).

    Checked: each row's probabilities are positive and add up to 1, their intervals tile
    [0, 1) in order; the mean perturbation is 0; no perturbation exceeds ``max_deviation``;
    no published count is negative or in 1…js; a count of 0 stays 0; rows run from 0 without
    gaps, and the last one (used for every larger count) is symmetric enough that larger
    counts keep every property.

    Examples
    --------
    >>> bad = ptable(max_deviation=2)
    >>> bad.loc[bad["i"] == 1, "v"] = [-1, 1]
    >>> for problem in check_ptable(bad, max_deviation=2):
    ...     print(problem)
    i=1: the mean perturbation is -0.333333, not 0
    i=1: publishes 2 (1…2 are never published)
    """
    problems: list[str] = []
    if table.empty:
        return ["the perturbation table is empty"]
    rows = sorted(int(i) for i in table["i"].unique())
    if rows != list(range(len(rows))):
        problems.append(f"rows must run 0, 1, 2… without gaps; they are {rows}")
    for i, row in table.groupby("i", sort=True):
        i = int(i)
        p = row["p"].to_numpy(dtype=float)
        v = row["v"].to_numpy(dtype=np.int64)
        if (p <= 0).any():
            problems.append(f"i={i}: a probability is not positive")
        if abs(p.sum() - 1) > _TOLERANCE:
            problems.append(f"i={i}: probabilities add up to {p.sum():.9f}, not 1")
        mean = float((p * v).sum())
        if abs(mean) > _TOLERANCE:
            problems.append(f"i={i}: the mean perturbation is {mean:.6f}, not 0")
        if (np.abs(v) > max_deviation).any():
            problems.append(f"i={i}: a perturbation exceeds the maximum deviation {max_deviation}")
        published = i + v
        if (published < 0).any():
            problems.append(f"i={i}: publishes a negative count")
        small = sorted({int(x) for x in published if 1 <= x <= js})
        if small:
            problems.append(
                f"i={i}: publishes {', '.join(map(str, small))} (1…{js} are never published)"
            )
        if i == 0 and (v != 0).any():
            problems.append("i=0: an empty cell must stay 0")
        lower = row["lower"].to_numpy(dtype=float)
        upper = row["upper"].to_numpy(dtype=float)
        tiles = (
            abs(lower[0]) <= _TOLERANCE
            and abs(upper[-1] - 1) <= _TOLERANCE
            and np.allclose(lower[1:], upper[:-1], atol=_TOLERANCE, rtol=0)
            and np.allclose(upper - lower, p, atol=1e-7, rtol=0)
        )
        if not tiles:
            problems.append(f"i={i}: the cell-key intervals do not tile [0, 1) by probability")
    last = int(max(rows))
    tail = table[table["i"] == last]
    # The last row serves every count above it: its perturbations must keep counts above js
    # and be allowed for any such count.
    if last < js + max_deviation + 1 or (last + tail["v"] <= js).any():
        problems.append(
            f"the last row (i={last}) cannot serve larger counts: it must be at least "
            f"js + D + 1 = {js + max_deviation + 1}"
        )
    return problems


def perturb(count: np.ndarray, cell_key: np.ndarray, table: pd.DataFrame) -> np.ndarray:
    """The perturbed counts: each count's row of the table (the last for larger counts), and
    in it the perturbation whose interval holds the cell key.

    Parameters
    ----------
    count : numpy.ndarray of int
    cell_key : numpy.ndarray of float, in [0, 1)
    table : pandas.DataFrame
        A perturbation table (`ptable`).
    """
    count = np.asarray(count, dtype=np.int64)
    cell_key = np.asarray(cell_key, dtype=np.float64)
    last = int(table["i"].max())
    rows = np.minimum(count, last)
    result = count.copy()
    for i, row in table.groupby("i", sort=True):
        chosen = rows == int(i)
        if not chosen.any():
            continue
        upper = row["upper"].to_numpy(dtype=float)
        position = np.searchsorted(upper, cell_key[chosen], side="right")
        position = np.minimum(position, len(upper) - 1)
        result[chosen] = count[chosen] + row["v"].to_numpy(dtype=np.int64)[position]
    return result


def protect_cellkey(
    tables: Mapping[str, Table], *, threshold: int, max_deviation: int
) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    """Perturb every cell with the cell key method, then withhold small perturbed counts.

    Parameters
    ----------
    tables : mapping of table id to Table
        Tabulated with record keys (a ``record_key_sum`` column).
    threshold : int
        Cells whose perturbed count is at least 1 and below this are withheld.
    max_deviation : int
        D of the perturbation table.

    Returns
    -------
    (published frames, report)
        Published frames as `output` wants them (``OBS_STATUS`` ``E`` on every published
        cell: every value is an estimate, perturbed or not, so the status says nothing about
        which cells moved; ``O`` on withheld ones); the report's ``parameters``, ``ptable``
        and per-table figures.

    Examples
    --------
    >>> frame = pd.DataFrame({"SEX": ["F", "M", TOTAL], "count": [1, 40, 41],
    ...     "value": [1.0, 40.0, 41.0], "record_key_sum": [0.9, 0.5, 0.4]})
    >>> published, report = protect_cellkey({"T": Table("T", ("SEX",), frame)},
    ...                                     threshold=10, max_deviation=2)
    >>> published["T"]["OBS_VALUE"].tolist(), published["T"]["CONF_STATUS"].tolist()
    ([<NA>, 40, 41], ['C', 'F', 'F'])
    >>> report["tables"]["T"]["cells_withheld"]
    1
    """
    if threshold < 1:
        raise ValueError("the threshold must be at least 1")
    table = ptable(max_deviation)
    problems = check_ptable(table, max_deviation=max_deviation)
    if problems:  # pragma: no cover - ptable() builds a valid table by construction
        raise RuntimeError("; ".join(problems))
    published: dict[str, pd.DataFrame] = {}
    figures: dict[str, Any] = {}
    for table_id, source in tables.items():
        frame = source.frame
        if "record_key_sum" not in frame.columns:
            raise ValueError(f"table {table_id} was tabulated without record keys")
        count = frame["count"].to_numpy(dtype=np.int64)
        perturbed = perturb(count, frame["record_key_sum"].to_numpy(), table)
        value = frame["value"].to_numpy(dtype=np.float64)
        # With a weight, the weighted total follows its count's perturbation in proportion.
        scale = np.divide(perturbed, count, out=np.zeros(len(count)), where=count > 0)
        published_value = np.rint(value * scale).astype(np.int64)
        withheld = (perturbed >= 1) & (perturbed < threshold)
        out = frame[list(source.dimensions)].copy()
        out["OBS_VALUE"] = pd.array(published_value, dtype="Int64")
        out.loc[withheld, "OBS_VALUE"] = pd.NA
        out["CONF_STATUS"] = np.where(withheld, "C", "F")
        out["OBS_STATUS"] = np.where(withheld, "O", "E")
        published[table_id] = out
        released = ~withheld
        deviation = np.abs(perturbed - count)
        figures[table_id] = {
            "cells": len(frame),
            "cells_withheld": int(withheld.sum()),
            "cells_perturbed": int((perturbed != count).sum()),
            "cells_zero": int((perturbed == 0).sum()),
            "information_loss": {
                "mean_absolute_deviation": float(deviation[released].mean())
                if released.any()
                else 0.0,
                "max_absolute_deviation": int(deviation.max()) if len(deviation) else 0,
                "withheld_share": float(withheld.mean()) if len(frame) else 0.0,
                "records_in_withheld_cells": int(count[withheld].sum()),
            },
        }
    report = {
        "method": "cellkey",
        "parameters": {
            "threshold": threshold,
            "max_deviation": max_deviation,
            "js": NEVER_PUBLISHED,
            "sigma": max_deviation / 2,
        },
        "ptable": table.to_dict("records"),
        "tables": figures,
    }
    return published, report


def consistent_across_tables(published: Mapping[str, Any]) -> list[str]:
    """Cells that appear in several published tables with different values (none: ``[]``).

    ``published`` maps table ids to objects with ``dimensions`` and ``frame`` (published
    tables); cells are matched by `tables.cell_ids`.
    """
    seen: dict[str, tuple[str, object]] = {}
    problems: list[str] = []
    for table_id, table in published.items():
        ids = cell_ids(table)
        values = [None if pd.isna(v) else int(v) for v in table.frame["OBS_VALUE"]]
        for cell, value in zip(ids, values, strict=True):
            if cell in seen and seen[cell][1] != value:
                problems.append(
                    f"cell {cell or TOTAL} is {seen[cell][1]} in {seen[cell][0]} "
                    f"but {value} in {table_id}"
                )
            seen.setdefault(cell, (table_id, value))
    return problems
