"""Published tables: one SDMX-CSV 2.0 file per table plus ``report.json``, and reading them back.

The contract
------------
A protection method returns, for each table id, a *published frame*: the table's dimension
columns (codes, `TOTAL` in margins), then

- ``OBS_VALUE`` (pandas ``Int64``): the published count, ``<NA>`` when the cell is withheld;
- ``CONF_STATUS`` (str): SDMX ``F`` (free) or ``C`` (confidential). Primary and secondary
  suppressions are both ``C``: telling them apart would tell an attacker which cells are small;
- ``OBS_STATUS`` (str): SDMX observation status (``A`` normal, ``E`` estimated — perturbed or
  noisy values —, ``O`` missing value for withheld cells).

`write_published` writes, into ``out_dir``, ``<table id>.csv`` per table::

    STRUCTURE,STRUCTURE_ID,ACTION,SEX,AGE,OBS_VALUE,CONF_STATUS,OBS_STATUS
    dataflow,SOLIDARITY:ADULT_1994_T1(1.0),I,F,Y_GE65,,C,O

(the SDMX-CSV 2.0 lead columns; the structure is ``SOLIDARITY:<DATASET>_<TABLE>(1.0)``), and
``report.json``: the report the method built (``method``, ``parameters``, per-table figures,
``engine``, ``timings``…) to which it adds ``format`` and, under ``tables.<id>``, the
``file``, the ``dimensions`` and the hierarchy ``parents`` (public: they are the codelists'
structure), so that the directory alone is enough for the audit. Each file is written to a
temporary name and renamed, and ``report.json`` last: a directory with a report is complete.

`read_published` reads such a directory back into `PublishedTable` objects (which the helpers
of ``tables`` accept) and the report.

Examples
--------
>>> import tempfile
>>> frame = pd.DataFrame({"SEX": ["F", "M", TOTAL],
...     "OBS_VALUE": pd.array([None, 20, 24], dtype="Int64"),
...     "CONF_STATUS": ["C", "F", "F"], "OBS_STATUS": ["O", "A", "A"]})
>>> folder = Path(tempfile.mkdtemp())
>>> report = write_published(folder, {"T1": frame}, {"dataset": "adult-1994"})
>>> print((folder / "T1.csv").read_text().splitlines()[1])
dataflow,SOLIDARITY:ADULT_1994_T1(1.0),I,F,,C,O
>>> tables, report = read_published(folder)
>>> tables["T1"].frame["OBS_VALUE"].tolist(), report["tables"]["T1"]["dimensions"]
([<NA>, 20, 24], ['SEX'])
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd  # type: ignore[import-untyped]  # no pandas-stubs pinned here

from .errors import OutputError
from .tables import TOTAL

__all__ = [
    "LEAD_COLUMNS",
    "MEASURE_COLUMNS",
    "REPORT_FILE",
    "TOTAL",
    "PublishedTable",
    "read_published",
    "structure_id",
    "write_published",
]

LEAD_COLUMNS = ("STRUCTURE", "STRUCTURE_ID", "ACTION")
MEASURE_COLUMNS = ("OBS_VALUE", "CONF_STATUS", "OBS_STATUS")
REPORT_FILE = "report.json"
FORMAT = "solidarity-privacy/1"


@dataclass(frozen=True)
class PublishedTable:
    """A published table read back: dimension columns, ``OBS_VALUE`` (Int64), ``CONF_STATUS``,
    ``OBS_STATUS``; ``parents`` as in `tables.Table`."""

    id: str
    dimensions: tuple[str, ...]
    frame: pd.DataFrame
    parents: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


def structure_id(dataset: str, table_id: str) -> str:
    """The SDMX dataflow reference of a published table.

    Examples
    --------
    >>> structure_id("adult-1994", "T2")
    'SOLIDARITY:ADULT_1994_T2(1.0)'
    """
    name = re.sub(r"[^A-Za-z0-9_]", "_", f"{dataset}_{table_id}").upper()
    return f"SOLIDARITY:{name}(1.0)"


def write_published(
    out_dir: str | Path, published: Mapping[str, pd.DataFrame], report: Mapping[str, Any]
) -> dict[str, Any]:
    """Write one SDMX-CSV 2.0 file per table and ``report.json`` into ``out_dir``.

    Parameters
    ----------
    out_dir : path
        Created when missing; files of the same names are replaced.
    published : mapping of table id to pandas.DataFrame
        Published frames (see the module's documentation).
    report : mapping
        Must hold ``dataset``; may hold ``tables.<id>.dimensions`` and ``tables.<id>.parents``
        (without them, the dimensions are the frame's columns before ``OBS_VALUE``).

    Returns
    -------
    dict
        The report as written (with ``format`` and each table's ``file``).
    """
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    dataset = str(report["dataset"])
    full: dict[str, Any] = json.loads(json.dumps(dict(report), default=_json_default))
    full["format"] = FORMAT
    table_reports = full.setdefault("tables", {})
    for table_id, frame in published.items():
        dimensions = list(table_reports.get(table_id, {}).get("dimensions") or [])
        if not dimensions:
            dimensions = [c for c in frame.columns if c not in MEASURE_COLUMNS]
        missing = [c for c in (*dimensions, *MEASURE_COLUMNS) if c not in frame.columns]
        if missing:
            raise ValueError(f"table {table_id}: the published frame lacks {missing}")
        out = pd.DataFrame(
            {
                "STRUCTURE": "dataflow",
                "STRUCTURE_ID": structure_id(dataset, table_id),
                "ACTION": "I",
            },
            index=frame.index,
        )
        for dimension in dimensions:
            out[dimension] = frame[dimension].astype(str)
        out["OBS_VALUE"] = frame["OBS_VALUE"].astype("Int64")
        out["CONF_STATUS"] = frame["CONF_STATUS"].astype(str)
        out["OBS_STATUS"] = frame["OBS_STATUS"].astype(str)
        name = f"{table_id}.csv"
        temporary = folder / f".{name}.tmp"
        out.to_csv(temporary, index=False, na_rep="", lineterminator="\r\n")
        os.replace(temporary, folder / name)
        entry = table_reports.setdefault(table_id, {})
        entry["file"] = name
        entry["dimensions"] = dimensions
        entry.setdefault("parents", {})
    temporary = folder / f".{REPORT_FILE}.tmp"
    temporary.write_text(json.dumps(full, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(temporary, folder / REPORT_FILE)
    return full


def read_published(
    out_dir: str | Path,
) -> tuple[dict[str, PublishedTable], dict[str, Any]]:
    """Read a directory written by `write_published`.

    Returns
    -------
    (dict of table id to PublishedTable, report dict)

    Raises
    ------
    OutputError
        When ``report.json`` or a table file is missing, or a file's columns or values are not
        as written by `write_published` (naming the file, row and column).
    """
    folder = Path(out_dir)
    report_path = folder / REPORT_FILE
    try:
        report = json.loads(report_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise OutputError(
            "no report.json: not a directory of published tables", file=str(report_path)
        ) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise OutputError(f"is not JSON ({error})", file=str(report_path)) from None
    tables: dict[str, PublishedTable] = {}
    for table_id, entry in report.get("tables", {}).items():
        path = folder / entry.get("file", f"{table_id}.csv")
        dimensions = tuple(entry.get("dimensions", ()))
        try:
            frame = pd.read_csv(
                path, dtype=str, keep_default_na=False, na_values=[], encoding="utf-8"
            )
        except FileNotFoundError:
            raise OutputError("is missing", file=str(path)) from None
        except (UnicodeDecodeError, pd.errors.ParserError) as error:
            raise OutputError(f"cannot be read as CSV ({error})", file=str(path)) from None
        expected = [*LEAD_COLUMNS, *dimensions, *MEASURE_COLUMNS]
        if list(frame.columns) != expected:
            raise OutputError(
                f"columns are {list(frame.columns)}, expected {expected}", file=str(path)
            )
        values = frame["OBS_VALUE"]
        bad = values[(values != "") & ~values.str.fullmatch(r"-?\d+")]
        if len(bad):
            row = int(bad.index[0]) + 2
            raise OutputError(
                "is not a whole number",
                file=str(path),
                row=row,
                column="OBS_VALUE",
                value=bad.iloc[0],
            )
        statuses = frame["CONF_STATUS"]
        wrong = statuses[~statuses.isin(["F", "C"])]
        if len(wrong):
            raise OutputError(
                "must be F or C",
                file=str(path),
                row=int(wrong.index[0]) + 2,
                column="CONF_STATUS",
                value=wrong.iloc[0],
            )
        published = frame[list(dimensions)].copy()
        published["OBS_VALUE"] = pd.array(
            [None if v == "" else int(v) for v in values], dtype="Int64"
        )
        published["CONF_STATUS"] = statuses
        published["OBS_STATUS"] = frame["OBS_STATUS"]
        parents = {dim: dict(mapping) for dim, mapping in entry.get("parents", {}).items()}
        tables[table_id] = PublishedTable(
            id=table_id, dimensions=dimensions, frame=published, parents=parents
        )
    return tables, report


def _json_default(value: object) -> object:
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
