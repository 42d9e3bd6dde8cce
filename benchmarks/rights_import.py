"""Importing recommendations: `recommendations_import` on the UPR Info CSV layout, against a
floor; and the streaming UHRI JSON reader's speed and memory.

Data: the real UPR Info file (``upr_info_recommendations_2008-2012.csv.gz`` in
``shared/data/recommendations/``, 23,484 rows) when ``rows`` is its size or less (its first
``rows`` rows), otherwise the file repeated with each copy's sessions renumbered so that every
row is a distinct recommendation; written uncompressed into a temporary folder. In a fresh
process on a fresh, migrated SQLite database (or PostgreSQL with ``--postgres URL`` / a
``postgres`` ``DATABASE_URL``; a temporary database is created and dropped) holding the
reference catalogue, it times:

- the import (read, check, look countries up, store, with its official labels and groups) — the
  target is under 60 s for the 23,484 rows;
- the same file imported again (nothing may change);
- the floor: ``csv.reader`` over the same file with a raw ``executemany`` of its rows into an
  unindexed table, in one transaction.

Then, without a database, the UHRI JSON reader (`read_uhri_json`) over a generated export of
``rows`` annotations, with the peak memory of that process: streaming keeps it flat whatever the
file's size.

Run with ``python -m benchmarks.rights_import [--rows N] [--postgres URL]`` or ``./dev bench``.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from itertools import islice
from pathlib import Path

REAL_ROWS = 23_484
SHARED = Path(
    os.environ.get(
        "SOLIDARITY_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"
    )
)
UPR_INFO = SHARED / "recommendations" / "upr_info_recommendations_2008-2012.csv.gz"


def generate_upr_info(path: Path, *, rows: int) -> None:
    with gzip.open(UPR_INFO, "rt", encoding="utf-8", newline="") as source:
        reader = csv.reader(source)
        header = next(reader)
        body = list(reader)
    session = header.index("Session")
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        written, copy = 0, 0
        while written < rows:
            for row in islice(body, rows - written):
                if copy:
                    row = [*row]
                    row[session] = str(int(row[session]) + 100 * copy)
                writer.writerow(row)
                written += 1
            copy += 1


def generate_uhri_json(path: Path, *, rows: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write("[\n")
        for number in range(rows):
            record = {
                "AnnotationId": f"bench-{number:09d}",
                "AnnotationType": "Recommendation",
                "Body": "UPR",
                "Countries": ["Kenya"],
                "Symbol": f"A/HRC/{number % 50}/9",
                "PublicationDate": "2020-03-30T00:00:00",
                "Text": f"<p>Strengthen measures number {number} to protect the rights of "
                "migrant workers and <em>combat trafficking in persons</em>.</p>",
                "Themes": ["Migrants", "Trafficking in persons"],
                "AffectedPersons": ["Migrants", "Women & girls"],
                "Sdgs": ["10.7 - Orderly, safe, regular and responsible migration"],
                "UprCycle": "3",
                "UprPositions": ["Supported"],
                "UprRecommendingCountry": "Philippines",
                "UprSession": "35",
            }
            out.write(("," if number else "") + json.dumps(record) + "\n")
        out.write("]\n")


def _peak_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def child_import(database_url: str, path: Path) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "solidarity.config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from solidarity.reference.loaders import load_reference_data
    from solidarity.rights.actions import recommendations_import

    call_command("migrate", verbosity=0)
    load_reference_data(actor="system:bench")
    started = time.perf_counter()
    first = recommendations_import(actor="system:bench", path=path, file_format="upr-info-csv")
    imported = time.perf_counter() - started
    started = time.perf_counter()
    again = recommendations_import(actor="system:bench", path=path, file_format="upr-info-csv")
    reimported = time.perf_counter() - started
    assert again.created == again.updated == 0, again
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_floor (a text, b text, c text, d text, e text, f text, g text, "
            "h text, i text, j text, k text, l text)"
        )
    placeholders = ", ".join(["%s"] * 12)
    started = time.perf_counter()
    with (
        transaction.atomic(),
        connection.cursor() as cursor,
        path.open(encoding="utf-8", newline="") as file,
    ):
        reader = csv.reader(file)
        next(reader)
        while batch := list(islice(reader, 2000)):
            cursor.executemany(
                f"INSERT INTO bench_floor VALUES ({placeholders})",  # noqa: S608  # fixed
                batch,
            )
    floor = time.perf_counter() - started
    print(json.dumps({"imported": imported, "reimported": reimported, "floor": floor,
                      "rows": first.created, "peak_mib": _peak_mib()}))  # fmt: skip


def child_read(path: Path) -> None:
    from solidarity.rights.formats import read_uhri_json

    started = time.perf_counter()
    count = sum(1 for _ in read_uhri_json(path))
    elapsed = time.perf_counter() - started
    print(json.dumps({"rows": count, "seconds": elapsed, "peak_mib": _peak_mib()}))


def _child(*arguments: str) -> dict[str, float]:
    output = subprocess.run(  # noqa: S603  # our own interpreter and module, fixed arguments
        [sys.executable, "-m", "benchmarks.rights_import", *arguments],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    figures: dict[str, float] = json.loads(output.strip().splitlines()[-1])
    return figures


def _report_import(name: str, figures: dict[str, float]) -> None:
    rows = int(figures["rows"])
    print(
        f"  {name}: {rows:,} recommendations imported in {figures['imported']:.1f} s "
        f"({rows / figures['imported']:,.0f} rows/s; target < 60 s for 23,484); again, "
        f"nothing changed, {figures['reimported']:.1f} s; floor (csv.reader + executemany) "
        f"{figures['floor']:.1f} s, ratio {figures['imported'] / figures['floor']:.1f}x; "
        f"peak memory {figures['peak_mib']:.0f} MiB"
    )


def run(*, rows: int = REAL_ROWS, postgres: str | None = None) -> None:
    if postgres is None and os.environ.get("DATABASE_URL", "").startswith("postgres"):
        postgres = os.environ["DATABASE_URL"]
    print(f"Import of {rows:,} UPR Info recommendations")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "upr_info.csv"
        generate_upr_info(path, rows=rows)
        _report_import(
            "SQLite", _child("--import", f"sqlite:///{Path(folder) / 'b.sqlite3'}", str(path))
        )
        if postgres:
            import psycopg

            name = f"solidarity_bench_{uuid.uuid4().hex[:8]}"
            base, _slash, _db = postgres.rpartition("/")
            with psycopg.connect(postgres, autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{name}"')
            try:
                _report_import("PostgreSQL", _child("--import", f"{base}/{name}", str(path)))
            finally:
                with psycopg.connect(postgres, autocommit=True) as admin:
                    admin.execute(f'DROP DATABASE "{name}"')
        print(f"Reading a UHRI JSON export of {rows:,} annotations")
        export = Path(folder) / "uhri.json"
        generate_uhri_json(export, rows=rows)
        size = export.stat().st_size / 2**20
        figures = _child("--read", str(export))
        print(
            f"  read_uhri_json: {size:,.0f} MiB in {figures['seconds']:.1f} s "
            f"({figures['rows'] / figures['seconds']:,.0f} records/s); "
            f"peak memory {figures['peak_mib']:.0f} MiB"
        )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.rights_import")
    parser.add_argument("--rows", type=int, default=REAL_ROWS)
    parser.add_argument("--postgres", metavar="URL", help="PostgreSQL server to measure on")
    parser.add_argument("--import", dest="child_import", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--read", dest="child_read", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child_import:
        child_import(arguments.child_import[0], Path(arguments.child_import[1]))
    elif arguments.child_read:
        child_read(Path(arguments.child_read))
    else:
        run(rows=arguments.rows, postgres=arguments.postgres)


if __name__ == "__main__":
    main()
