"""Tabulation: microdata to every cell of every table of a specification, margins included.

`tabulate` counts each table of a `Spec` over a CSV or Parquet file with one of two engines
that give identical counts and cell keys:

- ``"duckdb"`` (default): the file is read and every record coded once — each dimension a
  DuckDB ``ENUM`` (values cast to it, numbers binned by a ``CASE``) — and the finest cells of
  every table are counted in that one pass, batch by batch, with ``numpy.bincount`` into
  dense arrays, record keys read beside the records, batch by batch (`_duckdb_cells`);
- ``"spark"``: the same plan on Apache Spark (``pyspark``), for microdata beyond one machine
  (`solidarity.stats.privacy._spark`).

The engine returns the finest cells it saw; what follows is common to both and works on cells,
never on records: every combination of codes is completed (empty cells get a count of 0),
every margin and the subtotals of hierarchies are added up (a region is the sum of its
countries; integer sums, so exact), and the rows are sorted. See `tables` for the resulting `Table`.

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
import pyarrow.parquet as pq  # type: ignore[import-untyped]  # pyarrow ships no type information

from .errors import MicrodataError
from .microdata import (
    Microdata,
    first_bad_number,
    first_uncoded,
    open_microdata,
    quote_identifier,
    read_error,
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
        if engine not in ENGINES:
            raise ValueError(f"unknown engine {engine!r}: use one of {', '.join(ENGINES)}")
        microdata = open_microdata(spec, path, connection)
        public_codes = {
            name: list(dimension.codelist)
            for name, dimension in spec.dimensions.items()
            if dimension.codelist is not None
        }
        if engine == "duckdb":
            raw = _duckdb_cells(spec, microdata, public_codes, keys, connection, progress, timings)
        else:
            from ._spark import spark_cells

            raw = spark_cells(spec, microdata, public_codes, keys, progress, timings)
        for table_spec in spec.tables:
            _check_cells(spec, table_spec, raw[table_spec.id], microdata, connection)
        leaf_codes = _leaf_codes(spec, microdata, raw)
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
    spec: Spec, microdata: Microdata, cells: Mapping[str, pd.DataFrame]
) -> dict[str, list[str]]:
    """Each used dimension's codes: its public codelist, or the values the engine found (a
    dimension without a codelist is grouped on its values, which must then be valid codes)."""
    used = [d for d in spec.dimensions if any(d in t.dimensions for t in spec.tables)]
    codes: dict[str, list[str]] = {}
    for name in used:
        dimension = spec.dimensions[name]
        if dimension.codelist is not None:
            codes[name] = list(dimension.codelist)
            continue
        found: set[str] = set()
        for table_spec in spec.tables:
            if name in table_spec.dimensions:
                frame = cells[table_spec.id]
                values = frame.loc[frame[f"__g_{name}"] == 0, name]
                found.update(str(value) for value in values.dropna().unique())
        values = sorted(found)
        if len(values) > MAX_DISCOVERED_CODES:
            raise MicrodataError(
                f"has {len(values)} distinct values: too many for dimension {name}",
                file=str(microdata.path),
                column=dimension.column,
            )
        for value in values:
            if not _CODE.match(value) or value == TOTAL:
                raise MicrodataError(
                    f"cannot be a code of {name} (codes are letters, digits, '_', '-', '@' or "
                    "'$'): map the values to codes under codes",
                    file=str(microdata.path),
                    column=dimension.column,
                    value=value,
                )
        codes[name] = values
    for name in used:
        hierarchy = spec.dimensions[name].hierarchy
        if hierarchy is None:
            continue
        for code in codes[name]:
            if code not in hierarchy:
                raise MicrodataError(
                    f"code {code!r} of {name} has no place in the hierarchy "
                    f"({hierarchy.source}): add it under hierarchy.parents",
                    file=str(microdata.path),
                    column=spec.dimensions[name].column,
                    value=code,
                )
    return codes


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _enum_name(dimension: str) -> str:
    return quote_identifier(f"__solidarity_enum_{dimension}")


def _used_dimensions(spec: Spec) -> list[str]:
    return [d for d in spec.dimensions if any(d in t.dimensions for t in spec.tables)]


def _duckdb_cells(
    spec: Spec,
    microdata: Microdata,
    public_codes: Mapping[str, Sequence[str]],
    keys: Path | None,
    connection: duckdb.DuckDBPyConnection,
    progress: Progress | None,
    timings: dict[str, float],
) -> dict[str, pd.DataFrame]:
    """Read and code every record once, and count the finest cells of every table in that pass.

    DuckDB reads the file (in parallel, in file order) and codes each dimension as an ENUM —
    numbers binned by a ``CASE``, other values cast — handing over each record's codes as the
    ENUM's position, one byte or two per dimension, in batches of Arrow arrays. A batch's
    records are placed in each table's dense array of cells (one axis per dimension, an extra
    position for values without a code) by ``numpy.bincount``: counts, weights, and the record
    keys' sums, which are exact (see `_BATCH`). Record keys identified by row are the keys
    file's column read beside the records, batch by batch (no join: the n-th key is the n-th
    record's, and the scan keeps the file's order); identified by a record id column, they are
    joined in DuckDB.

    Only tables whose dimensions no other table includes are counted from records; the finest
    cells of the others are sums of those cells (a country by sex cell is the sum of its region
    by country by sex cells), integers, so exact. A dimension mapped by ``codes:`` is coded as
    an ENUM of its *values* and its values are turned into codes on the counted cells
    (`_apply_codes`). ENUMs need their values before the scan: a first, cheap scan finds those
    of dimensions without a codelist.
    """
    used = _used_dimensions(spec)
    enums: dict[str, list[str]] = {}
    for name in used:
        dimension = spec.dimensions[name]
        if dimension.codes is not None:
            enums[name] = list(dimension.codes)
        elif name in public_codes:
            enums[name] = list(public_codes[name])
    started = time.perf_counter()
    discover = [name for name in used if name not in enums]
    if discover:
        selects = ", ".join(
            f"list(DISTINCT CAST({quote_identifier(spec.dimensions[d].column)} AS VARCHAR))"
            for d in discover
        )
        query = f"SELECT {selects} FROM {microdata.scan_sql()}"  # noqa: S608
        try:
            found = connection.execute(query).fetchone()
        except duckdb.Error as error:
            raise read_error(error, str(microdata.path), microdata.format) from None
        assert found is not None
        for name, values in zip(discover, found, strict=True):
            enums[name] = sorted(str(v) for v in (values or []))[: MAX_DISCOVERED_CODES + 1]
    timings["discover"] = time.perf_counter() - started
    for name, codes in enums.items():
        connection.execute(
            f"CREATE TYPE {_enum_name(name)} AS ENUM ({', '.join(map(_sql_text, codes))})"
        )
    started = time.perf_counter()
    by_row = keys is not None and spec.record_id is None
    record_keys = _KeysByRow(keys) if by_row and keys is not None else None
    counters = _counters(spec, enums, keyed=keys is not None, weighted=spec.weight is not None)
    # Positional keys follow the records only if the scan keeps the file's order.
    connection.execute("SET preserve_insertion_order = true")
    # DuckDB 2.0 pushes a TRY_CAST of a CSV column read only through it into the reader as a
    # strict cast, which fails on the first value that is not a number instead of giving NULL
    # (then reported with its row by `first_uncoded`).
    connection.execute("SET disabled_optimizers = 'type_pushdown'")
    query = counting_sql(spec, microdata, used, enums, keys if not by_row else None)
    records = 0
    try:
        reader = connection.sql(query).to_arrow_reader(_BATCH)
        for batch in reader:
            for start in range(0, batch.num_rows, _BATCH):
                part = batch.slice(start, _BATCH)
                size = part.num_rows
                positions = {name: part.column(name).to_numpy() for name in used}
                weight = part.column("__w").to_numpy(zero_copy_only=False) if spec.weight else None
                if record_keys is not None:
                    key = record_keys.take(size)
                    if len(key) < size:
                        raise _missing_keys(microdata, record_keys.total)
                elif keys is not None:
                    key = part.column("__k").to_numpy()
                else:
                    key = None
                for counter in counters:
                    counter.add(positions, weight, key)
                records += size
    except duckdb.Error as error:
        raise read_error(error, str(microdata.path), microdata.format) from None
    if record_keys is not None and records != record_keys.total:
        raise _missing_keys(microdata, record_keys.total)
    timings["code"] = time.perf_counter() - started
    results: dict[str, pd.DataFrame] = {}
    for number, table_spec in enumerate(spec.tables, start=1):
        started = time.perf_counter()
        cells = _cells_of(table_spec, counters, enums)
        results[table_spec.id] = _apply_codes(spec, table_spec, cells)
        timings[table_spec.id] = time.perf_counter() - started
        if progress is not None:
            progress(number, len(spec.tables), table_spec.id)
    return results


_BATCH = 1 << 21
"""Records per batch: 2**21 keys below 2**32 add up to less than 2**53, so the keys' sums that
``numpy.bincount`` makes in floating point are exact integers, batch by batch (then added up
as 64-bit integers)."""


class _KeysByRow:
    """The keys file's keys in file order, as unsigned 32-bit integers, handed out as the
    records come: only a batch or two of keys is in memory at a time, whatever the records."""

    def __init__(self, path: Path) -> None:
        keys_file = pq.ParquetFile(path)
        self.total = int(keys_file.metadata.num_rows)
        # Row group by row group: ``iter_batches`` reads ahead and keeps the whole column.
        self._batches = (
            keys_file.read_row_group(group, columns=[KEY_COLUMN])
            for group in range(keys_file.num_row_groups)
        )
        self._left = np.empty(0, dtype=np.uint32)

    def take(self, size: int) -> np.ndarray:
        """The next ``size`` keys (fewer when the file has no more)."""
        parts = [self._left]
        held = len(self._left)
        while held < size:
            batch = next(self._batches, None)
            if batch is None:
                break
            part = np.asarray(batch.column(0).to_numpy(), dtype=np.uint32)
            parts.append(part)
            held += len(part)
        keys = np.concatenate(parts) if len(parts) > 1 else parts[0]
        self._left = keys[size:]
        return keys[:size]


def _missing_keys(microdata: Microdata, kept: int) -> MicrodataError:
    return MicrodataError(
        f"does not have the {kept} records the dataset's record keys were drawn for: run with "
        "the cell key method again to assign keys to new records (records can only be "
        "appended to a dataset identified by row)",
        file=str(microdata.path),
    )


class _Counter:
    """The dense cells of one table, filled batch by batch: one axis per dimension, the last
    position of each for records whose value has no code."""

    def __init__(
        self, dimensions: Sequence[str], sizes: Sequence[int], *, keyed: bool, weighted: bool
    ) -> None:
        self.dimensions = tuple(dimensions)
        self.shape = tuple(size + 1 for size in sizes)
        cells = int(np.prod(self.shape))
        self.count = np.zeros(cells, dtype=np.int64)
        self.key_sum = np.zeros(cells, dtype=np.int64) if keyed else None
        self.missing_key = np.zeros(cells, dtype=np.int64) if keyed else None
        self.value = np.zeros(cells, dtype=np.float64) if weighted else None
        self.bad_weight = np.zeros(cells, dtype=np.int64) if weighted else None

    def add(
        self,
        codes: Mapping[str, np.ndarray],
        weight: np.ndarray | None,
        key: np.ndarray | None,
    ) -> None:
        cells = len(self.count)
        # Positions as NumPy's index type: ``bincount`` would convert narrower ones at each call.
        flat: np.ndarray = codes[self.dimensions[0]].astype(np.intp)
        for name, size in zip(self.dimensions[1:], self.shape[1:], strict=True):
            np.multiply(flat, size, out=flat)
            np.add(flat, codes[name], out=flat)
        self.count += np.bincount(flat, minlength=cells)
        if self.value is not None and self.bad_weight is not None and weight is not None:
            bad = ~(weight >= 0)  # missing (NaN), not a number or negative
            self.value += np.bincount(flat, weights=np.where(bad, 0.0, weight), minlength=cells)
            self.bad_weight += np.bincount(flat[bad], minlength=cells)
        if self.key_sum is not None and self.missing_key is not None and key is not None:
            if key.dtype == np.int64:  # joined by record id: -1 where a record has no key
                missing = key < 0
                self.missing_key += np.bincount(flat[missing], minlength=cells)
                key = np.where(missing, 0, key)
            weights = key.astype(np.float64)
            self.key_sum += np.bincount(flat, weights=weights, minlength=cells).astype(np.int64)
            self.key_sum %= KEY_MODULUS


def _counters(
    spec: Spec, enums: Mapping[str, Sequence[str]], *, keyed: bool, weighted: bool
) -> list[_Counter]:
    """A counter per set of dimensions that no other table's dimensions include."""
    sets: list[frozenset[str]] = []
    counters = []
    for table_spec in spec.tables:
        own = frozenset(table_spec.dimensions)
        if own in sets or any(own < set(other.dimensions) for other in spec.tables):
            continue
        sets.append(own)
        dims = list(table_spec.dimensions)
        counters.append(
            _Counter(dims, [len(enums[d]) for d in dims], keyed=keyed, weighted=weighted)
        )
    return counters


