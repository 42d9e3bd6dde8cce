"""Aggregate tables: what tabulation produces and every protection method and the audit read.

The contract
------------
A `Table` is one table of a specification, tabulated: ``id`` (``"T1"``), ``dimensions`` (the
dimension ids in the specification's order) and ``frame``, a pandas DataFrame with

- one ``str`` column per dimension holding codes, `TOTAL` (``"_T"``, SDMX's code for a total)
  in the margins, and the codes of a dimension's hierarchy (a region) in its subtotals;
- ``count`` (int64): the number of records in the cell, unweighted;
- ``value`` (float64): the weighted total of the cell, equal to ``count`` without a weight;
- ``record_key_sum`` (float64), only when tabulated with record keys (the cell key method): the
  cell key, ``(sum of the records' integer keys mod 2**32) / 2**32``, a number in [0, 1),
  computed exactly (integer sums) so every engine and every table give a cell the same key.

One row per cell, ``RangeIndex`` 0…n-1, sorted by the dimension columns: every combination of
the dimension's codes (the declared codelist, or every code seen in the microdata), total or
not, including the cells whose count is 0, every margin and the grand total. So a table of
dimensions with k₁…k_d codes has exactly ∏(kᵢ + 1 + subtotals of i) rows.

``parents`` maps, for a dimension with a hierarchy, each code to its parent code (a country to
its region); a code with no entry (every code of a dimension without a hierarchy, and the top of
a hierarchy) has `TOTAL` as parent. The linear structure of a table is then: along each
dimension, a cell equals the sum of its children (`relations`). Published tables (from
``output.read_published``) carry the same ``id``, ``dimensions`` and ``parents``, so the
helpers here work on both (`TableLike`).

The same cell in two tables (``COUNTRY_OF_BIRTH=MEX, SEX=F`` in a table by country and sex, and
with ``AGE=_T, RACE=_T`` in a table by four dimensions) describes the same people: `cell_ids`
names it the same way in both, which is how protection is kept consistent across the tables of
a dataset.

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({"SEX": ["F", "M", TOTAL], "count": [2, 3, 5],
...                       "value": [2.0, 3.0, 5.0]})
>>> table = Table(id="T0", dimensions=("SEX",), frame=frame)
>>> relations(table).to_dict("list")
{'relation': [0, 0, 0], 'row': [0, 1, 2], 'coefficient': [1, 1, -1]}
>>> list(cell_ids(table))
['SEX=F', 'SEX=M', '']
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import pandas as pd  # type: ignore[import-untyped]  # no pandas-stubs pinned here

TOTAL = "_T"
"""The SDMX code of a total (``_T``), used in the dimension columns of margins."""

KEY_MODULUS = 2**32
"""Record keys are integers in [0, 2**32); a cell key is their sum modulo this, over it."""


class TableLike(Protocol):
    """Anything with a table's identity and structure: a `Table` or a published table."""

    @property
    def id(self) -> str: ...

    @property
    def dimensions(self) -> tuple[str, ...]: ...

    @property
    def frame(self) -> pd.DataFrame: ...

    @property
    def parents(self) -> Mapping[str, Mapping[str, str]]: ...


@dataclass(frozen=True)
class Table:
    """One tabulated table: cells with counts, weighted values and (optionally) cell keys.

    Parameters
    ----------
    id : str
        The table's id in the specification.
    dimensions : tuple of str
        Dimension ids, in the specification's order; also the first columns of ``frame``.
    frame : pandas.DataFrame
        One row per cell (see the module's documentation for the columns).
    parents : mapping, optional
        For each dimension with a hierarchy: code → parent code (``"MEX" → "019"``).
    """

    id: str
    dimensions: tuple[str, ...]
    frame: pd.DataFrame
    parents: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    @property
    def cells(self) -> int:
        """The number of cells, margins included."""
        return len(self.frame)


def parent_codes(table: TableLike, dimension: str) -> pd.Series:
    """Each non-total code of a dimension in the table, mapped to its parent code.

    Examples
    --------
    >>> frame = pd.DataFrame({"C": ["MEX", "019", TOTAL], "count": [1, 1, 1],
    ...                       "value": [1.0, 1.0, 1.0]})
    >>> table = Table(id="T", dimensions=("C",), frame=frame, parents={"C": {"MEX": "019"}})
    >>> parent_codes(table, "C").to_dict()
    {'019': '_T', 'MEX': '019'}
    """
    codes = sorted(set(table.frame[dimension].unique()) - {TOTAL})
    mapping = table.parents.get(dimension, {})
    return pd.Series([mapping.get(code, TOTAL) for code in codes], index=codes, dtype=object)


