"""The table specification: which microdata, which dimensions, which tables (YAML, validated).

The contract
------------
`load_spec` reads a YAML file into a `Spec` (or raises `SpecError` naming the file and the
key, e.g. ``spec.yaml, key dimensions.AGE.bins[1]: …``); `parse_spec` does the same for an
already-parsed mapping. A `Spec` holds the dataset's name (record keys and the privacy budget
are kept per dataset, in its state directory), the microdata file, an optional weight column,
the `DimensionSpec` of every dimension and the `TableSpec` of every table.

A dimension turns one column of the microdata into codes in one of three ways:

- ``codes: {raw value: code}`` maps values (compared as text, as written in the file) to codes;
  several values may share a code; a value not in the map is an error;
- ``bins: [[low, high, code], …]`` puts numbers into closed intervals (``null``: open); a value
  outside every bin is an error;
- neither: the values themselves are the codes; ``codelist: [code, …]`` then lists the codes
  allowed (a value not in it is an error).

A dimension's codelist (`DimensionSpec.codelist`) is public: it comes from the specification,
never from the data (the map's codes, the bins' codes, or ``codelist``); it is None when the
codes are whatever the microdata hold, which differential privacy refuses. A dimension may have
a hierarchy, which adds subtotals: ``hierarchy: m49-region`` (ISO 3166 alpha-3 country → UN M49
region), ``m49-subregion`` (country → M49 sub-region → region), or ``{path: file.csv}`` with
columns ``code,parent`` (an empty parent is the top), optionally with ``parents: {code:
parent}`` added to a built-in one. The M49 mapping is a data file of this package
(``data/m49_regions.csv``, see its PROVENANCE.md).

Examples
--------
>>> spec = parse_spec({
...     "dataset": "adult-1994",
...     "microdata": {"path": "people.csv"},
...     "dimensions": {
...         "SEX": {"column": "sex", "codes": {"Male": "M", "Female": "F"}},
...         "AGE": {"column": "age", "bins": [[0, 64, "Y_LT65"], [65, None, "Y_GE65"]]},
...     },
...     "tables": [{"id": "T1", "dimensions": ["SEX", "AGE"]}],
... }, file="spec.yaml")
>>> spec.dimensions["SEX"].codelist, spec.dimensions["AGE"].codelist
(('M', 'F'), ('Y_LT65', 'Y_GE65'))
>>> spec.tables[0].dimensions, spec.microdata.name
(('SEX', 'AGE'), 'people.csv')
>>> try:
...     parse_spec({"dataset": "x", "dimensions": {}, "tables": []}, file="spec.yaml")
... except SpecError as error:
...     print(error)
spec.yaml, key dimensions: must name at least one dimension
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from .errors import SpecError
from .tables import TOTAL

__all__ = [
    "BUILTIN_HIERARCHIES",
    "Bin",
    "DimensionSpec",
    "Hierarchy",
    "Spec",
    "SpecError",
    "TableSpec",
    "load_spec",
    "parse_spec",
]

_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_CODE = re.compile(r"^[A-Za-z0-9_@$\-]+$")
_DATASET = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
# Columns of the published SDMX-CSV files; a dimension may not take their names.
_RESERVED = {"STRUCTURE", "STRUCTURE_ID", "ACTION", "OBS_VALUE", "CONF_STATUS", "OBS_STATUS"}
BUILTIN_HIERARCHIES = ("m49-region", "m49-subregion")
MAX_TABLE_DIMENSIONS = 6


@dataclass(frozen=True)
class Bin:
    """A closed interval of numbers and its code; ``None`` leaves a side open."""

    low: float | None
    high: float | None
    code: str

    def contains(self, number: float) -> bool:
        """Whether the number falls in the bin (both ends included)."""
        return (self.low is None or number >= self.low) and (
            self.high is None or number <= self.high
        )


@dataclass(frozen=True)
class Hierarchy:
    """Subtotals for a dimension: each code's parent (a country's region); a code with no
    parent is at the top, under the total. ``source`` says where it comes from."""

    parents: Mapping[str, str]
    source: str
    codes: frozenset[str] = frozenset()

    def __contains__(self, code: object) -> bool:
        """Whether the code has a place in the hierarchy (with a parent or at the top)."""
        return code in self.codes or code in self.parents

    def ancestors(self, code: str) -> list[str]:
        """The code's parent, grandparent… up to the top (not the total)."""
        chain = []
        while code in self.parents:
            code = self.parents[code]
            chain.append(code)
        return chain

    @property
    def inner_codes(self) -> tuple[str, ...]:
        """The codes that are parents (the subtotals), sorted."""
        return tuple(sorted(set(self.parents.values())))


