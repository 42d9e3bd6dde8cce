"""Privacy engine: exact tabulation and the cell key method on synthetic census microdata.

A seeded generator writes a Parquet file of ``rows`` people, skewed like a real population:
country of birth Zipf-like over 200 ISO 3166 codes (most people born in the first one), age 0-99
(a population pyramid), sex, 6 ethnic groups (uneven shares), 50 regions (uneven sizes) and
migratory status (native, foreign-born, refugee; tied to the country of birth). A 5-table
specification crosses them, up to 4 dimensions per table, every margin included.

Measured in the same run, each in a fresh process so that peak memory (VmHWM) is its own:

- ``tabulate``: `solidarity.stats.privacy.tabulate.tabulate`, exact counts, DuckDB engine;
- ``raw cube``: the floor, DuckDB ``GROUP BY CUBE`` on the same file with the same binning of
  age, one query per table, nothing else (no codes, no completion, no checks);
- ``pandas``: the same tables with pandas ``groupby`` over every subset of each table's
  dimensions (columns read as categoricals; skipped above ``--pandas-max`` rows, for memory);
- ``record keys``: drawing and writing the keys of every person (once per dataset);
- ``tabulate + keys``: the tabulation with cell keys (the join of the keys and their sums), and
  ``cell key``: that plus the perturbation and threshold of every cell;
- ``spark`` (with ``--spark``): the Spark engine in local mode on all cores.

Ratios: tabulate / raw cube, pandas / tabulate (target ≥ 10), cell key / tabulate (target ≤ 1.3)
and cell key / raw cube, wall-clock and CPU.
Run with ``python -m benchmarks.privacy_tabulate [--rows N] [--spark]`` or ``./dev bench``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from itertools import combinations
from pathlib import Path
from typing import Any

SEED = 20181219
M49 = Path(__file__).parent.parent / "src/solidarity/stats/privacy/data/m49_regions.csv"
CHUNK = 2_000_000
ETHNIC_SHARES = [0.55, 0.2, 0.12, 0.07, 0.04, 0.02]
AGE_BINS = [[low, low + 4, f"Y{low}T{low + 4}"] for low in range(0, 85, 5)] + [[85, None, "Y_GE85"]]


def generate(path: Path, *, rows: int, seed: int = SEED) -> None:
    """Write the synthetic microdata (Parquet), in chunks so memory stays flat."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    with M49.open(encoding="utf-8") as handle:
        countries = [row["iso3"] for row in csv.DictReader(handle)][:200]
    rng = np.random.default_rng(seed)
    zipf = 1.0 / np.arange(1, len(countries) + 1) ** 1.1
    zipf /= zipf.sum()
    region_sizes = rng.pareto(1.5, 50) + 1
    region_sizes /= region_sizes.sum()
    pyramid = np.linspace(1.4, 0.2, 100)
    pyramid /= pyramid.sum()
    schema = pa.schema(
        [
            ("country_of_birth", pa.string()),
            ("age", pa.int16()),
            ("sex", pa.string()),
            ("ethnicity", pa.string()),
            ("region", pa.string()),
            ("migratory_status", pa.string()),
        ]
    )
    country_codes = np.array(countries)
    ethnic_codes = np.array([f"E{i}" for i in range(1, 7)])
    region_codes = np.array([f"R{i:02d}" for i in range(1, 51)])
    with pq.ParquetWriter(path, schema, compression="snappy") as writer:
        done = 0
        while done < rows:
            size = min(CHUNK, rows - done)
            country = rng.choice(len(countries), size=size, p=zipf)
            status = np.where(
                country == 0,
                "NATIVE",
                np.where(rng.random(size) < 0.08, "REFUGEE", "FOREIGN_BORN"),
            )
            table = pa.table(
                {
                    "country_of_birth": country_codes[country],
                    "age": rng.choice(100, size=size, p=pyramid).astype(np.int16),
                    "sex": np.where(rng.random(size) < 0.51, "F", "M"),
                    "ethnicity": ethnic_codes[rng.choice(6, size=size, p=ETHNIC_SHARES)],
                    "region": region_codes[rng.choice(50, size=size, p=region_sizes)],
                    "migratory_status": status,
                },
                schema=schema,
            )
            writer.write_table(table)
            done += size


