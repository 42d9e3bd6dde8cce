"""Secondary suppression and its audit on a four-dimension table with all margins.

The benchmark builds, seeded, the counts of a synthetic population skewed like real ones:
``people`` persons with a Zipf-like country of birth (exponent 1.1 over ``countries`` codes),
a Zipf-like region of residence (exponent 0.8 over 50 regions), sex (51% women) and five age
groups (shares of a young population), drawn with one multinomial over the cross-classification,
so that small cells abound where real tables have them: rare countries in small regions. The
table ``COUNTRY x REGION x SEX x AGE`` with every margin has ``(countries + 1) x 51 x 3 x 6``
cells (184,518 with 200 countries); a second table ``COUNTRY x SEX`` shares its margins.

It then times, in the same run:

- ``suppress``: primary (threshold 10) and secondary suppression of both tables together,
  with the protection level 10, for ``cost="cells"``;
- the audit: the LP attack (`attack.attack`) on every withheld cell, from the published cells
  only, as ``solidarity audit`` runs it.

Wall-clock and CPU seconds are both printed: on a shared machine the CPU time is the figure
to compare (the work is single-threaded).

With ``--milp``, it times instead the exact MILP (`milp`, ``method="milp"``) against the
heuristic (hypercubes, attack and repairs, without and with the pruning pass) on small tables
``COUNTRY x SEX x AGE`` (with margins) of the same population, for growing numbers of countries:
per size, the component's cells x primary cells, the secondary cells and the suppressed count of
each method, the MILP's status and gap, and CPU seconds (``--time-limit``, default 10 s).

Run with ``python -m benchmarks.privacy_suppression [--countries N] [--people N]``; the default
is small (40 countries, 2,000,000 people: 37,638 cells, 3,490 of them below 10);
``--countries 200`` gives the 184,518-cell table of the requirement (at least 100,000 cells
protected and audited in under a minute); ``--people`` sets how many small cells it has
(10,000,000: a sixth of the cells are below 10; 30,000,000: 2%).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from solidarity.stats.privacy.attack import Lattice, attack
from solidarity.stats.privacy.suppression import suppress
from solidarity.stats.privacy.tables import TOTAL, Table

SEED = 20181219  # the day the General Assembly endorsed the Global Compact
AGE_SHARES = [0.28, 0.17, 0.30, 0.17, 0.08]


def population(*, countries: int, people: int, seed: int = SEED) -> np.ndarray:
    """Counts of shape (countries, 50, 2, 5): country, region, sex, age."""
    randomness = np.random.default_rng(seed)
    country = 1.0 / np.arange(1, countries + 1) ** 1.1
    region = 1.0 / np.arange(1, 51) ** 0.8
    sex = np.array([0.49, 0.51])
    age = np.array(AGE_SHARES)
    shares = np.einsum("a,b,c,d->abcd", *(p / p.sum() for p in (country, region, sex, age)))
    counts = randomness.multinomial(people, shares.ravel())
    return counts.reshape(shares.shape).astype(np.int64)


def table_with_margins(table_id: str, names: list[str], counts: np.ndarray) -> Table:
    """Every cell of the count array with all its margins, as a `Table`."""
    full = counts
    for axis in range(counts.ndim):
        total = full.sum(axis=axis, keepdims=True)
        full = np.concatenate([total, full], axis=axis)  # index 0: the total
    columns = {}
    for axis, name in enumerate(names):
        size = full.shape[axis]
        codes = np.array([TOTAL] + [f"{name[0]}{i:03d}" for i in range(size - 1)], dtype=object)
        shape = [1] * full.ndim
        shape[axis] = size
        columns[name] = np.broadcast_to(codes.reshape(shape), full.shape).ravel()
    frame = pd.DataFrame(columns)
    frame["count"] = full.ravel().astype(np.int64)
    frame["value"] = frame["count"].astype(np.float64)
    frame = frame.sort_values(names).reset_index(drop=True)
    return Table(id=table_id, dimensions=tuple(names), frame=frame)


def run(*, countries: int = 40, people: int = 2_000_000) -> dict[str, float]:
    counts = population(countries=countries, people=people)
    tables = {
        "T4": table_with_margins("T4", ["COUNTRY", "REGION", "SEX", "AGE"], counts),
        "T2": table_with_margins("T2", ["COUNTRY", "SEX"], counts.sum(axis=(1, 3))),
    }
    cells = tables["T4"].cells
    print(f"privacy_suppression: {countries} countries, {people:,} people, {cells:,} cells")
    started, cpu = time.perf_counter(), time.process_time()
    result = suppress(tables, threshold=10, cost="cells")
    protect_seconds = time.perf_counter() - started
    protect_cpu = time.process_time() - cpu
    figures = result.statistics
    print(
        f"  suppress: {protect_seconds:.1f} s ({protect_cpu:.1f} s of CPU) — "
        f"{figures['primary_cells']:,} primary, "
        f"{figures['secondary_cells']:,} secondary of {figures['cells']:,} cells; "
        f"information loss {figures['information_loss_cells']:.1%} of cells, "
        f"{figures['information_loss_counts']:.1%} of counts; "
        f"{figures['rounds']} attack rounds, {figures['repairs']} repairs"
    )
    # The audit sees only what is published.
    started, cpu = time.perf_counter(), time.process_time()
    lattice = Lattice.build(tables)
    published = {
        t: table.frame["value"].where(~result.confidential[t]).to_numpy()
        for t, table in tables.items()
    }
    values = lattice.cell_values(published)
    withheld = lattice.cell_mask(result.confidential)
    audit = attack(lattice, values, withheld, protection_level=10)
    audit_seconds = time.perf_counter() - started
    audit_cpu = time.process_time() - cpu
    print(
        f"  audit: {audit_seconds:.1f} s ({audit_cpu:.1f} s of CPU) — "
        f"{'passed' if audit.passed else 'FAILED'}, "
        f"{len(audit.cells):,} withheld cells in {audit.components:,} components "
        f"(largest {audit.largest_component:,}), {audit.solves:,} LP solves"
    )
    print(
        f"  of which pruning {figures['timings']['prune']:.1f} s "
        f"({figures['pruned_cells']:,} of {figures['heuristic_secondary_cells']:,} secondary "
        f"cells published again); components: "
        + ", ".join(
            f"{c['method']} ({c['reason'] or c['milp']['status']})" for c in figures["components"]
        )
    )
    print(
        f"  protected and audited: {protect_seconds + audit_seconds:.1f} s "
        f"({protect_cpu + audit_cpu:.1f} s of CPU; one core, single-threaded HiGHS)"
    )
    return {
        "cells": float(cells),
        "suppress_seconds": protect_seconds,
        "audit_seconds": audit_seconds,
        "cpu_seconds": protect_cpu + audit_cpu,
        "passed": float(audit.passed),
    }


def _timed(tables: dict[str, Table], **options: Any) -> tuple[dict[str, Any], float]:
    cpu = time.process_time()
    result = suppress(tables, threshold=10, **options)
    return result.statistics, time.process_time() - cpu


def run_milp(
    *, sizes: tuple[int, ...] = (8, 10, 12, 16, 20), people: int = 5_000, time_limit: float = 10.0
) -> list[dict[str, Any]]:
    """The MILP against the heuristic on ``COUNTRY x SEX x AGE`` tables of growing size."""
    print(f"privacy_suppression --milp: COUNTRY x SEX x AGE with margins, {people:,} people")
    print(
        "| countries | cells x primaries | method | secondary | suppressed count | "
        "status (gap) | CPU s |"
    )
    print("|---|---|---|---|---|---|---|")
    rows: list[dict[str, Any]] = []
    for countries in sizes:
        counts = population(countries=countries, people=people).sum(axis=1)
        tables = {"T": table_with_margins("T", ["COUNTRY", "SEX", "AGE"], counts)}
        runs = {
            "heuristic": _timed(tables, method="heuristic", prune=0),
            "heuristic + pruning": _timed(tables, method="heuristic"),
            "MILP": _timed(tables, method="milp", time_limit=time_limit),
        }
        for name, (figures, cpu) in runs.items():
            components: list[dict[str, Any]] = figures["components"]
            if not components:
                print(f"| {countries} | no primary cell | | | | | |")
                break
            component = components[0]
            milp = component["milp"]
            gap = "no bound" if milp is None or milp["gap"] is None else f"{milp['gap']:.0%}"
            status = "" if milp is None else f"{milp['status']} ({gap})"
            print(
                f"| {countries} | {component['size']:,} | {name} | {figures['secondary_cells']} "
                f"| {figures['suppressed_count']:,} | {status} | {cpu:.2f} |"
            )
            rows.append({"countries": countries, "method": name, "cpu": cpu, **figures})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.privacy_suppression")
    parser.add_argument("--countries", type=int, default=40)
    parser.add_argument("--people", type=int, default=2_000_000)
    parser.add_argument("--milp", action="store_true", help="the MILP against the heuristic")
    parser.add_argument("--time-limit", type=float, default=10.0)
    arguments = parser.parse_args()
    if arguments.milp:
        run_milp(time_limit=arguments.time_limit)
        print(f"load average: {Path('/proc/loadavg').read_text().split()[:3]}")
        return
    run(countries=arguments.countries, people=arguments.people)


if __name__ == "__main__":
    main()