@dataclass(frozen=True)
class DimensionSpec:
    """How one column of the microdata becomes a dimension's codes (see the module's docs)."""

    id: str
    column: str
    codes: Mapping[str, str] | None = None
    bins: tuple[Bin, ...] | None = None
    codelist: tuple[str, ...] | None = None
    hierarchy: Hierarchy | None = None

    def code_of(self, raw: str) -> str | None:
        """The code of a value as written in the file, or None when it has none.

        Examples
        --------
        >>> DimensionSpec(id="SEX", column="sex", codes={"Male": "M"}).code_of("Male")
        'M'
        >>> age = DimensionSpec(id="AGE", column="age", bins=(Bin(0, 14, "Y_LT15"),))
        >>> age.code_of("7"), age.code_of("70"), age.code_of("seven")
        ('Y_LT15', None, None)
        """
        if self.codes is not None:
            return self.codes.get(raw)
        if self.bins is not None:
            try:
                number = float(raw)
            except ValueError:
                return None
            return next((b.code for b in self.bins if b.contains(number)), None)
        if self.codelist is not None and raw not in self.codelist:
            return None
        return raw


@dataclass(frozen=True)
class TableSpec:
    """A table: its id and the dimensions it crosses (all margins are always included)."""

    id: str
    dimensions: tuple[str, ...]


@dataclass(frozen=True)
class Spec:
    """A validated table specification.

    Attributes
    ----------
    dataset : str
        The dataset's name; record keys and the privacy budget ledger are kept per dataset.
    dimensions : mapping of str to DimensionSpec
    tables : tuple of TableSpec
    microdata : pathlib.Path or None
        The microdata file, resolved against the specification's folder.
    microdata_format : {"csv", "parquet"} or None
        None: told from the file's extension.
    record_id : str or None
        A column that identifies each record for good; without one, records are identified
        by their row in the file (so rows may be appended, never reordered or removed).
    weight : str or None
        A weight column (survey data): ``value`` is then the weighted total.
    state_dir : pathlib.Path or None
        Where record keys and the budget ledger are kept; None: ``<dataset>.solidarity``
        beside the microdata file (`Spec.state_directory`).
    privacy_budget_rho : float or None
        The dataset's total zero-concentrated DP budget rho (``privacy_budget: {rho: R}``).
    threshold, max_deviation : int or None
        Defaults for the methods' parameters (``defaults:``); the command line's options win.
    path : pathlib.Path or None
        The specification file.
    """

    dataset: str
    dimensions: Mapping[str, DimensionSpec]
    tables: tuple[TableSpec, ...]
    microdata: Path | None = None
    microdata_format: str | None = None
    record_id: str | None = None
    weight: str | None = None
    state_dir: Path | None = None
    privacy_budget_rho: float | None = None
    threshold: int | None = None
    max_deviation: int | None = None
    path: Path | None = None

    def table(self, table_id: str) -> TableSpec:
        """The table with this id (KeyError if none)."""
        for table in self.tables:
            if table.id == table_id:
                return table
        raise KeyError(table_id)

    def state_directory(self, microdata: Path | None = None) -> Path:
        """The folder of this dataset's record keys and budget ledger.

        ``state_dir`` from the specification when given, else ``<dataset>.solidarity`` beside
        the microdata file (the one given, or the specification's).
        """
        if self.state_dir is not None:
            return self.state_dir
        source = microdata or self.microdata
        if source is None:
            raise SpecError(
                "no microdata file and no state_dir: nowhere to keep the dataset's state",
                file=str(self.path or "<spec>"),
                key="state_dir",
            )
        return source.parent / f"{self.dataset}.solidarity"


