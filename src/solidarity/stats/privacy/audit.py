"""The audit: re-read a directory of published tables and prove that their protection holds.

`audit_dir` reads what ``solidarity tabulate`` wrote (`output.read_published`: one SDMX-CSV
file per table and ``report.json``) and checks it from the published files alone — it never
sees the microdata — according to the method named in the report:

- **suppress** (threshold and secondary suppression): every relation among published cells adds
  up; a cell is the same in every table that holds it, withheld in all of them or in none; no
  published cell counts fewer than the threshold (and more than 0); and the LP interval attack
  (`attack.attack`): every withheld cell's feasible interval, from every published cell and
  margin of all the tables together, is at least the protection level wide (by default the
  report's, else the threshold). The cells that fail are listed with their exact interval.
  The audit cannot tell primary from secondary suppressions (the files do not say, on
  purpose), so every withheld cell must be protected.
- **cellkey**: the perturbation table of the report has its properties (`cellkey.check_ptable`:
  zero mean, maximum deviation, no 1s and 2s…); the same cell has the same value in every table;
  no published value is 1…js; no published value is below the threshold except 0.
- **dp**: the categories are the full cross-product of each table's codes (nothing dropped
  because the data had no one there); the sensitivity is recomputed from the tables' structure
  and the privacy loss from it and the noise scale (``sensitivity² / (2 scale²)``), neither
  may exceed what was charged; the budget ledger is re-read and recomputed (`ledger.verify`),
  and it holds this release.

`AuditResult` says whether it passed, check by check, with the offending cells; the
``solidarity audit`` command prints it and exits with 1 when it failed.

Examples
--------
>>> import tempfile
>>> import pandas as pd
>>> from solidarity.stats.privacy.output import write_published
>>> folder = Path(tempfile.mkdtemp())
>>> frame = pd.DataFrame({"SEX": ["F", "M", "_T"],
...     "OBS_VALUE": pd.array([None, 40, 43], dtype="Int64"),
...     "CONF_STATUS": ["C", "F", "F"], "OBS_STATUS": ["O", "A", "A"]})
>>> _ = write_published(folder, {"T1": frame}, {"dataset": "demo", "method": "suppress",
...     "parameters": {"threshold": 10, "protection_level": 10}})
>>> result = audit_dir(folder)
>>> result.passed
False
>>> print(result)  # doctest: +NORMALIZE_WHITESPACE
Audit of ... (dataset demo, method suppress): FAILED
  [ok]   relations: every relation among published cells adds up
  [ok]   consistency: every cell has one value and one status across 1 tables
  [ok]   threshold: no published count is below 10
  [FAIL] attack: 1 of 1 withheld cells can be narrowed below 10 (...)
  offending cells (table, cell, feasible interval):
    T1  SEX=F  [3, 3]
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd  # type: ignore[import-untyped]  # no pandas-stubs pinned here

from . import ledger
from .attack import AttackError, Lattice, attack
from .output import PublishedTable, read_published

__all__ = ["AuditResult", "Check", "OffendingCell", "audit_dir", "audit_tables"]

# Cells listed when printing a failed audit (all of them are in `AuditResult.offending`).
PRINTED_CELLS = 50


@dataclass(frozen=True)
class Check:
    """One check of the audit."""

    name: str
    passed: bool
    detail: str


@dataclass(frozen=True)
class OffendingCell:
    """A cell that breaks a check: where it is and, for the attack, its feasible interval."""

    table: str
    cell: str
    lower: float | None = None
    upper: float | None = None
    reason: str = ""


@dataclass
class AuditResult:
    """The audit of one directory of published tables."""

    directory: str
    dataset: str
    method: str
    checks: list[Check] = field(default_factory=list)
    offending: list[OffendingCell] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        """Whether every check passed (an audit with no check does not pass)."""
        return bool(self.checks) and all(check.passed for check in self.checks)

    def add(self, name: str, passed: bool, detail: str) -> None:
        """Record a check."""
        self.checks.append(Check(name=name, passed=passed, detail=detail))

    def to_dict(self) -> dict[str, Any]:
        """The result as plain data (for JSON)."""
        return {
            "directory": self.directory,
            "dataset": self.dataset,
            "method": self.method,
            "passed": self.passed,
            "checks": [vars(check) for check in self.checks],
            "offending": [vars(cell) for cell in self.offending],
            "figures": self.figures,
            "seconds": self.seconds,
        }

    def __str__(self) -> str:
        verdict = "passed" if self.passed else "FAILED"
        lines = [
            f"Audit of {self.directory} (dataset {self.dataset}, method {self.method}): {verdict}"
        ]
        for check in self.checks:
            mark = "[ok]  " if check.passed else "[FAIL]"
            lines.append(f"  {mark} {check.name}: {check.detail}")
        if self.offending:
            lines.append("  offending cells (table, cell, feasible interval):")
            for cell in self.offending[:PRINTED_CELLS]:
                where = f"    {cell.table}  {cell.cell or '(grand total)'}"
                if cell.lower is not None and cell.upper is not None:
                    where += f"  [{_number(cell.lower)}, {_number(cell.upper)}]"
                if cell.reason:
                    where += f"  {cell.reason}"
                lines.append(where)
            if len(self.offending) > PRINTED_CELLS:
                lines.append(f"    … and {len(self.offending) - PRINTED_CELLS} more")
        return "\n".join(lines)


def _number(value: float) -> str:
    if math.isinf(value):
        return "∞"
    rounded = round(value, 6)
    return str(int(rounded)) if rounded == int(rounded) else f"{rounded:g}"


def audit_dir(
    directory: str | Path,
    *,
    protection_level: float | None = None,
    ledger_dir: str | Path | None = None,
) -> AuditResult:
    """Audit a directory written by ``solidarity tabulate`` (see the module's documentation).

    Parameters
    ----------
    directory : path
    protection_level : float, optional
        Suppression: the narrowest interval allowed; by default the report's, else its
        threshold.
    ledger_dir : path, optional
        DP: the dataset's state directory holding the ledger; by default the one the report
        names.

    Raises
    ------
    OutputError
        The directory is not a complete set of published tables.
    """
    tables, report = read_published(directory)
    return audit_tables(
        tables,
        report,
        directory=str(directory),
        protection_level=protection_level,
        ledger_dir=ledger_dir,
    )


def audit_tables(
    tables: Mapping[str, PublishedTable],
    report: Mapping[str, Any],
    *,
    directory: str = "",
    protection_level: float | None = None,
    ledger_dir: str | Path | None = None,
) -> AuditResult:
    """Audit published tables (as `output.read_published` returns them) and their report."""
    started = time.perf_counter()
    method = str(report.get("method", ""))
    result = AuditResult(directory=directory, dataset=str(report.get("dataset", "")), method=method)
    if not tables:
        result.add("tables", False, "the directory holds no table")
    elif method == "suppress":
        _audit_suppression(result, tables, report, protection_level)
    elif method == "cellkey":
        _audit_cellkey(result, tables, report)
    elif method == "dp":
        _audit_dp(result, tables, report, ledger_dir)
    else:
        result.add("method", False, f"the report names no known method ({method!r})")
    result.seconds = time.perf_counter() - started
    return result


def _values(table: PublishedTable) -> np.ndarray:
    return np.asarray(
        table.frame["OBS_VALUE"].astype("Float64").to_numpy(dtype=np.float64, na_value=np.nan),
        dtype=np.float64,
    )


def _first_table(lattice: Lattice) -> np.ndarray:
    owner = np.full(lattice.cells, "", dtype=object)
    for table_id in reversed(list(lattice.table_cells)):
        owner[lattice.table_cells[table_id]] = table_id
    return owner


def _consistency(
    result: AuditResult, lattice: Lattice, tables: Mapping[str, PublishedTable]
) -> tuple[np.ndarray, np.ndarray]:
    """Per cell: its published value (NaN when withheld) and whether it is withheld; records
    the consistency check (one value, one status per cell across tables)."""
    value = np.full(lattice.cells, np.nan)
    seen = np.zeros(lattice.cells, dtype=bool)
    withheld_somewhere = np.zeros(lattice.cells, dtype=bool)
    published_somewhere = np.zeros(lattice.cells, dtype=bool)
    owner = _first_table(lattice)
    problems = 0
    for table_id, table in tables.items():
        cells = lattice.table_cells[table_id]
        values = _values(table)
        withheld = (table.frame["CONF_STATUS"] == "C").to_numpy() | np.isnan(values)
        withheld_somewhere[cells[withheld]] = True
        published_somewhere[cells[~withheld]] = True
        free_cells, free_values = cells[~withheld], values[~withheld]
        clash = seen[free_cells] & (np.abs(value[free_cells] - free_values) > 1e-9)
        for cell, number in zip(free_cells[clash], free_values[clash], strict=True):
            problems += 1
            result.offending.append(
                OffendingCell(
                    table=table_id,
                    cell=lattice.cell_name(int(cell)),
                    reason=f"is {_number(number)} here but {_number(value[cell])} in {owner[cell]}",
                )
            )
        value[free_cells] = np.where(seen[free_cells], value[free_cells], free_values)
        seen[free_cells] = True
    both = np.flatnonzero(withheld_somewhere & published_somewhere)
    for cell in both.tolist():
        problems += 1
        result.offending.append(
            OffendingCell(
                table=str(owner[cell]),
                cell=lattice.cell_name(cell),
                reason="is withheld in one table but published in another",
            )
        )
    result.add(
        "consistency",
        problems == 0,
        f"every cell has one value and one status across {len(tables)} tables"
        if problems == 0
        else f"{problems} cells differ between tables",
    )
    return value, withheld_somewhere & ~published_somewhere


_UNCHECKABLE = (
    "not checked: the values are weighted totals and the report gives no smallest mean weight "
    "(the threshold counts records, which weighted files do not publish)"
)


def _published_floor(
    report: Mapping[str, Any], records: int, excluded: int = 0
) -> tuple[float, str] | None:
    """The smallest value a published non-zero cell may show, and how to say it.

    A published cell holds 0 or at least ``records`` records (the threshold; with the cell key
    method also more than ``excluded``, the largest count never published). Unweighted, the
    published values are those counts: anything from 1 to ``records - 1`` is a leak. Weighted
    (``report["weights"]``), the values are weighted totals and the records are not published,
    so a count cannot be compared with the threshold; the audit compares like with like
    instead: a cell of ``n`` records and mean weight ``w`` totals ``n w``, so a published total
    is at least ``records`` times the smallest mean weight of a published cell (the report's
    ``minimum_mean_weight``), less half a unit of rounding. None when a weighted report lacks
    it (the check cannot be made from the files).
    """
    least = max(records, excluded + 1)
    weights = report.get("weights")
    if not isinstance(weights, Mapping):
        return float(least), f"count is below {least}"
    mean = weights.get("minimum_mean_weight")
    if not isinstance(mean, int | float) or isinstance(mean, bool) or mean < 0:
        return None
    bound = least * float(mean) - 0.5
    return bound, (
        f"weighted total is below {_number(max(bound, 0.0))} = {least} records x "
        f"{_number(float(mean))}, the smallest mean weight of a published cell, less rounding"
    )


def _audit_suppression(
    result: AuditResult,
    tables: Mapping[str, PublishedTable],
    report: Mapping[str, Any],
    protection_level: float | None,
) -> None:
    parameters = report.get("parameters", {}) or {}
    threshold = parameters.get("threshold")
    level = protection_level
    if level is None:
        level = parameters.get("protection_level") or threshold
    if level is None:
        result.add("parameters", False, "the report gives no protection level nor threshold")
        return
    level = float(level)
    lattice = Lattice.build(tables)
    # Relations among published cells.
    consistency_start = len(result.checks)
    values, withheld = _consistency(result, lattice, tables)
    known = np.where(withheld, 0.0, np.nan_to_num(values))
    counts = np.diff(lattice.relation_start)
    relation_of = np.repeat(np.arange(lattice.relation_count), counts)
    residual = np.bincount(
        relation_of,
        weights=lattice.relation_coefficients * known[lattice.relation_cells],
        minlength=lattice.relation_count,
    )
    any_withheld = np.bincount(
        relation_of, weights=withheld[lattice.relation_cells], minlength=lattice.relation_count
    )
    closed = any_withheld == 0
    broken = int((closed & (np.abs(residual) > 1e-6)).sum())
    # Weighted totals are published rounded to whole numbers: relations then hold to half a
    # unit per cell, and the intruder knows no more than that.
    sizes = np.diff(lattice.relation_start)
    rounded = broken > 0 and bool((np.abs(residual[closed]) <= 0.5 * sizes[closed] + 1e-6).all())
    rounding = 0.5 if rounded else 0.0
    if rounded:
        detail = (
            f"every relation among published cells adds up to rounding ({broken} differ by "
            "rounded weighted totals; the attack allows half a unit per published cell)"
        )
    elif broken == 0:
        detail = "every relation among published cells adds up"
    else:
        detail = f"{broken} relations among published cells do not add up"
    result.checks.insert(consistency_start, Check("relations", broken == 0 or rounded, detail))
    owner = _first_table(lattice)
    if threshold is not None:
        floor = _published_floor(report, int(threshold))
        if floor is None:
            result.add("threshold", True, _UNCHECKABLE)
        else:
            bound, what = floor
            small = np.flatnonzero(~withheld & (values > 0) & (values < bound))
            for cell in small.tolist():
                result.offending.append(
                    OffendingCell(
                        table=str(owner[cell]),
                        cell=lattice.cell_name(cell),
                        reason=f"is published with {_number(values[cell])}",
                    )
                )
            weighted = isinstance(report.get("weights"), Mapping)
            result.add(
                "threshold",
                len(small) == 0,
                f"no published {what}"
                if len(small) == 0
                else f"{len(small)} published values: {what}"
                if weighted
                else f"{len(small)} published counts are below {threshold}",
            )
    try:
        attacked = attack(lattice, values, withheld, protection_level=level, rounding=rounding)
    except AttackError as error:
        result.add("attack", False, str(error))
        return
    for cell, low, high in attacked.offending():
        result.offending.append(
            OffendingCell(
                table=str(owner[cell]), cell=lattice.cell_name(cell), lower=low, upper=high
            )
        )
    failing = len(attacked.failing)
    summary = (
        f"{len(attacked.cells)} withheld cells in {attacked.components} components, "
        f"{attacked.solves} LP solves, {attacked.seconds:.1f} s"
    )
    result.add(
        "attack",
        failing == 0,
        f"every withheld cell keeps an interval at least {_number(level)} wide ({summary})"
        if failing == 0
        else f"{failing} of {len(attacked.cells)} withheld cells can be narrowed below "
        f"{_number(level)} ({summary})",
    )
    result.figures.update(
        {
            "cells": lattice.cells,
            "withheld": int(withheld.sum()),
            "protection_level": level,
            "components": attacked.components,
            "largest_component": attacked.largest_component,
            "solves": attacked.solves,
            "attack_seconds": attacked.seconds,
        }
    )


def _audit_cellkey(
    result: AuditResult, tables: Mapping[str, PublishedTable], report: Mapping[str, Any]
) -> None:
    from .cellkey import NEVER_PUBLISHED, check_ptable, consistent_across_tables

    parameters = report.get("parameters", {}) or {}
    max_deviation = parameters.get("max_deviation")
    js = int(parameters.get("js", NEVER_PUBLISHED))
    raw_ptable = report.get("ptable")
    if raw_ptable is None or max_deviation is None:
        result.add("ptable", False, "the report holds no perturbation table")
    else:
        problems = check_ptable(pd.DataFrame(raw_ptable), max_deviation=int(max_deviation), js=js)
        result.add(
            "ptable",
            not problems,
            f"zero mean, deviation at most {max_deviation}, no 1…{js} published"
            if not problems
            else "; ".join(problems[:5]),
        )
    clashes = consistent_across_tables(tables)
    result.add(
        "consistency",
        not clashes,
        f"every cell has the same value in every table ({len(tables)} tables)"
        if not clashes
        else f"{len(clashes)} cells differ between tables: " + "; ".join(clashes[:5]),
    )
    threshold = parameters.get("threshold")
    floor = _published_floor(report, int(threshold or 0), js)
    small = 0
    for table_id, table in tables.items():
        values = _values(table)
        if floor is None:
            break
        bad = (values > 0) & (values < floor[0])
        if not isinstance(report.get("weights"), Mapping):
            bad |= (values >= 1) & (values <= js)
        names = None
        for row in np.flatnonzero(bad).tolist():
            if names is None:
                from .tables import cell_ids

                names = cell_ids(table)
            small += 1
            result.offending.append(
                OffendingCell(
                    table=table_id,
                    cell=str(names.iloc[row]),
                    reason=f"is published with {_number(values[row])}",
                )
            )
    if floor is None:
        result.add("small counts", True, _UNCHECKABLE)
    elif isinstance(report.get("weights"), Mapping):
        result.add(
            "small counts",
            small == 0,
            f"no published {floor[1]}" if small == 0 else f"{small} published values: {floor[1]}",
        )
    else:
        limit = f"1…{js}" + (f" nor below {threshold}" if threshold is not None else "")
        result.add(
            "small counts",
            small == 0,
            f"no published count is {limit}"
            if small == 0
            else f"{small} published counts are {limit}",
        )


def _audit_dp(
    result: AuditResult,
    tables: Mapping[str, PublishedTable],
    report: Mapping[str, Any],
    ledger_dir: str | Path | None,
) -> None:
    from .dp import sensitivity_of

    facts = report.get("dp", {}) or {}
    budget = report.get("budget", {}) or {}
    parameters = report.get("parameters", {}) or {}
    # The categories: every combination of each table's codes, none dropped.
    gaps = []
    for table_id, table in tables.items():
        codes = [table.frame[d].astype(str).unique() for d in table.dimensions]
        expected = int(np.prod([len(c) for c in codes])) if codes else 1
        if len(table.frame) != expected or table.frame.duplicated(list(table.dimensions)).any():
            gaps.append(f"{table_id} has {len(table.frame)} cells, not {expected}")
        if table.frame["OBS_VALUE"].isna().any():
            gaps.append(f"{table_id} withholds cells")
    result.add(
        "categories",
        not gaps,
        "every table holds every combination of its codes" if not gaps else "; ".join(gaps[:5]),
    )
    # Sensitivity and privacy loss, recomputed.
    sensitivity, groupings = sensitivity_of(tables)  # type: ignore[arg-type]
    scale = facts.get("scale")
    charged = parameters.get("rho")
    if not isinstance(scale, int | float) or not isinstance(charged, int | float) or scale <= 0:
        result.add("privacy loss", False, "the report gives no noise scale or rho")
        return
    loss = ledger.gaussian_rho(sensitivity, float(scale))
    reported_sensitivity = float(facts.get("sensitivity", 0.0))
    fine = reported_sensitivity >= sensitivity - 1e-9 and loss <= float(charged) * (1 + 1e-9)
    result.add(
        "privacy loss",
        fine,
        f"{groupings} groupings, sensitivity {sensitivity:.6g}, noise scale {float(scale):.6g}: "
        f"rho {loss:.6g} ≤ {float(charged):.6g} charged"
        if fine
        else f"recomputed sensitivity {sensitivity:.6g} (report: {reported_sensitivity:.6g}) "
        f"and rho {loss:.6g} exceed the {float(charged):.6g} charged",
    )
    # The ledger, re-read and recomputed.
    ledger_file = Path(ledger_dir) / ledger.LEDGER_FILE if ledger_dir else None
    if ledger_file is None and budget.get("ledger"):
        ledger_file = Path(str(budget["ledger"]))
    if ledger_file is None or not ledger_file.exists():
        result.add("ledger", False, f"the budget ledger is not found ({ledger_file})")
        return
    try:
        verification = ledger.verify(ledger_file.parent, result.dataset)
        state = ledger.read_ledger(ledger_file.parent, result.dataset)
    except ledger.LedgerError as error:
        result.add("ledger", False, str(error))
        return
    releases = {entry.get("release"): entry for entry in state.releases}
    entry = releases.get(budget.get("release"))
    problems = list(verification.problems)
    if entry is None:
        problems.append(f"the release {budget.get('release')} is not in the ledger")
    elif float(entry["rho"]) < loss * (1 - 1e-9):
        problems.append(f"the ledger charged rho {entry['rho']} for a release costing {loss}")
    result.add(
        "ledger",
        not problems,
        f"{len(state.releases)} releases, rho {verification.spent_rho:.6g} spent of "
        f"{verification.total_rho or 0:.6g}"
        if not problems
        else "; ".join(problems[:5]),
    )
    result.figures.update({"sensitivity": sensitivity, "groupings": groupings, "rho": loss})
