"""One protected release: tabulate, protect, write, report.

`protect` is what the ``solidarity tabulate`` command and the web run: it tabulates the
specification's tables with the chosen engine, applies one protection method with its
parameters, writes the published tables (`output`) and returns the report it wrote into
``report.json``. Nothing is written until every step before has succeeded, so a bad
specification, bad microdata or a refused privacy budget leave ``out_dir`` untouched.

Methods and their required parameters (the library has no defaults; the command line and the
specification do, and the report records what was used):

- ``"cellkey"``: ``threshold``, ``max_deviation`` (`cellkey`);
- ``"suppress"``: ``threshold``; optional ``protection_level`` (default: the threshold),
  ``cost`` (``"cells"`` or ``"counts"``) and ``secondary_method`` (``"auto"``, ``"milp"`` or
  ``"heuristic"``; `suppression`'s ``method``) (`suppression`);
- ``"dp"``: ``rho``, or ``epsilon`` and ``delta`` (`dp`); optional ``raise_budget``.

Examples
--------
>>> import json, tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> _ = (folder / "people.csv").write_text("sex\\n" + "Male\\n" * 30 + "Female\\n" * 3)
>>> from solidarity.stats.privacy.spec import parse_spec
>>> spec = parse_spec({"dataset": "demo", "microdata": "people.csv",
...     "dimensions": {"SEX": {"column": "sex", "codes": {"Male": "M", "Female": "F"}}},
...     "tables": [{"id": "T1", "dimensions": ["SEX"]}]}, file="spec.yaml", base=folder)
>>> report = protect(spec, "cellkey", {"threshold": 10, "max_deviation": 2}, folder / "out")
>>> report["method"], report["tables"]["T1"]["cells_withheld"]
('cellkey', 1)
>>> print((folder / "out" / "T1.csv").read_text().splitlines()[2])
dataflow,SOLIDARITY:DEMO_T1(1.0),I,F,,C,O
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import math
import time
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd  # type: ignore[import-untyped]  # no pandas-stubs pinned here

from .cellkey import protect_cellkey
from .keys import ensure_record_keys
from .output import write_published
from .spec import Spec
from .tables import Table
from .tabulate import Progress, tabulate

__all__ = ["METHODS", "MethodUnavailableError", "available_methods", "protect", "weight_facts"]

METHODS = ("cellkey", "suppress", "dp")
_MODULES = {"cellkey": "cellkey", "suppress": "suppression", "dp": "dp"}


class MethodUnavailableError(RuntimeError):
    """The protection method's module is not part of this installation."""


def available_methods() -> tuple[str, ...]:
    """The methods whose modules are installed (``cellkey`` always is)."""
    return tuple(
        method
        for method in METHODS
        if importlib.util.find_spec(f"solidarity.stats.privacy.{_MODULES[method]}") is not None
    )


def _required(params: Mapping[str, Any], name: str, method: str) -> Any:
    if params.get(name) is None:
        raise ValueError(f"the {method} method needs the parameter {name}")
    return params[name]


def protect(
    spec: Spec,
    method: str,
    params: Mapping[str, Any],
    out_dir: str | Path,
    *,
    microdata_path: str | Path | None = None,
    engine: str = "duckdb",
    state_dir: str | Path | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Tabulate, protect and publish the specification's tables into ``out_dir``.

    Parameters
    ----------
    spec : Spec
    method : {"cellkey", "suppress", "dp"}
    params : mapping
        The method's parameters (see the module's documentation); all required ones must be
        given.
    out_dir : path
        Receives one SDMX-CSV file per table and ``report.json``.
    microdata_path : path, optional
        The microdata file; the specification's when None.
    engine : {"duckdb", "spark"}
    state_dir : path, optional
        The dataset's state (record keys, privacy budget ledger); by default
        `Spec.state_directory`.
    progress : callable, optional
        ``progress(done, total, label)``.

    Returns
    -------
    dict
        The report, as written to ``report.json``.

    Raises
    ------
    SpecError, MicrodataError
        Bad specification or microdata (nothing written).
    ValueError
        A missing or invalid parameter.
    MethodUnavailableError
        The method's module is not installed.
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}: use one of {', '.join(METHODS)}")
    if method not in available_methods():
        raise MethodUnavailableError(f"the {method} method is not available in this installation")
    started = time.perf_counter()
    microdata = Path(microdata_path) if microdata_path is not None else spec.microdata
    state = Path(state_dir) if state_dir is not None else spec.state_directory(microdata)
    timings: dict[str, float] = {}
    steps = len(spec.tables) + 2

    def tick(done: int, total: int, label: str) -> None:
        if progress is not None:
            progress(done, steps, label)

    keys = None
    if method == "cellkey":
        threshold = int(_required(params, "threshold", method))
        max_deviation = int(_required(params, "max_deviation", method))
        moment = time.perf_counter()
        keys = ensure_record_keys(spec, microdata, state_dir=state)
        timings["record_keys"] = time.perf_counter() - moment
    elif method == "suppress":
        threshold = int(_required(params, "threshold", method))
    else:
        if params.get("rho") is None and (
            params.get("epsilon") is None or params.get("delta") is None
        ):
            raise ValueError("the dp method needs rho, or epsilon and delta")

    moment = time.perf_counter()
    tabulation_timings: dict[str, float] = {}
    tables = tabulate(
        spec,
        microdata,
        engine=engine,
        record_keys=keys,
        progress=tick,
        timings=tabulation_timings,
    )
    timings["tabulate"] = time.perf_counter() - moment
    timings["tabulate_tables"] = sum(
        seconds for name, seconds in tabulation_timings.items() if name != "complete"
    )

    moment = time.perf_counter()
    if method == "cellkey":
        published, method_report = protect_cellkey(
            tables, threshold=threshold, max_deviation=max_deviation
        )
    elif method == "suppress":
        published, method_report = _suppress(tables, threshold, params)
    else:
        published, method_report = _dp(spec, tables, params, state)
    timings["protect"] = time.perf_counter() - moment
    tick(steps - 1, steps, method)

    report: dict[str, Any] = {
        "dataset": spec.dataset,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "software": f"solidarity {metadata.version('solidarity')}",
        "specification": str(spec.path) if spec.path else None,
        "microdata": microdata.name if microdata else None,
        "records": int(next(iter(tables.values())).frame["count"].iloc[-1]),
        "engine": engine,
        **method_report,
    }
    figures = report.setdefault("tables", {})
    for table_id, table in tables.items():
        entry = figures.setdefault(table_id, {})
        entry["dimensions"] = list(table.dimensions)
        entry["parents"] = {d: dict(p) for d, p in table.parents.items()}
        entry.setdefault("cells", table.cells)
    if spec.weight is not None and method != "dp":
        report["weights"] = weight_facts(spec.weight, tables, published)
    report["cells"] = sum(t.cells for t in tables.values())
    report["cells_withheld"] = int(
        sum(int((frame["CONF_STATUS"] == "C").sum()) for frame in published.values())
    )
    timings["total"] = time.perf_counter() - started
    report["timings"] = timings
    written = write_published(out_dir, published, report)
    tick(steps, steps, "written")
    return written


