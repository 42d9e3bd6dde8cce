"""Tabulation: microdata to every cell of every table of a specification, margins included.

`tabulate` counts each table of a `Spec` over a CSV or Parquet file with one of two engines
that give identical counts and cell keys:

- ``"duckdb"`` (default): one scan of the file per table, a ``GROUP BY CUBE`` over the
  dimensions, each dimension coded as a DuckDB ``ENUM`` (values mapped by a hash join with a
  small code table, numbers binned by a ``CASE``);
- ``"spark"``: the same plan on Apache Spark (``pyspark``), for microdata beyond one machine
  (`solidarity.stats.privacy._spark`).

The engine returns the cells it saw; what follows is common to both and works on cells, never
on records: every combination of codes is completed (empty cells get a count of 0), the
subtotals of hierarchies are added (a region is the sum of its countries), and the rows are
sorted. See `tables` for the resulting `Table`.

With ``record_keys`` (the path of the dataset's keys file, from `keys.ensure_record_keys`)
each record's integer key is joined to it and every cell gets its cell key: the sum of its
records' keys modulo 2**32 (integer arithmetic, so the result does not depend on the order in
which an engine adds) divided by 2**32.

Examples
--------
>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> _ = (folder / "people.csv").write_text("sex,age\\nMale,30\\nFemale,70\\nFemale,20\\n")
>>> from solidarity.stats.privacy.spec import parse_spec
>>> spec = parse_spec({"dataset": "demo", "microdata": "people.csv",
...     "dimensions": {"SEX": {"column": "sex", "codes": {"Male": "M", "Female": "F"}},
...                    "AGE": {"column": "age", "bins": [[0, 64, "Y_LT65"], [65, None, "Y_GE65"]]}},
...     "tables": [{"id": "T1", "dimensions": ["SEX", "AGE"]}]}, file="spec.yaml", base=folder)
>>> table = tabulate(spec)["T1"]
>>> print(table.frame[["SEX", "AGE", "count"]].to_string(index=False))
SEX    AGE  count
  M Y_LT65      1
  M Y_GE65      0
  M     _T      1
  F Y_LT65      1
  F Y_GE65      1
  F     _T      2
 _T Y_LT65      2
 _T Y_GE65      1
 _T     _T      3
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Literal

import duckdb
import numpy as np
import pandas as pd  # type: ignore[import-untyped]  # no pandas-stubs pinned here

from .errors import MicrodataError
from .microdata import (
    Microdata,
    first_bad_number,
    first_uncoded,
    open_microdata,
    quote_identifier,
)
from .spec import DimensionSpec, Spec, TableSpec
from .tables import KEY_MODULUS, TOTAL, Table

__all__ = ["ENGINES", "Progress", "tabulate"]

Engine = Literal["duckdb", "spark"]
ENGINES: tuple[str, ...] = ("duckdb", "spark")

Progress = Callable[[int, int, str], None]
"""Called as ``progress(done, total, label)`` after each step (a table tabulated)."""

KEY_COLUMN = "__solidarity_key"
ROW_COLUMN = "__solidarity_row"
RECORD_ID_COLUMN = "__solidarity_record_id"
_CODE = re.compile(r"^[A-Za-z0-9_@$\-]+$")
MAX_DISCOVERED_CODES = 10_000


def tabulate(
    spec: Spec,
    microdata_path: str | Path | None = None,
    *,
    engine: Engine | str = "duckdb",
    record_keys: str | Path | None = None,
    progress: Progress | None = None,
    timings: dict[str, float] | None = None,
) -> dict[str, Table]:
    """Count every cell of every table of the specification.

    Parameters
    ----------
    spec : Spec
    microdata_path : path, optional
        The microdata file; the specification's ``microdata.path`` when None.
    engine : {"duckdb", "spark"}
    record_keys : path, optional
        The dataset's record keys (a Parquet file written by `keys.ensure_record_keys`);
        when given, each table has a ``record_key_sum`` column (the cell key).
    progress : callable, optional
        ``progress(done, total, label)``, called after each table.
    timings : dict, optional
        Filled with seconds per step (``"<table id>"``, ``"complete"``).

    Returns
    -------
    dict of table id to Table, in the specification's order.

    Raises
    ------
    MicrodataError
        The file is missing, empty, not UTF-8 or not CSV/Parquet; a column is missing; a value
        cannot be coded (named with its row); a weight is not a number; there are no records.
    """
    path = Path(microdata_path) if microdata_path is not None else None
    keys = Path(record_keys) if record_keys is not None else None
    timings = timings if timings is not None else {}
    connection = duckdb.connect()
    try:
        microdata = open_microdata(spec, path, connection)
        leaf_codes = _leaf_codes(spec, microdata, connection)
        if engine == "duckdb":
            raw = _duckdb_cells(spec, microdata, leaf_codes, keys, connection, progress, timings)
        elif engine == "spark":
            from ._spark import spark_cells

            raw = spark_cells(spec, microdata, leaf_codes, keys, progress, timings)
        else:
            raise ValueError(f"unknown engine {engine!r}: use one of {', '.join(ENGINES)}")
        for table_spec in spec.tables:
            _check_cells(spec, table_spec, raw[table_spec.id], microdata, connection)
    finally:
        connection.close()
    started = time.perf_counter()
    tables = {
        t.id: complete_table(spec, t, raw[t.id], leaf_codes, with_keys=keys is not None)
        for t in spec.tables
    }
    timings["complete"] = time.perf_counter() - started
    return tables


def _leaf_codes(
    spec: Spec, microdata: Microdata, connection: duckdb.DuckDBPyConnection
) -> dict[str, list[str]]:
    """Each used dimension's codes: its public codelist, or the values found in the file."""
    used = {d for t in spec.tables for d in t.dimensions}
    codes: dict[str, list[str]] = {}
    discover = [spec.dimensions[d] for d in sorted(used) if spec.dimensions[d].codelist is None]
    if discover:
        selects = ", ".join(
            f"list(DISTINCT CAST({quote_identifier(d.column)} AS VARCHAR))" for d in discover
        )
        try:
            query = f"SELECT {selects} FROM {microdata.scan_sql()}"  # noqa: S608
            found = connection.execute(query).fetchone()
        except duckdb.Error as error:
            from .microdata import read_error

            raise read_error(error, str(microdata.path), microdata.format) from None
        assert found is not None
        for dimension, values in zip(discover, found, strict=True):
            values = sorted(values or [])
            if len(values) > MAX_DISCOVERED_CODES:
                raise MicrodataError(
                    f"has {len(values)} distinct values: too many for dimension {dimension.id}",
                    file=str(microdata.path),
                    column=dimension.column,
                )
            for value in values:
                if not _CODE.match(value) or value == TOTAL:
                    raise MicrodataError(
                        f"cannot be a code of {dimension.id} (codes are letters, digits, '_', "
                        "'-', '@' or '$'): map the values to codes under codes",
                        file=str(microdata.path),
                        column=dimension.column,
                        value=value,
                    )
            codes[dimension.id] = values
    for name in sorted(used):
        dimension = spec.dimensions[name]
        if dimension.codelist is not None:
            codes[name] = list(dimension.codelist)
        if dimension.hierarchy is not None:
            for code in codes[name]:
                if code not in dimension.hierarchy:
                    raise MicrodataError(
                        f"code {code!r} of {name} has no place in the hierarchy "
                        f"({dimension.hierarchy.source}): add it under hierarchy.parents",
                        file=str(microdata.path),
                        column=dimension.column,
                        value=code,
                    )
    return codes


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _enum_name(dimension: str) -> str:
    return quote_identifier(f"__solidarity_enum_{dimension}")