def specification(path: Path) -> dict[str, Any]:
    return {
        "dataset": "synthetic-census",
        "microdata": {"path": str(path)},
        "dimensions": {
            "COUNTRY_OF_BIRTH": {"column": "country_of_birth"},
            "AGE": {"column": "age", "bins": AGE_BINS},
            "SEX": {"column": "sex", "codes": {"F": "F", "M": "M"}},
            "ETHNICITY": {"column": "ethnicity"},
            "REGION": {"column": "region"},
            "MIGRATORY_STATUS": {"column": "migratory_status"},
        },
        "tables": [
            {"id": "T1", "dimensions": ["COUNTRY_OF_BIRTH", "SEX"]},
            {"id": "T2", "dimensions": ["COUNTRY_OF_BIRTH", "AGE", "SEX", "ETHNICITY"]},
            {"id": "T3", "dimensions": ["REGION", "AGE", "SEX", "MIGRATORY_STATUS"]},
            {"id": "T4", "dimensions": ["REGION", "ETHNICITY", "MIGRATORY_STATUS"]},
            {"id": "T5", "dimensions": ["REGION", "COUNTRY_OF_BIRTH", "SEX"]},
        ],
    }


def _peak_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _step(step: str, data: Path, state: Path) -> dict[str, Any]:
    """One measured step, in this (fresh) process."""
    import duckdb

    from solidarity.stats.privacy.spec import parse_spec

    spec = parse_spec(specification(data), file="benchmark")
    threads = int(duckdb.connect().execute("SELECT current_setting('threads')").fetchone()[0])
    result: dict[str, Any] = {"threads": threads}
    started = time.perf_counter()
    cpu = time.process_time()
    if step == "tabulate":
        from solidarity.stats.privacy.tabulate import tabulate

        tables = tabulate(spec, data)
        result["cells"] = sum(t.cells for t in tables.values())
    elif step == "raw":
        connection = duckdb.connect()
        case = " ".join(
            f"WHEN age >= {low} {'' if high is None else f'AND age <= {high}'} THEN '{code}'"
            for low, high, code in AGE_BINS
        )
        columns = {
            "COUNTRY_OF_BIRTH": "country_of_birth",
            "AGE": f"CASE {case} END",
            "SEX": "sex",
            "ETHNICITY": "ethnicity",
            "REGION": "region",
            "MIGRATORY_STATUS": "migratory_status",
        }
        cells = 0
        for table in spec.tables:
            selects = ", ".join(f"{columns[d]} AS {d}" for d in table.dimensions)
            names = ", ".join(table.dimensions)
            query = (
                f"SELECT {names}, count(*) FROM (SELECT {selects} FROM read_parquet('{data}')) "  # noqa: S608
                f"GROUP BY CUBE ({names})"
            )
            cells += len(connection.execute(query).fetchall())
        result["cells"] = cells
    elif step in ("pandas", "pandas_categorical"):
        import pandas as pd

        frame = pd.read_parquet(data)
        frame["AGE"] = pd.cut(
            frame["age"], [-1, *[b[1] for b in AGE_BINS[:-1]], 200], labels=[b[2] for b in AGE_BINS]
        )
        names = {
            "COUNTRY_OF_BIRTH": "country_of_birth",
            "SEX": "sex",
            "ETHNICITY": "ethnicity",
            "REGION": "region",
            "MIGRATORY_STATUS": "migratory_status",
        }
        for dimension, column in names.items():
            # As read (pandas' string columns), or as categoricals: pandas' fastest groupby.
            kind = "category" if step == "pandas_categorical" else frame[column].dtype
            frame[dimension] = frame[column].astype(kind)
        cells = 0
        for table in spec.tables:
            for size in range(len(table.dimensions) + 1):
                for subset in combinations(table.dimensions, size):
                    if subset:
                        cells += len(frame.groupby(list(subset), observed=True).size())
                    else:
                        cells += 1
        result["cells"] = cells
    elif step == "keys":
        from solidarity.stats.privacy.keys import ensure_record_keys

        ensure_record_keys(spec, data, state_dir=state)
    elif step in ("tabulate_keys", "cellkey"):
        from solidarity.stats.privacy.cellkey import protect_cellkey
        from solidarity.stats.privacy.keys import KEYS_FILE
        from solidarity.stats.privacy.tabulate import tabulate

        tables = tabulate(spec, data, record_keys=state / KEYS_FILE)
        result["cells"] = sum(t.cells for t in tables.values())
        if step == "cellkey":
            protect_cellkey(tables, threshold=10, max_deviation=2)
    elif step == "spark":
        import warnings

        warnings.simplefilter("ignore")
        from pyspark.sql import SparkSession

        session = (
            SparkSession.builder.master("local[*]")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", "8")
            .config("spark.driver.memory", "3g")
            .getOrCreate()
        )
        session.sparkContext.setLogLevel("ERROR")
        from solidarity.stats.privacy.tabulate import tabulate

        started = time.perf_counter()
        tables = tabulate(spec, data, engine="spark")
        result["cells"] = sum(t.cells for t in tables.values())
        result["seconds"] = time.perf_counter() - started
        result["cpu_seconds"] = time.process_time() - cpu  # the driver's; not the JVM's
        session.stop()
        result["peak_mib"] = _peak_mib()
        # Same results as DuckDB: every cell's count, table by table (asserted, not timed).
        duck = tabulate(spec, data)
        for table_id, table in tables.items():
            theirs = table.frame.set_index(list(table.dimensions))["count"].sort_index()
            ours = duck[table_id].frame.set_index(list(table.dimensions))["count"].sort_index()
            assert theirs.index.equals(ours.index), f"{table_id}: Spark's cells differ"
            assert (theirs.to_numpy() == ours.to_numpy()).all(), f"{table_id}: counts differ"
        result["same_as_duckdb"] = True
        return result
    else:
        raise ValueError(step)
    result["seconds"] = time.perf_counter() - started
    result["cpu_seconds"] = time.process_time() - cpu
    result["peak_mib"] = _peak_mib()
    return result