def weight_facts(
    column: str, tables: Mapping[str, Table], published: Mapping[str, pd.DataFrame]
) -> dict[str, Any]:
    """What the audit needs to check a weighted release's threshold from its files.

    Published values are then weighted totals while the threshold counts records, so the
    audit cannot compare one with the other. It compares like with like instead: a published
    cell holds at least ``threshold`` records (0 apart), each cell's total is its count times
    its mean weight, so its published total is at least ``threshold`` times the smallest mean
    weight of a published cell — which the report records (``minimum_mean_weight``, rounded
    down). Only published cells enter it, so it says nothing about a withheld one.
    """
    smallest = math.inf
    for table_id, table in tables.items():
        count = table.frame["count"].to_numpy(dtype=np.float64)
        value = table.frame["value"].to_numpy(dtype=np.float64)
        free = (published[table_id]["CONF_STATUS"] == "F").to_numpy() & (count > 0)
        if free.any():
            smallest = min(smallest, float((value[free] / count[free]).min()))
    if math.isfinite(smallest) and smallest > 0:
        digits = 5 - math.floor(math.log10(smallest))
        smallest = math.floor(smallest * 10**digits) / 10**digits
    else:
        smallest = 0.0
    return {"column": column, "values": "weighted totals", "minimum_mean_weight": smallest}


def _suppress(
    tables: Mapping[str, Table], threshold: int, params: Mapping[str, Any]
) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    suppression = importlib.import_module("solidarity.stats.privacy.suppression")
    options: dict[str, Any] = {}
    if params.get("protection_level") is not None:
        options["protection_level"] = float(params["protection_level"])
    if params.get("cost") is not None:
        options["cost"] = params["cost"]
    if params.get("secondary_method") is not None:
        options["method"] = params["secondary_method"]
    result = suppression.suppress(tables, threshold=threshold, **options)
    published: dict[str, pd.DataFrame] = {}
    for table_id, table in tables.items():
        withheld = np.asarray(result.confidential[table_id], dtype=bool)
        out = table.frame[list(table.dimensions)].copy()
        out["OBS_VALUE"] = pd.array(np.rint(table.frame["value"].to_numpy()), dtype="Int64")
        out.loc[withheld, "OBS_VALUE"] = pd.NA
        out["CONF_STATUS"] = np.where(withheld, "C", "F")
        out["OBS_STATUS"] = np.where(withheld, "O", "A")
        published[table_id] = out
    statistics = dict(result.statistics)
    per_table = statistics.pop("tables", {})
    for table_id, figures in per_table.items():
        figures["cells_withheld"] = int(result.confidential[table_id].sum())
    parameters = {
        "threshold": threshold,
        "protection_level": statistics.pop("protection_level", threshold),
        "cost": statistics.pop("cost", "cells"),
        "secondary_method": statistics.pop("method", "auto"),
    }
    statistics.pop("threshold", None)
    report = {
        "method": "suppress",
        "parameters": parameters,
        "suppression": statistics,
        "information_loss": {
            "cells": statistics.get("information_loss_cells"),
            "counts": statistics.get("information_loss_counts"),
        },
        "tables": per_table,
    }
    return published, report


def _dp(
    spec: Spec, tables: Mapping[str, Table], params: Mapping[str, Any], state: Path
) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    dp = importlib.import_module("solidarity.stats.privacy.dp")
    published, report = dp.release(spec=spec, tables=tables, state_dir=state, **dict(params))
    return dict(published), dict(report)