def _cells_of(
    table_spec: TableSpec, counters: Sequence[_Counter], enums: Mapping[str, Sequence[str]]
) -> pd.DataFrame:
    """A table's non-empty finest cells, as the engines give them: per dimension its value
    (None for records without a code) and ``__g_<dim>`` (0), then ``count``, ``value``,
    ``key_mod`` (None without keys), ``bad_weight`` and ``missing_key``."""
    dims = list(table_spec.dimensions)
    counter = next(c for c in counters if set(dims) <= set(c.dimensions))
    others = tuple(i for i, d in enumerate(counter.dimensions) if d not in dims)
    kept = [d for d in counter.dimensions if d in dims]
    axes = [kept.index(d) for d in dims]

    def cells_of(array: np.ndarray) -> np.ndarray:
        array = array.reshape(counter.shape)
        if others:
            array = array.sum(axis=others)
        return np.transpose(array, axes).reshape(-1)

    count = cells_of(counter.count)
    present = np.flatnonzero(count)
    shape = tuple(counter.shape[counter.dimensions.index(d)] for d in dims)
    positions = np.unravel_index(present, shape)
    frame: dict[str, object] = {}
    for name, position in zip(dims, positions, strict=True):
        values = np.asarray([*enums[name], None], dtype=object)
        frame[name] = values[position]
    for name in dims:
        frame[f"__g_{name}"] = np.zeros(len(present), dtype=np.int64)
    frame["count"] = count[present]
    frame["value"] = (
        cells_of(counter.value)[present]
        if counter.value is not None
        else count[present].astype(np.float64)
    )
    if counter.key_sum is not None and counter.missing_key is not None:
        frame["key_mod"] = cells_of(counter.key_sum)[present] % KEY_MODULUS
        frame["missing_key"] = cells_of(counter.missing_key)[present]
    else:
        frame["key_mod"] = pd.array([None] * len(present), dtype="Int64")
        frame["missing_key"] = np.zeros(len(present), dtype=np.int64)
    frame["bad_weight"] = (
        cells_of(counter.bad_weight)[present]
        if counter.bad_weight is not None
        else np.zeros(len(present), dtype=np.int64)
    )
    return pd.DataFrame(frame)