# The fast steps whose ratios are targets are run several times (the median counts); the slow
# ones (pandas, Spark) and the one-off drawing of keys once.
_REPEATED = ("raw", "tabulate", "tabulate_keys", "cellkey")


def _once(step: str, data: Path, state: Path) -> dict[str, Any]:
    """One run of a step in a fresh process."""
    completed = subprocess.run(  # noqa: S603  # our own module, fixed arguments
        [
            sys.executable,
            "-m",
            "benchmarks.privacy_tabulate",
            "--step",
            step,
            "--data",
            str(data),
            "--state",
            str(state),
        ],
        check=True,
        capture_output=True,
        text=True,
        cwd=Path(__file__).parent.parent,
    )
    return dict(json.loads(completed.stdout.strip().splitlines()[-1]))


def _measure(steps: list[str], data: Path, state: Path, repeat: int) -> dict[str, dict[str, Any]]:
    """Each step's median wall-clock and CPU time over ``repeat`` fresh processes, the
    repeated steps interleaved (raw, tabulate, …, raw, tabulate, …) so that a busier minute of
    a shared machine falls on all of them alike; and each step's largest peak memory."""
    runs: dict[str, list[dict[str, Any]]] = {step: [] for step in steps}
    for round_number in range(repeat):
        for step in steps:
            if round_number == 0 or step in _REPEATED:
                runs[step].append(_once(step, data, state))
    results = {}
    for step, results_of_step in runs.items():
        results[step] = {
            **results_of_step[0],
            "seconds": statistics.median(r["seconds"] for r in results_of_step),
            "cpu_seconds": statistics.median(r["cpu_seconds"] for r in results_of_step),
            "peak_mib": max(r["peak_mib"] for r in results_of_step),
            "runs": [r["seconds"] for r in results_of_step],
        }
    return results


