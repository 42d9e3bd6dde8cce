"""Ingest: validating and storing SDMX-CSV observations with `submission_import`, against a floor.

A seeded SDMX-CSV 1.0 file of ``rows`` distinct observations of GCM_REFUGEES_HOSTED for Kenya
(SEX x AGE x daily periods) is written once. Then, each in a fresh process on a fresh, migrated
database holding the catalogue:

- SQLite (a temporary file): `submission_import` (read, validate, store) against the floor, a
  raw ``executemany`` of the same rows (read with ``csv.reader``) into an unindexed table;
- PostgreSQL, when ``DATABASE_URL`` points at it or ``--postgres URL`` is given (a temporary
  database is created on that server and dropped): `submission_import` against a raw ``COPY``
  of the same file into an unindexed table.

Both times (and the import's CPU time in this process), their ratio (target ≤ 3x), the peak
memory (VmHWM) and the load average are printed; with ``--runs N``, N fresh runs per database
and the median ratio.
Run with ``python -m benchmarks.ingest [--rows N] [--runs N] [--only sqlite|postgresql]
[--postgres URL]`` or ``./dev bench``.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from itertools import islice, product
from pathlib import Path

SEED = 20181219
CODELISTS = Path(__file__).parent.parent / "src/solidarity/indicators/data/codelists.json"
COLUMNS = ["DATAFLOW", "REF_AREA", "SEX", "AGE", "ORIGIN", "TIME_PERIOD", "OBS_VALUE"]


def generate(path: Path, *, rows: int, seed: int = SEED) -> None:
    codes = json.loads(CODELISTS.read_text(encoding="utf-8"))["codes"]
    sexes = [c["code"] for c in codes if c["dimension"] == "SEX"]
    ages = [c["code"] for c in codes if c["dimension"] == "AGE"]
    days = rows // (len(sexes) * len(ages)) + 1
    start = datetime.date(1990, 1, 1)
    periods = [(start + datetime.timedelta(days=n)).isoformat() for n in range(days)]
    randomness = random.Random(seed)  # noqa: S311  # reproducible test data, not secrets
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        for sex, age, period in islice(product(sexes, ages, periods), rows):
            value = randomness.randint(0, 100_000)
            writer.writerow(["SOLIDARITY:DF_GCM_REFUGEES_HOSTED(1.0)", "404", sex, age, "_T",
                             period, value])  # fmt: skip


def _peak_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _checkpoint() -> None:
    """On PostgreSQL, write the server's dirty pages out now (a superuser's or pg_checkpoint's
    right; without it, nothing)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    try:
        with connection.cursor() as cursor:
            cursor.execute("CHECKPOINT")
    except Exception:  # not allowed: measured without
        print("(CHECKPOINT not allowed: steps measured without it)", file=sys.stderr)