def relations(table: TableLike) -> pd.DataFrame:
    """The table's linear relations, in coordinate form: along each dimension, a cell is the sum
    of its children (its codes' children, the other dimensions held fixed).

    Returns
    -------
    pandas.DataFrame
        Columns ``relation`` (int64: the relation's number, 0…r-1), ``row`` (int64: the
        position of a cell in ``table.frame``) and ``coefficient`` (int64: +1 for a child,
        -1 for the total it adds up to). Each relation says ``sum of coefficient * cell = 0``.

    Examples
    --------
    >>> frame = pd.DataFrame({"A": ["a", "a", TOTAL, TOTAL], "B": ["b", TOTAL, "b", TOTAL],
    ...                       "count": [4, 4, 4, 4], "value": [4.0, 4.0, 4.0, 4.0]})
    >>> rel = relations(Table(id="T", dimensions=("A", "B"), frame=frame))
    >>> rel.groupby("relation")["coefficient"].sum().tolist()
    [0, 0, 0, 0]
    >>> len(rel), rel["relation"].nunique()
    (8, 4)
    """
    frame = table.frame
    dims = list(table.dimensions)
    positions = pd.Series(np.arange(len(frame), dtype=np.int64))
    # The position of every cell, found by its codes.
    index = pd.MultiIndex.from_frame(frame[dims].astype(str))
    lookup = pd.Series(positions.to_numpy(), index=index)
    relation_ids: list[np.ndarray] = []
    rows: list[np.ndarray] = []
    coefficients: list[np.ndarray] = []
    next_id = 0
    for dimension in dims:
        children = frame.loc[frame[dimension] != TOTAL, dims].astype(str)
        if children.empty:
            continue
        parents = parent_codes(table, dimension)
        parent_cells = children.copy()
        parent_cells[dimension] = parents.reindex(children[dimension].to_numpy()).to_numpy()
        parent_positions = lookup.reindex(pd.MultiIndex.from_frame(parent_cells)).to_numpy()
        if np.isnan(parent_positions.astype(float)).any():
            missing = parent_cells[np.isnan(parent_positions.astype(float))].iloc[0].to_dict()
            raise ValueError(f"table {table.id}: the cell {missing} is missing")
        parent_positions = parent_positions.astype(np.int64)
        codes, uniques = pd.factorize(parent_positions)
        relation_ids.append(codes.astype(np.int64) + next_id)
        rows.append(children.index.to_numpy(dtype=np.int64))
        coefficients.append(np.ones(len(children), dtype=np.int64))
        relation_ids.append(np.arange(len(uniques), dtype=np.int64) + next_id)
        rows.append(np.asarray(uniques, dtype=np.int64))
        coefficients.append(-np.ones(len(uniques), dtype=np.int64))
        next_id += len(uniques)
    if not rows:
        return pd.DataFrame(
            {
                "relation": np.array([], dtype=np.int64),
                "row": np.array([], dtype=np.int64),
                "coefficient": np.array([], dtype=np.int64),
            }
        )
    return pd.DataFrame(
        {
            "relation": np.concatenate(relation_ids),
            "row": np.concatenate(rows),
            "coefficient": np.concatenate(coefficients),
        }
    )


def cell_ids(table: TableLike) -> pd.Series:
    """A name for each cell that is the same in every table of a dataset: the non-total
    dimensions and their codes, sorted by dimension (``"COUNTRY=MEX;SEX=F"``), ``""`` for
    the grand total.

    Examples
    --------
    >>> frame = pd.DataFrame({"SEX": ["F", TOTAL], "AGE": [TOTAL, "Y_GE65"],
    ...                       "count": [1, 1], "value": [1.0, 1.0]})
    >>> list(cell_ids(Table(id="T", dimensions=("SEX", "AGE"), frame=frame)))
    ['SEX=F', 'AGE=Y_GE65']
    """
    frame = table.frame
    parts = []
    for dimension in sorted(table.dimensions):
        column = frame[dimension].astype(str)
        parts.append(np.where(column == TOTAL, "", dimension + "=" + column))
    if not parts:
        return pd.Series([""] * len(frame), index=frame.index, dtype=object)
    joined = [";".join(part for part in cell if part) for cell in zip(*parts, strict=True)]
    return pd.Series(joined, index=frame.index, dtype=object)


def check_table(table: Table) -> None:
    """Raise ValueError unless the table keeps the contract above (columns, types, margins).

    Examples
    --------
    >>> frame = pd.DataFrame({"SEX": ["F", TOTAL], "count": [1, 1], "value": [1.0, 1.0]})
    >>> check_table(Table(id="T", dimensions=("SEX",), frame=frame))
    >>> bad = frame.assign(count=[1, 2])
    >>> check_table(Table(id="T", dimensions=("SEX",), frame=bad))
    Traceback (most recent call last):
    ...
    ValueError: table T: 1 relations do not add up in count
    """
    frame = table.frame
    for dimension in table.dimensions:
        if dimension not in frame.columns:
            raise ValueError(f"table {table.id}: no column {dimension}")
    if frame["count"].dtype != np.int64 or frame["value"].dtype != np.float64:
        raise ValueError(f"table {table.id}: count must be int64 and value float64")
    if frame.duplicated(list(table.dimensions)).any():
        raise ValueError(f"table {table.id}: a cell appears twice")
    rel = relations(table)
    for column in ("count", "value"):
        sums = (
            (frame[column].to_numpy()[rel["row"].to_numpy()] * rel["coefficient"].to_numpy())
            if len(rel)
            else np.array([])
        )
        totals = pd.Series(sums).groupby(rel["relation"].to_numpy()).sum()
        wrong = int((totals.abs() > 1e-6 * max(1.0, float(frame[column].abs().max()))).sum())
        if wrong:
            raise ValueError(f"table {table.id}: {wrong} relations do not add up in {column}")