def _apply_codes(spec: Spec, table_spec: TableSpec, cells: pd.DataFrame) -> pd.DataFrame:
    """Cells counted by values made into cells by codes: values sharing a code are added up
    (counts, values and key sums alike; each cell partitions its records, so sums are exact)."""
    mapped = [d for d in table_spec.dimensions if spec.dimensions[d].codes is not None]
    if not mapped:
        return cells
    cells = cells.copy()
    for name in mapped:
        codes = spec.dimensions[name].codes
        assert codes is not None
        values = cells[name].astype(object)
        cells[name] = values.map(codes, na_action="ignore").astype(object)
    dims = list(table_spec.dimensions)
    keys = [*dims, *[f"__g_{d}" for d in dims]]
    measures = [c for c in cells.columns if c not in keys]
    # NULL codes (margins, and values without a code) must stay groups of their own.
    grouped = cells.groupby(keys, dropna=False, sort=False)[measures].sum(min_count=1)
    return grouped.reset_index()


def coded_sql(
    spec: Spec, microdata: Microdata, dimensions: Sequence[str], keys: Path | None
) -> str:
    """The records, coded: one ENUM column per dimension (its type created beforehand), ``__w``
    (weight, when there is one) and ``__k`` (record key, with keys identified by a record id
    column: ``keys`` is then the keys file).

    Numbers are binned by ``CASE``, other values cast to the ENUM of the dimension's codes (or
    of its ``codes:`` map's values); NULL when a value has no place.
    """
    columns = list(
        dict.fromkeys(
            [spec.dimensions[d].column for d in dimensions]
            + [c for c in (spec.weight, spec.record_id) if c]
        )
    )
    source = microdata.scan_sql()
    wanted = [quote_identifier(c) for c in columns]
    # Numbers to bin are read once per record, not once per bin.
    wanted += [
        f"TRY_CAST({quote_identifier(spec.dimensions[d].column)} AS DOUBLE) AS "
        f"{quote_identifier('__n_' + d)}"
        for d in dimensions
        if spec.dimensions[d].bins is not None
    ]
    source = f"(SELECT {', '.join(wanted)} FROM {source})"  # noqa: S608
    joins = []
    if keys is not None:
        # Only keys identified by a record id are joined here; keys by row are not joined at
        # all (`_duckdb_cells`).
        keys_scan = f"read_parquet({_sql_text(str(keys))})"
        joins.append(
            f"LEFT JOIN {keys_scan} AS k ON CAST(r.{quote_identifier(spec.record_id or '')} "
            f"AS VARCHAR) = k.{RECORD_ID_COLUMN}"
        )
    selects = []
    for name in dimensions:
        dimension = spec.dimensions[name]
        column = f"r.{quote_identifier(dimension.column)}"
        if dimension.bins is not None:
            number = f"r.{quote_identifier('__n_' + name)}"
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
            selects.append(
                f"TRY_CAST(CAST({column} AS VARCHAR) AS {_enum_name(name)}) "
                f"AS {quote_identifier(name)}"
            )
    if spec.weight is not None:
        selects.append(f"TRY_CAST(r.{quote_identifier(spec.weight)} AS DOUBLE) AS __w")
    if keys is not None:
        selects.append(f"CAST({KEY_COLUMN} AS BIGINT) AS __k")
    return f"SELECT {', '.join(selects)} FROM {source} AS r {' '.join(joins)}"  # noqa: S608


