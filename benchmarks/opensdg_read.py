"""Reading Open SDG indicator CSV: `solidarity.stats.opensdg.read_open_sdg` against a floor.

The benchmark writes a synthetic Open SDG file (seeded, so every run reads the same bytes) of
``rows`` rows with six disaggregation columns, quarterly periods, status words and about 1% of
suppressed cells, every row a distinct observation. It then times, in the same run:

- the floor: Python's ``csv.reader`` going over the same file and doing nothing with the rows;
- the reader: ``read_open_sdg(path).observations()`` consumed to the end (decoding, checking
  every cell, normalising periods and values, the duplicate index, building observations).

and prints rows per second for both and their ratio. Peak memory is measured in fresh
subprocesses (``VmHWM``) that read the first 10%, 50% and 100% of the rows: streaming keeps
everything flat except the index of keys that finds duplicates, which grows with the number of
distinct observations; the slope per row is printed so that it can be compared with that index.

Run with ``python -m benchmarks.opensdg_read [--rows N]`` or, with every benchmark,
``./dev bench``.
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from itertools import islice, product
from pathlib import Path

from solidarity.stats.opensdg import read_open_sdg

SEED = 20181219  # the day the General Assembly endorsed the Global Compact

HEADER = [
    "Year",
    "Series",
    "Sex",
    "Age",
    "Country of birth",
    "Disability status",
    "Units",
    "Unit multiplier",
    "Observation status",
    "GeoCode",
    "Value",
]


def _keys() -> Iterator[tuple[str, ...]]:
    periods = [f"{year} Q{quarter}" for year in range(1990, 2024) for quarter in range(1, 5)]
    sexes = ["", "Female", "Male"]
    ages = ["", "16-24", "25-34", "35-49", "50-64", "65+"]
    births = ["", "UK", "EU", "Non-EU"]
    disability = ["", "Disabled", "Not disabled"]
    areas = [f"E{number:08d}" for number in range(1, 40)] + [""]
    yield from product(periods, sexes, ages, births, disability, areas)


def generate(path: Path, *, rows: int, seed: int = SEED) -> None:
    """Write a synthetic Open SDG file of ``rows`` distinct observations."""
    randomness = random.Random(seed)  # noqa: S311  # reproducible test data, not secrets
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(HEADER)
        for period, sex, age, birth, disabled, area in islice(_keys(), rows):
            if randomness.random() < 0.01:
                status, value = "Missing value; suppressed", ""
            else:
                status = "Normal value" if randomness.random() < 0.9 else "Provisional"
                value = f"{randomness.uniform(0, 30):.1f}"
            writer.writerow(
                [
                    period,
                    "Unemployment rate",
                    sex,
                    age,
                    birth,
                    disabled,
                    "Percentage (%)",
                    "Units",
                    status,
                    area,
                    value,
                ]
            )


def floor(path: Path) -> int:
    """Go over the file with csv.reader, doing nothing: what any CSV reader must pay."""
    count = 0
    with path.open(encoding="utf-8", newline="") as file:
        for _ in csv.reader(file):
            count += 1
    return count - 1


def read(path: Path) -> tuple[int, int, int]:
    """Read every observation; return how many, and the errors and warnings found."""
    reading = read_open_sdg(path)
    count = sum(1 for _ in reading.observations())
    return count, reading.error_count, reading.warning_count


def _peak_memory_mib(path: Path, rows: int) -> float:
    """Peak resident memory of a fresh process that reads the first ``rows`` observations."""
    result = subprocess.run(  # noqa: S603  # our own interpreter and module, fixed arguments
        [sys.executable, "-m", "benchmarks.opensdg_read", "--memory-of", str(path), str(rows)],
        check=True,
        capture_output=True,
        text=True,
    )
    return float(result.stdout.strip())


def _memory_of(path: Path, rows: int) -> None:
    reading = read_open_sdg(path)
    for _ in islice(reading.observations(), rows):
        pass
    print(_peak_resident_kib() / 1024)


def _peak_resident_kib() -> int:
    # VmHWM is this process's own peak; ru_maxrss can carry the parent's peak over the fork on
    # Linux, which would hide a small reader behind a big benchmark process.
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS


def run(*, rows: int) -> None:
    """Generate the file, time the floor and the reader, measure memory, print the figures."""
    print(f"Open SDG reader: {rows:,} rows (synthetic, seed {SEED})")
    with tempfile.TemporaryDirectory(prefix="solidarity-bench-") as directory:
        path = Path(directory) / "indicator.csv"
        started = time.perf_counter()
        generate(path, rows=rows)
        print(
            f"  generated {path.stat().st_size / 2**20:.0f} MiB "
            f"in {time.perf_counter() - started:.1f} s"
        )

        started = time.perf_counter()
        floor_rows = floor(path)
        floor_seconds = time.perf_counter() - started

        started = time.perf_counter()
        read_rows, errors, warnings = read(path)
        read_seconds = time.perf_counter() - started

        assert floor_rows == rows, floor_rows
        assert errors == 0, errors
        print(f"  floor (csv.reader, nothing else): {rows / floor_seconds:>10,.0f} rows/s")
        print(
            f"  read_open_sdg, all observations:  {rows / read_seconds:>10,.0f} rows/s "
            f"({read_rows:,} observations, {warnings:,} warnings for suppressed cells)"
        )
        print(f"  ratio reader / floor (time): {read_seconds / floor_seconds:.1f}x")

        baseline = _peak_memory_mib(path, 0)
        print(f"  peak memory (fresh process, VmHWM), after import: {baseline:.0f} MiB")
        points = sorted({max(rows // 10, 1), max(rows // 2, 1), rows})
        peaks = [_peak_memory_mib(path, count) for count in points]
        for count, peak in zip(points, peaks, strict=True):
            print(f"    reading {count:>9,} rows: {peak:.0f} MiB")
        if len(points) > 1:
            slope = (peaks[-1] - peaks[0]) * 2**20 / (points[-1] - points[0])
            print(
                f"    growth: {slope:.0f} bytes per row: the duplicate index (a 16-byte digest "
                "and a row number per distinct observation, in a table at most 60% full)"
            )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.opensdg_read")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--memory-of", nargs=2, metavar=("PATH", "ROWS"), help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.memory_of:
        _memory_of(Path(arguments.memory_of[0]), int(arguments.memory_of[1]))
    else:
        run(rows=arguments.rows)


if __name__ == "__main__":
    main()