def _duckdb_cells(
    spec: Spec,
    microdata: Microdata,
    leaf_codes: Mapping[str, Sequence[str]],
    keys: Path | None,
    connection: duckdb.DuckDBPyConnection,
    progress: Progress | None,
    timings: dict[str, float],
) -> dict[str, pd.DataFrame]:
    for name, codes in leaf_codes.items():
        connection.execute(
            f"CREATE TYPE {_enum_name(name)} AS ENUM ({', '.join(map(_sql_text, codes))})"
        )
        dimension = spec.dimensions[name]
        if dimension.bins is None:
            mapping = dimension.codes or {code: code for code in codes}
            table = quote_identifier(f"__solidarity_map_{name}")
            connection.execute(
                f"CREATE TABLE {table} (raw VARCHAR PRIMARY KEY, code {_enum_name(name)})"
            )
            insert = f"INSERT INTO {table} VALUES (?, ?)"  # noqa: S608
            connection.executemany(insert, list(mapping.items()))
    results: dict[str, pd.DataFrame] = {}
    for number, table_spec in enumerate(spec.tables, start=1):
        started = time.perf_counter()
        sql = duckdb_table_sql(spec, table_spec, microdata, keys)
        try:
            results[table_spec.id] = connection.sql(sql).df()
        except duckdb.Error as error:
            from .microdata import read_error

            raise read_error(error, str(microdata.path), microdata.format) from None
        timings[table_spec.id] = time.perf_counter() - started
        if progress is not None:
            progress(number, len(spec.tables), table_spec.id)
    return results