def counting_sql(
    spec: Spec,
    microdata: Microdata,
    dimensions: Sequence[str],
    enums: Mapping[str, Sequence[str]],
    keys_by_id: Path | None,
) -> str:
    """The coded records as `_Counter` reads them: per dimension the position of its code in
    the ENUM (its number of values for a value without a code), ``__w`` (the weight, when there
    is one) and ``__k`` (the record key joined by record id, -1 when missing)."""
    selects = [
        f"coalesce(enum_code({quote_identifier(d)}), {len(enums[d])}) AS {quote_identifier(d)}"
        for d in dimensions
    ]
    if spec.weight is not None:
        selects.append("__w")
    if keys_by_id is not None:
        selects.append("coalesce(__k, -1) AS __k")
    coded = coded_sql(spec, microdata, dimensions, keys_by_id)
    return f"SELECT {', '.join(selects)} FROM ({coded})"  # noqa: S608


def _finest(table_spec: TableSpec, cells: pd.DataFrame) -> pd.DataFrame:
    """The cells at the finest level of every dimension (an engine may add margins)."""
    keep = np.ones(len(cells), dtype=bool)
    for name in table_spec.dimensions:
        keep &= cells[f"__g_{name}"].to_numpy() == 0
    return cells[keep]


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
    finest = _finest(table_spec, cells)
    if int(finest["count"].sum()) == 0:
        raise MicrodataError("holds no records", file=str(microdata.path))
    if spec.weight is not None and int(finest["bad_weight"].sum()) > 0:
        raise first_bad_number(microdata, spec.weight, connection)
    if int(finest["missing_key"].sum()) > 0 and spec.record_id:
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
    """An engine's cells made into a `Table`: every combination of codes present (0 where no
    record is), every margin (`TOTAL`) and hierarchy subtotal added, rows sorted.

    Works on dense arrays with one axis per dimension: the engine's finest cells are placed by
    their codes' positions; margins and a hierarchy's subtotals are sums along an axis —
    integers for counts and key sums, so exact. All on cells, never on records.
    """
    dims = list(table_spec.dimensions)
    cells = _finest(table_spec, cells)
    measures = {
        "count": cells["count"].to_numpy(dtype=np.int64),
        "value": cells["value"].to_numpy(dtype=np.float64),
        "key_mod": (
            cells["key_mod"].fillna(0).to_numpy(dtype=np.int64)
            if with_keys
            else np.zeros(len(cells), dtype=np.int64)
        ),
    }
    shape = tuple(len(leaf_codes[d]) for d in dims)
    positions = [
        pd.Categorical(cells[name], categories=list(leaf_codes[name])).codes.astype(np.int64)
        for name in dims
    ]
    flat = np.ravel_multi_index(positions, shape) if len(cells) else np.array([], dtype=np.int64)
    arrays = {}
    for measure, values in measures.items():
        array = np.zeros(int(np.prod(shape)), dtype=values.dtype)
        np.add.at(array, flat, values)
        array = array.reshape(shape)
        # Every margin: along each dimension in turn, the total is the sum of the codes (and
        # of the margins already added along the dimensions before it).
        for axis in range(len(dims)):
            array = np.concatenate([array, array.sum(axis=axis, keepdims=True)], axis=axis)
        arrays[measure] = array
    parents: dict[str, dict[str, str]] = {}
    axes: list[list[str]] = []
    for axis, name in enumerate(dims):
        hierarchy = spec.dimensions[name].hierarchy
        leaves = list(leaf_codes[name])
        if hierarchy is None:
            axes.append([*leaves, TOTAL])
            continue
        inner = sorted({ancestor for leaf in leaves for ancestor in hierarchy.ancestors(leaf)})
        parents[name] = {
            code: hierarchy.parents[code] for code in [*leaves, *inner] if code in hierarchy.parents
        }
        axes.append([*leaves, *inner, TOTAL])
        # below[i, j] = 1 when leaf j is under subtotal i (at any depth).
        below = np.zeros((len(inner), len(leaves)), dtype=np.int64)
        index = {code: i for i, code in enumerate(inner)}
        for j, leaf in enumerate(leaves):
            for ancestor in hierarchy.ancestors(leaf):
                below[index[ancestor], j] = 1
        for measure, array in arrays.items():
            leaf_part = np.take(array, range(len(leaves)), axis=axis)
            subtotals = np.moveaxis(
                np.tensordot(below.astype(array.dtype), leaf_part, axes=([1], [axis])), 0, axis
            )
            total = np.take(array, [len(leaves)], axis=axis)
            arrays[measure] = np.concatenate([leaf_part, subtotals, total], axis=axis)
    final_shape = tuple(len(codes) for codes in axes)
    grid = np.indices(final_shape).reshape(len(dims), -1)
    full = pd.DataFrame(
        {
            name: np.asarray(codes, dtype=object)[grid[i]]
            for i, (name, codes) in enumerate(zip(dims, axes, strict=True))
        }
    )
    full["count"] = arrays["count"].reshape(-1)
    full["value"] = arrays["value"].reshape(-1)
    if with_keys:
        full["record_key_sum"] = (arrays["key_mod"].reshape(-1) % KEY_MODULUS).astype(
            np.float64
        ) / KEY_MODULUS
    return Table(id=table_spec.id, dimensions=tuple(dims), frame=full, parents=parents)


def dimension_of(spec: Spec, name: str) -> DimensionSpec:
    """The specification of a dimension (a small helper the engines share)."""
    return spec.dimensions[name]