def run(
    *, rows: int = 1_000_000, spark: bool = False, pandas_max: int = 20_000_000,
    folder: Path | None = None, repeat: int = 3, parquet: Path | None = None,
    only: list[str] | None = None,
) -> dict[str, dict[str, Any]]:  # fmt: skip
    with tempfile.TemporaryDirectory(dir=folder) as temporary:
        data = parquet if parquet is not None else Path(temporary) / "people.parquet"
        state = Path(temporary) / "state"
        started = time.perf_counter()
        if not data.exists():
            generate(data, rows=rows)
        size = data.stat().st_size / 2**20
        print(f"privacy_tabulate: {rows:,} people, {size:.0f} MiB of Parquet, generated in "
              f"{time.perf_counter() - started:.1f} s")  # fmt: skip
        steps = ["raw", "tabulate", "keys", "tabulate_keys", "cellkey"]
        if rows <= pandas_max:
            steps += ["pandas", "pandas_categorical"]
        if spark:
            steps.append("spark")
        if only:
            steps = [step for step in steps if step in only or step == "tabulate"]
        results = _measure(steps, data, state, repeat)
    threads = results["tabulate"]["threads"]
    base = results["tabulate"]["seconds"]
    cells, raw_cells = results["tabulate"]["cells"], results.get("raw", {}).get("cells")
    print(f"  cells in the 5 tables: {cells:,} (raw cube: {raw_cells or 0:,} non-empty); "
          f"DuckDB threads: {threads}")  # fmt: skip
    for step, label in [
        ("raw", "raw DuckDB GROUP BY CUBE (floor)"),
        ("tabulate", "tabulate, exact"),
        ("keys", "record keys, drawn and written once"),
        ("tabulate_keys", "tabulate with cell keys"),
        ("cellkey", "cell key method (tabulate + perturb)"),
        ("pandas", "pandas groupby (string columns)"),
        ("pandas_categorical", "pandas groupby (categoricals)"),
        ("spark", "Spark local[*]"),
    ]:
        if step not in results:
            continue
        figure = results[step]
        rate = rows / figure["seconds"] / threads
        runs = ", ".join(f"{t:.2f}" for t in figure.get("runs", []))
        median = f"  (median of {runs}; CPU {figure['cpu_seconds']:.1f} s)" if runs else ""
        print(f"  {label:40s} {figure['seconds']:8.2f} s  {rate:>12,.0f} rows/s/core  "
              f"peak {figure['peak_mib']:,.0f} MiB{median}")  # fmt: skip
    if "raw" in results:
        raw = results["raw"]
        cpu_ratio = results["tabulate"]["cpu_seconds"] / raw["cpu_seconds"]
        print(f"  ratio tabulate / raw cube: {base / raw['seconds']:.2f}x wall-clock, "
              f"{cpu_ratio:.2f}x CPU")  # fmt: skip
    if "cellkey" in results:
        cpu = results["tabulate"]["cpu_seconds"]
        print(f"  ratio cell key / tabulate: {results['cellkey']['seconds'] / base:.2f}x "
              f"wall-clock, {results['cellkey']['cpu_seconds'] / cpu:.2f}x CPU "
              "(target <= 1.3)")  # fmt: skip
        if "raw" in results:
            wall = results["cellkey"]["seconds"] / results["raw"]["seconds"]
            cpu_ratio = results["cellkey"]["cpu_seconds"] / results["raw"]["cpu_seconds"]
            print(f"  ratio cell key / raw cube: {wall:.2f}x wall-clock, "
                  f"{cpu_ratio:.2f}x CPU")  # fmt: skip
    for step in ("pandas", "pandas_categorical"):
        if step in results:
            print(f"  ratio {step} / tabulate: {results[step]['seconds'] / base:.1f}x "
                  "(target >= 10)")  # fmt: skip
    if "spark" in results:
        print(f"  ratio Spark / DuckDB: {results['spark']['seconds'] / base:.1f}x; "
              "same counts in every cell: asserted")  # fmt: skip
    return results


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.privacy_tabulate",
                                     description=__doc__)  # fmt: skip
    parser.add_argument("--rows", type=int, default=1_000_000, help="people to generate")
    parser.add_argument("--spark", action="store_true", help="also time the Spark engine")
    parser.add_argument("--pandas-max", type=int, default=20_000_000,
                        help="skip pandas above this many rows")  # fmt: skip
    parser.add_argument("--folder", type=Path, help="where to write the temporary files")
    parser.add_argument("--repeat", type=int, default=3, help="runs per step (the median counts)")
    parser.add_argument("--parquet", type=Path,
                        help="microdata to reuse (made there, kept, when missing)")  # fmt: skip
    parser.add_argument("--only", help="comma-separated steps to run (tabulate always runs)")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--state", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.step:
        print(json.dumps(_step(arguments.step, arguments.data, arguments.state)))
        return
    run(rows=arguments.rows, spark=arguments.spark, pandas_max=arguments.pandas_max,
        folder=arguments.folder, repeat=arguments.repeat, parquet=arguments.parquet,
        only=arguments.only.split(",") if arguments.only else None)  # fmt: skip


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