def duckdb_table_sql(
    spec: Spec, table_spec: TableSpec, microdata: Microdata, keys: Path | None
) -> str:
    """The one query (one scan) that counts a table: codes, then ``GROUP BY CUBE``.

    Its result has per dimension the code (NULL in a margin) and ``__g_<dim>`` (1 in a
    margin), then ``count``, ``value``, ``key_mod`` (NULL without keys) and ``bad_weight``.
    """
    source = microdata.scan_sql()
    joins = []
    if keys is not None:
        keys_scan = f"read_parquet({_sql_text(str(keys))})"
        if spec.record_id is None:
            # Keys are kept in file order: the n-th key is the n-th record's.
            source = f"(SELECT * FROM {source} POSITIONAL JOIN {keys_scan})"  # noqa: S608
        else:
            joins.append(
                f"LEFT JOIN {keys_scan} AS k ON CAST(r.{quote_identifier(spec.record_id)} "
                f"AS VARCHAR) = k.{RECORD_ID_COLUMN}"
            )
    selects = []
    for name in table_spec.dimensions:
        dimension = spec.dimensions[name]
        column = f"r.{quote_identifier(dimension.column)}"
        if dimension.bins is not None:
            number = f"TRY_CAST({column} AS DOUBLE)"
            cases = []
            for one in dimension.bins:
                tests = []
                if one.low is not None:
                    tests.append(f"{number} >= {one.low!r}")
                if one.high is not None:
                    tests.append(f"{number} <= {one.high!r}")
                condition = " AND ".join(tests) or f"{number} IS NOT NULL"
                cases.append(f"WHEN {condition} THEN {_sql_text(one.code)}")
            coded = f"CAST(CASE {' '.join(cases)} END AS {_enum_name(name)})"
            selects.append(f"{coded} AS {quote_identifier(name)}")
        else:
            alias = quote_identifier(f"m_{name}")
            joins.append(
                f"LEFT JOIN {quote_identifier(f'__solidarity_map_{name}')} AS {alias} "
                f"ON CAST({column} AS VARCHAR) = {alias}.raw"
            )
            selects.append(f"{alias}.code AS {quote_identifier(name)}")
    if spec.weight is not None:
        selects.append(f"TRY_CAST(r.{quote_identifier(spec.weight)} AS DOUBLE) AS __w")
    else:
        selects.append("1.0 AS __w")
    selects.append(f"{KEY_COLUMN} AS __k" if keys is not None else "NULL::BIGINT AS __k")
    dims = ", ".join(quote_identifier(d) for d in table_spec.dimensions)
    groupings = ", ".join(
        f"GROUPING({quote_identifier(d)}) AS {quote_identifier('__g_' + d)}"
        for d in table_spec.dimensions
    )
    return (
        f"SELECT {dims}, {groupings}, count(*) AS count, sum(__w) AS value, "  # noqa: S608
        f"CAST(sum(__k) % {KEY_MODULUS} AS BIGINT) AS key_mod, "
        "count(*) FILTER (WHERE __w IS NULL OR __w < 0 OR isnan(__w)) AS bad_weight, "
        "count(*) FILTER (WHERE __k IS NULL) AS missing_key "
        f"FROM (SELECT {', '.join(selects)} FROM {source} AS r {' '.join(joins)}) "
        f"GROUP BY CUBE ({dims})"
    )