def child(database_url: str, path: Path) -> None:
    """In a fresh process: migrate, load the catalogue, time the floor and the import."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "solidarity.config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from solidarity.accounts.models import Organisation
    from solidarity.indicators.actions import submission_import
    from solidarity.indicators.loaders import load_indicator_catalogue
    from solidarity.indicators.models import Indicator
    from solidarity.indicators.selectors import ref_area_get
    from solidarity.reference.loaders import load_reference_data

    call_command("migrate", verbosity=0)
    load_reference_data(actor="system:bench")
    load_indicator_catalogue(actor="system:bench")
    provider = Organisation.objects.create(name="Bench office", kind=Organisation.Kind.NSO)
    # The floor first, then the import, then the comparison. Each timed step starts with the
    # server's dirty pages written out, so that none pays for the one before it (a checkpoint
    # set off by the previous step's writes slowed the floor measured last by up to half).
    _checkpoint()
    columns = "dataflow text, ref_area text, sex text, age text, origin text, "
    columns += "time_period text, obs_value numeric"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE bench_floor ({columns})")
        started = time.perf_counter()
        if connection.vendor == "postgresql":
            statement = "COPY bench_floor FROM STDIN WITH (FORMAT csv, HEADER true)"
            with path.open("rb") as file, cursor.cursor.copy(statement) as copy:
                while chunk := file.read(1 << 20):
                    copy.write(chunk)
            floor_name = "raw COPY"
        else:
            raw = connection.connection
            with transaction.atomic(), path.open(encoding="utf-8", newline="") as file:
                reader = csv.reader(file)
                next(reader)
                while batch := list(islice(reader, 2000)):
                    raw.executemany("INSERT INTO bench_floor VALUES (?, ?, ?, ?, ?, ?, ?)", batch)
            floor_name = "raw executemany"
        floor = time.perf_counter() - started
    _checkpoint()
    started, cpu_started = time.perf_counter(), time.process_time()
    with path.open("rb") as file:
        result = submission_import(
            actor="system:bench",
            indicator=Indicator.objects.get(code="GCM_REFUGEES_HOSTED"),
            provider=provider,
            ref_area=ref_area_get(iso3_or_m49="KEN"),
            file=file,
            file_name=path.name,
            dry_run=False,
            format="sdmx-csv",
        )
    imported = time.perf_counter() - started
    imported_cpu = time.process_time() - cpu_started
    assert result.version is not None, result.summary.as_json()["problems"][:5]
    stored = result.version.observation_count
    # For comparison: the database alone storing the same rows row by row in the observations
    # table (its indexes, constraints, JSON) as a second version, copied inside the database —
    # on PostgreSQL into the default partition, the way every import was stored before a
    # submission got a partition of its own.
    from solidarity.indicators.models import DatasetVersion, Observation

    _checkpoint()
    copy_version = DatasetVersion.objects.create(
        dataset=result.version.dataset, number=2, created_by_label="system:bench"
    )
    names = "series, series_key, time_period, value, obs_status, conf_status, "
    names += "unit, unit_multiplier, footnote, source_row"
    table = Observation._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(
            f"INSERT INTO {table} (version_id, {names}) "  # noqa: S608  # fixed names
            f"SELECT %s, {names} FROM {table} WHERE version_id = %s",
            [copy_version.pk, result.version.pk],
        )
        storage = time.perf_counter() - started
    print(json.dumps({"imported": imported, "imported_cpu": imported_cpu, "floor": floor,
                      "floor_name": floor_name, "storage": storage, "rows": stored,
                      "peak_mib": _peak_mib(),
                      "load": Path("/proc/loadavg").read_text().split()[0]}))  # fmt: skip


def _measure(database_url: str, path: Path) -> dict[str, object]:
    output = subprocess.run(  # noqa: S603  # our own interpreter and module, fixed arguments
        [sys.executable, "-m", "benchmarks.ingest", "--child", database_url, str(path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    figures: dict[str, object] = json.loads(output.strip().splitlines()[-1])
    return figures


def _report(name: str, figures: dict[str, object]) -> float:
    imported = float(str(figures["imported"]))
    floor = float(str(figures["floor"]))
    rows = int(str(figures["rows"]))
    storage = float(str(figures["storage"]))
    print(f"  {name}: submission_import {imported:.1f} s ({rows / imported:,.0f} rows/s, "
          f"CPU of this process {float(str(figures['imported_cpu'])):.1f} s); "
          f"{figures['floor_name']} {floor:.1f} s; ratio {imported / floor:.2f}x (target ≤ 3x); "
          f"storing the same rows row by row in the shared table {storage:.1f} s (import / "
          f"that {imported / storage:.2f}x); "
          f"peak memory {float(str(figures['peak_mib'])):.0f} MiB; "
          f"load average {figures['load']}", flush=True)  # fmt: skip
    return imported / floor


def _median(name: str, ratios: list[float]) -> None:
    if len(ratios) > 1:
        listed = ", ".join(f"{ratio:.2f}" for ratio in ratios)
        print(f"  {name}: median ratio {statistics.median(ratios):.2f}x ({listed})")


def run(*, rows: int, postgres: str | None = None, runs: int = 1, only: str | None = None) -> None:
    if postgres is None and os.environ.get("DATABASE_URL", "").startswith("postgres"):
        postgres = os.environ["DATABASE_URL"]
    print(f"Ingest of {rows:,} SDMX-CSV observations, {runs} run(s) per database")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "refugees.csv"
        generate(path, rows=rows)
        if only in (None, "sqlite"):
            ratios = []
            for number in range(runs):
                database = Path(folder) / f"bench{number}.sqlite3"
                ratios.append(_report("SQLite", _measure(f"sqlite:///{database}", path)))
                database.unlink()
            _median("SQLite", ratios)
        if postgres and only in (None, "postgresql"):
            import psycopg

            base, _slash, _db = postgres.rpartition("/")
            ratios = []
            for _number in range(runs):
                name = f"solidarity_bench_{uuid.uuid4().hex[:8]}"
                with psycopg.connect(postgres, autocommit=True) as admin:
                    admin.execute(f'CREATE DATABASE "{name}"')
                try:
                    ratios.append(_report("PostgreSQL", _measure(f"{base}/{name}", path)))
                finally:
                    with psycopg.connect(postgres, autocommit=True) as admin:
                        admin.execute(f'DROP DATABASE "{name}"')
            _median("PostgreSQL", ratios)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ingest")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--postgres", metavar="URL", help="PostgreSQL server to measure on")
    parser.add_argument("--runs", type=int, default=1, help="runs per database (median ratio)")
    parser.add_argument("--only", choices=["sqlite", "postgresql"], help="one database only")
    parser.add_argument("--child", nargs=2, metavar=("URL", "PATH"), help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        child(arguments.child[0], Path(arguments.child[1]))
    else:
        run(
            rows=arguments.rows,
            postgres=arguments.postgres,
            runs=arguments.runs,
            only=arguments.only,
        )


if __name__ == "__main__":
    main()