def load_spec(path: str | Path) -> Spec:
    """Read and validate a YAML table specification.

    Raises
    ------
    SpecError
        When the file cannot be read, is not YAML, or breaks a rule; the message names the
        file and the key.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError("no such file", file=str(path)) from None
    except UnicodeDecodeError:
        raise SpecError("is not UTF-8 text", file=str(path)) from None
    except OSError as error:
        raise SpecError(f"cannot be read ({error.strerror})", file=str(path)) from None
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or "syntax error"
        raise SpecError(f"is not valid YAML{where}: {problem}", file=str(path)) from None
    return parse_spec(document, file=str(path), base=path.parent, path=path)


def parse_spec(
    document: object, *, file: str, base: Path | None = None, path: Path | None = None
) -> Spec:
    """Validate a parsed specification (a mapping, as from YAML); relative paths are resolved
    against ``base`` (the current folder when None)."""
    base = base or Path()
    top = _mapping(document, file, None)
    _only(
        top,
        {
            "dataset",
            "microdata",
            "weight",
            "dimensions",
            "tables",
            "privacy_budget",
            "state_dir",
            "defaults",
            "description",
        },
        file,
        None,
    )
    if "dataset" not in top:
        raise SpecError("is required", file=file, key="dataset")
    dataset = top["dataset"]
    if not isinstance(dataset, str) or not _DATASET.match(dataset):
        raise SpecError(
            "must be a name of letters, digits, '.', '_' and '-'", file=file, key="dataset"
        )

    microdata = microdata_format = record_id = None
    if top.get("microdata") is not None:
        raw = top["microdata"]
        if isinstance(raw, str):
            raw = {"path": raw}
        micro = _mapping(raw, file, "microdata")
        _only(micro, {"path", "format", "record_id"}, file, "microdata")
        if not isinstance(micro.get("path"), str) or not micro["path"]:
            raise SpecError("must be a file path", file=file, key="microdata.path")
        microdata = base / micro["path"]
        if micro.get("format") is not None:
            if micro["format"] not in ("csv", "parquet"):
                raise SpecError("must be csv or parquet", file=file, key="microdata.format")
            microdata_format = micro["format"]
        if micro.get("record_id") is not None:
            record_id = _text(micro["record_id"], file, "microdata.record_id")

    weight = None
    if top.get("weight") is not None:
        weight = _text(top["weight"], file, "weight")

    state_dir = None
    if top.get("state_dir") is not None:
        state_dir = base / _text(top["state_dir"], file, "state_dir")

    if "dimensions" not in top:
        raise SpecError("is required", file=file, key="dimensions")
    raw_dimensions = _mapping(top["dimensions"], file, "dimensions")
    if not raw_dimensions:
        raise SpecError("must name at least one dimension", file=file, key="dimensions")
    dimensions: dict[str, DimensionSpec] = {}
    for name, raw_dimension in raw_dimensions.items():
        key = f"dimensions.{name}"
        if not isinstance(name, str) or not _ID.match(name) or name in _RESERVED:
            raise SpecError(
                "a dimension id must be a letter then letters, digits or '_' (and not an "
                "SDMX-CSV column name)",
                file=file,
                key=key,
            )
        dimensions[name] = _dimension(name, raw_dimension, file, key, base)

    if "tables" not in top:
        raise SpecError("is required", file=file, key="tables")
    raw_tables = top["tables"]
    if not isinstance(raw_tables, list) or not raw_tables:
        raise SpecError("must be a list of at least one table", file=file, key="tables")
    tables: list[TableSpec] = []
    for position, raw_table in enumerate(raw_tables):
        key = f"tables[{position}]"
        table = _mapping(raw_table, file, key)
        _only(table, {"id", "dimensions", "description"}, file, key)
        table_id = table.get("id")
        if not isinstance(table_id, str) or not _ID.match(table_id):
            raise SpecError(
                "needs an id: a letter then letters, digits or '_'", file=file, key=f"{key}.id"
            )
        if any(t.id == table_id for t in tables):
            raise SpecError(f"table id {table_id} is used twice", file=file, key=f"{key}.id")
        names = table.get("dimensions")
        if not isinstance(names, list) or not names:
            raise SpecError("must list at least one dimension", file=file, key=f"{key}.dimensions")
        if len(names) > MAX_TABLE_DIMENSIONS:
            raise SpecError(
                f"a table crosses at most {MAX_TABLE_DIMENSIONS} dimensions",
                file=file,
                key=f"{key}.dimensions",
            )
        for name in names:
            if name not in dimensions:
                raise SpecError(
                    f"no dimension {name!r} is defined under dimensions",
                    file=file,
                    key=f"{key}.dimensions",
                )
        if len(set(names)) != len(names):
            raise SpecError("names a dimension twice", file=file, key=f"{key}.dimensions")
        tables.append(TableSpec(id=table_id, dimensions=tuple(names)))

    rho = None
    if top.get("privacy_budget") is not None:
        budget = _mapping(top["privacy_budget"], file, "privacy_budget")
        _only(budget, {"rho"}, file, "privacy_budget")
        rho_value = budget.get("rho")
        if (
            isinstance(rho_value, bool)
            or not isinstance(rho_value, int | float)
            or not math.isfinite(rho_value)
            or rho_value <= 0
        ):
            raise SpecError("must be a positive number", file=file, key="privacy_budget.rho")
        rho = float(rho_value)

    threshold = max_deviation = None
    if top.get("defaults") is not None:
        defaults = _mapping(top["defaults"], file, "defaults")
        _only(defaults, {"threshold", "max_deviation"}, file, "defaults")
        if "threshold" in defaults:
            threshold = _positive_int(defaults["threshold"], file, "defaults.threshold")
        if "max_deviation" in defaults:
            max_deviation = _positive_int(defaults["max_deviation"], file, "defaults.max_deviation")
            if max_deviation < 2:
                raise SpecError(
                    "must be at least 2 (counts of 1 and 2 are never published)",
                    file=file,
                    key="defaults.max_deviation",
                )

    return Spec(
        dataset=dataset,
        dimensions=dimensions,
        tables=tuple(tables),
        microdata=microdata,
        microdata_format=microdata_format,
        record_id=record_id,
        weight=weight,
        state_dir=state_dir,
        privacy_budget_rho=rho,
        threshold=threshold,
        max_deviation=max_deviation,
        path=path,
    )


def _dimension(name: str, raw: object, file: str, key: str, base: Path) -> DimensionSpec:
    spec = _mapping(raw, file, key)
    _only(spec, {"column", "codes", "bins", "codelist", "hierarchy", "description"}, file, key)
    column = _text(spec.get("column"), file, f"{key}.column")
    given = [part for part in ("codes", "bins", "codelist") if spec.get(part) is not None]
    if len(given) > 1:
        raise SpecError(f"give only one of {' and '.join(given)}", file=file, key=key)
    codes = None
    bins = None
    codelist: tuple[str, ...] | None = None
    if spec.get("codes") is not None:
        raw_codes = _mapping(spec["codes"], file, f"{key}.codes")
        if not raw_codes:
            raise SpecError("must map at least one value", file=file, key=f"{key}.codes")
        codes = {}
        for value, code in raw_codes.items():
            codes[_value_text(value, file, f"{key}.codes")] = _code(
                code, file, f"{key}.codes.{value}"
            )
        codelist = tuple(dict.fromkeys(codes.values()))
    elif spec.get("bins") is not None:
        raw_bins = spec["bins"]
        if not isinstance(raw_bins, list) or not raw_bins:
            raise SpecError("must be a list of [low, high, code]", file=file, key=f"{key}.bins")
        parsed: list[Bin] = []
        for position, raw_bin in enumerate(raw_bins):
            bin_key = f"{key}.bins[{position}]"
            if not isinstance(raw_bin, list) or len(raw_bin) != 3:
                raise SpecError("must be [low, high, code]", file=file, key=bin_key)
            low, high = (_bound(bound, file, bin_key) for bound in raw_bin[:2])
            if low is not None and high is not None and low > high:
                raise SpecError("low is above high", file=file, key=bin_key)
            parsed.append(Bin(low, high, _code(raw_bin[2], file, bin_key)))
        for position, one in enumerate(parsed):
            for other in parsed[position + 1 :]:
                if _overlap(one, other):
                    raise SpecError(
                        f"bins {one.code} and {other.code} overlap", file=file, key=f"{key}.bins"
                    )
        bins = tuple(parsed)
        codelist = tuple(dict.fromkeys(b.code for b in bins))
    elif spec.get("codelist") is not None:
        raw_list = spec["codelist"]
        if not isinstance(raw_list, list) or not raw_list:
            raise SpecError("must be a list of codes", file=file, key=f"{key}.codelist")
        codelist = tuple(_code(code, file, f"{key}.codelist") for code in raw_list)
        if len(set(codelist)) != len(codelist):
            raise SpecError("lists a code twice", file=file, key=f"{key}.codelist")
    hierarchy = None
    if spec.get("hierarchy") is not None:
        hierarchy = _hierarchy(spec["hierarchy"], file, f"{key}.hierarchy", base)
        if codelist is not None:
            for code in codelist:
                if code not in hierarchy:
                    raise SpecError(
                        f"code {code!r} has no place in the hierarchy ({hierarchy.source})",
                        file=file,
                        key=f"{key}.hierarchy",
                    )
            clash = set(codelist) & set(hierarchy.parents.values())
            if clash:
                raise SpecError(
                    f"code {sorted(clash)[0]!r} is both a category and a subtotal",
                    file=file,
                    key=f"{key}.hierarchy",
                )
    return DimensionSpec(
        id=name, column=column, codes=codes, bins=bins, codelist=codelist, hierarchy=hierarchy
    )


def _hierarchy(raw: object, file: str, key: str, base: Path) -> Hierarchy:
    if isinstance(raw, str):
        raw = {"builtin": raw}
    spec = _mapping(raw, file, key)
    _only(spec, {"builtin", "path", "parents"}, file, key)
    if ("builtin" in spec) == ("path" in spec):
        raise SpecError(
            f"give either builtin ({' or '.join(BUILTIN_HIERARCHIES)}) or path",
            file=file,
            key=key,
        )
    parents: dict[str, str] = {}
    codes: set[str] = set()
    if "builtin" in spec:
        if spec["builtin"] not in BUILTIN_HIERARCHIES:
            raise SpecError(
                f"unknown hierarchy {spec['builtin']!r}: use {' or '.join(BUILTIN_HIERARCHIES)}"
                " or a path",
                file=file,
                key=key,
            )
        source = str(spec["builtin"])
        data = resources.files("solidarity.stats.privacy").joinpath("data/m49_regions.csv")
        with data.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                if source == "m49-region":
                    parents[row["iso3"]] = row["region"]
                else:
                    parents[row["iso3"]] = row["subregion"]
                    parents[row["subregion"]] = row["region"]
    else:
        path = base / _text(spec["path"], file, f"{key}.path")
        source = str(path)
        try:
            with path.open(encoding="utf-8", newline="") as handle:
                reader = csv.DictReader(handle)
                if reader.fieldnames is None or not {"code", "parent"} <= set(reader.fieldnames):
                    raise SpecError(
                        f"{path} needs the columns code and parent", file=file, key=f"{key}.path"
                    )
                for line, row in enumerate(reader, start=2):
                    code = (row["code"] or "").strip()
                    parent = (row["parent"] or "").strip()
                    if not _CODE.match(code) or (parent and not _CODE.match(parent)):
                        raise SpecError(
                            f"{path}, line {line}: codes are letters, digits, '_', '-', '@' or '$'",
                            file=file,
                            key=f"{key}.path",
                        )
                    if code in codes:
                        raise SpecError(
                            f"{path}, line {line}: code {code!r} is listed twice",
                            file=file,
                            key=f"{key}.path",
                        )
                    codes.add(code)
                    if parent:
                        parents[code] = parent
        except FileNotFoundError:
            raise SpecError(f"no such file: {path}", file=file, key=f"{key}.path") from None
        except UnicodeDecodeError:
            raise SpecError(f"{path} is not UTF-8 text", file=file, key=f"{key}.path") from None
    if spec.get("parents") is not None:
        extra = _mapping(spec["parents"], file, f"{key}.parents")
        for code, parent in extra.items():
            parents[_code(code, file, f"{key}.parents")] = _code(
                parent, file, f"{key}.parents.{code}"
            )
    for code in parents:
        seen = {code}
        current = code
        while current in parents:
            current = parents[current]
            if current in seen:
                raise SpecError(f"code {code!r} is its own ancestor", file=file, key=key)
            seen.add(current)
    codes.update(parents)
    codes.update(parents.values())
    return Hierarchy(parents=parents, source=source, codes=frozenset(codes))


def _overlap(one: Bin, other: Bin) -> bool:
    low_one = -math.inf if one.low is None else one.low
    high_one = math.inf if one.high is None else one.high
    low_other = -math.inf if other.low is None else other.low
    high_other = math.inf if other.high is None else other.high
    return low_one <= high_other and low_other <= high_one


def _mapping(value: object, file: str, key: str | None) -> dict[Any, Any]:
    if not isinstance(value, dict):
        raise SpecError("must be a mapping (key: value)", file=file, key=key)
    return value


def _only(value: Mapping[Any, Any], allowed: set[str], file: str, key: str | None) -> None:
    for name in value:
        if name not in allowed:
            where = f"{key}.{name}" if key else str(name)
            raise SpecError(
                f"unknown key; expected one of {', '.join(sorted(allowed))}", file=file, key=where
            )


def _text(value: object, file: str, key: str) -> str:
    if not isinstance(value, str) or not value:
        raise SpecError("must be a non-empty text", file=file, key=key)
    return value


def _value_text(value: object, file: str, key: str) -> str:
    # YAML reads `yes`/`no` as booleans: a column's values are compared as text, so a boolean
    # here means the author forgot the quotes.
    if isinstance(value, bool) or value is None:
        raise SpecError(f"value {value!r} must be written in quotes", file=file, key=key)
    if isinstance(value, int | float | str):
        return str(value)
    raise SpecError(f"value {value!r} must be a text or a number", file=file, key=key)


def _code(value: object, file: str, key: str) -> str:
    if isinstance(value, bool) or value is None:
        raise SpecError(f"code {value!r} must be written in quotes", file=file, key=key)
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str) or not _CODE.match(value):
        raise SpecError(
            f"code {value!r} must be letters, digits, '_', '-', '@' or '$'", file=file, key=key
        )
    if value == TOTAL:
        raise SpecError(f"code {TOTAL} is kept for totals", file=file, key=key)
    return value


def _bound(value: object, file: str, key: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise SpecError("bounds must be numbers or null", file=file, key=key)
    return float(value)


def _positive_int(value: object, file: str, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise SpecError("must be a whole number of at least 1", file=file, key=key)
    return value