def _check_cells(
    spec: Spec,
    table_spec: TableSpec,
    cells: pd.DataFrame,
    microdata: Microdata,
    connection: duckdb.DuckDBPyConnection,
) -> None:
    """Turn what an engine's cells reveal (uncoded values, bad weights, no records) into the
    error that names the first offending record."""
    for name in table_spec.dimensions:
        uncoded = cells[name].isna() & (cells[f"__g_{name}"] == 0)
        if uncoded.any():
            raise first_uncoded(microdata, spec.dimensions[name], connection)
    total = cells
    for name in table_spec.dimensions:
        total = total[total[f"__g_{name}"] == 1]
    if total.empty or int(total["count"].iloc[0]) == 0:
        raise MicrodataError("holds no records", file=str(microdata.path))
    if spec.weight is not None and int(total["bad_weight"].iloc[0]) > 0:
        raise first_bad_number(microdata, spec.weight, connection)
    if "missing_key" in total and int(total["missing_key"].iloc[0]) > 0 and spec.record_id:
        raise MicrodataError(
            "some records have no record key: run with the cell key method again to assign them",
            file=str(microdata.path),
            column=spec.record_id,
        )


def complete_table(
    spec: Spec,
    table_spec: TableSpec,
    cells: pd.DataFrame,
    leaf_codes: Mapping[str, Sequence[str]],
    *,
    with_keys: bool,
) -> Table:
    """An engine's cells made into a `Table`: totals coded `TOTAL`, every combination of codes
    present (0 where no record is), hierarchy subtotals added, rows sorted."""
    dims = list(table_spec.dimensions)
    frame = pd.DataFrame(index=cells.index)
    for name in dims:
        frame[name] = np.where(
            cells[f"__g_{name}"].to_numpy() == 1, TOTAL, cells[name].astype(object).to_numpy()
        )
    frame["count"] = cells["count"].astype(np.int64)
    frame["value"] = cells["value"].astype(np.float64)
    frame["key_mod"] = (
        cells["key_mod"].fillna(0).astype(np.int64) if with_keys else np.zeros(len(cells), int)
    )
    grid = pd.MultiIndex.from_product([[*leaf_codes[d], TOTAL] for d in dims], names=dims).to_frame(
        index=False
    )
    full = grid.merge(frame, on=dims, how="left", validate="one_to_one")
    full = full.fillna({"count": 0, "value": 0.0, "key_mod": 0})
    full["count"] = full["count"].astype(np.int64)
    full["value"] = full["value"].astype(np.float64)
    full["key_mod"] = full["key_mod"].astype(np.int64)
    parents: dict[str, dict[str, str]] = {}
    order: dict[str, list[str]] = {}
    for name in dims:
        hierarchy = spec.dimensions[name].hierarchy
        leaves = list(leaf_codes[name])
        if hierarchy is None:
            order[name] = [*leaves, TOTAL]
            continue
        pairs = [(leaf, ancestor) for leaf in leaves for ancestor in hierarchy.ancestors(leaf)]
        inner = sorted({ancestor for _, ancestor in pairs})
        parents[name] = {
            code: hierarchy.parents[code] for code in [*leaves, *inner] if code in hierarchy.parents
        }
        order[name] = [*leaves, *inner, TOTAL]
        expansion = pd.DataFrame(pairs, columns=[name, "__ancestor"])
        below = full[full[name].isin(leaves)].merge(expansion, on=name)
        below[name] = below["__ancestor"]
        subtotals = (
            below.groupby(dims, sort=False)[["count", "value", "key_mod"]].sum().reset_index()
        )
        full = pd.concat([full, subtotals], ignore_index=True)
    full["key_mod"] = full["key_mod"] % KEY_MODULUS
    for name in dims:
        full[name] = pd.Categorical(full[name], categories=order[name], ordered=True)
    full = full.sort_values(dims, kind="stable").reset_index(drop=True)
    for name in dims:
        full[name] = full[name].astype(str).astype(object)
    if with_keys:
        full["record_key_sum"] = full["key_mod"].astype(np.float64) / KEY_MODULUS
    full = full.drop(columns="key_mod")
    return Table(id=table_spec.id, dimensions=tuple(dims), frame=full, parents=parents)


def dimension_of(spec: Spec, name: str) -> DimensionSpec:
    """The specification of a dimension (a small helper the engines share)."""
    return spec.dimensions[name]
