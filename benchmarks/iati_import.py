"""IATI import: reading, checking and storing IATI 2.03 activity files, against a floor.

A seeded IATI 2.03 file is generated with ``solidarity.stats.iati.write_iati`` (government
reporters of 20 States, each activity with titles in two languages, a description, recipient
countries, the migration sector 15190, GCM tags, policy markers and 8 transactions in five
currencies). Then, each in a fresh process:

- floor: lxml's ``iterparse`` going over the file and dropping each activity, doing nothing;
- ``check_iati`` with Solidarity's own rules, and with the official XSD when the schema folder is
  found (``SOLIDARITY_IATI_SCHEMA_DIR``, else ``../shared/data/iati/schema``);
- ``iati_import`` into a fresh SQLite database (migrated, reference catalogue loaded): read,
  check, convert to US dollars, store in one transaction, audit — then the same file again
  (nothing changes: the idempotent path);
- peak memory (VmHWM) of fresh processes importing the first 25%, 50% and all of the activities,
  to show that memory stays flat however long the file;
- the web upload's first step (``/pledges/iati/upload/``: a multipart request body streamed from
  disk through Django's parser to the upload folder, then the dry run), with its peak memory.

Run ``python -m benchmarks.iati_import`` (about 2,000 activities, a few seconds) or
``python -m benchmarks.iati_import --mb 50`` for a 50 MB file.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

SEED = 20181219
STATES = ["SE", "NO", "DK", "DE", "FR", "GB", "JP", "CA", "AU", "CH",
          "NL", "BE", "IE", "IT", "ES", "FI", "AT", "NZ", "KR", "LU"]  # fmt: skip
CURRENCIES = ["USD", "EUR", "SEK", "GBP", "JPY"]
RECIPIENTS = ["KE", "UG", "ET", "SD", "NG", "GT", "HN", "MX", "BD", "NP", "LB", "JO"]
TAGS = "https://solidarity.global-compact-migration.org/iati/gcm-tags"
# Bytes of one generated activity, measured: used to turn --mb into a number of activities.
BYTES_PER_ACTIVITY = 6_700


def activities(count: int, *, seed: int = SEED) -> Iterator[object]:
    from solidarity.stats.iati import Activity, Coded, Organisation, Transaction

    randomness = random.Random(seed)  # noqa: S311  # reproducible test data, not secrets
    start = date(2015, 1, 1)
    for number in range(count):
        state = STATES[number % len(STATES)]
        reporter = Organisation(f"{state}-GOV-1", "10", f"Government of {state}")
        currency = CURRENCIES[number % len(CURRENCIES)]
        recipient = RECIPIENTS[randomness.randrange(len(RECIPIENTS))]
        transactions = []
        for index in range(8):
            day = start + timedelta(days=randomness.randrange(3500))
            transactions.append(
                Transaction(
                    type=("12", "2", "3", "3", "3", "4", "3", "1")[index],
                    date=day,
                    value=Decimal(randomness.randrange(10_000, 5_000_000)),
                    value_date=day,
                    currency=currency if index % 3 else "",
                    description=f"Tranche {index + 1}",
                    provider=reporter,
                    receiver=Organisation("XM-DAC-47066", "40", "International Organization"),
                    recipient_country=recipient,
                    sectors=(Coded("15190", vocabulary="1"),),
                    flow_type="10",
                    finance_type="110",
                    aid_type="C01",
                    tied_status="5",
                )
            )
        yield Activity(
            identifier=f"{state}-GOV-1-MIG-{number:07d}",
            reporting_org=reporter,
            titles={
                "en": f"Safe and regular migration programme {number}",
                "fr": f"Programme pour des migrations sûres et régulières {number}",
            },
            descriptions={"en": "Training of border officials in human, gender and child rights."},
            default_currency=currency,
            language="en",
            status="2",
            dates=(("1", start), ("3", start + timedelta(days=3650))),
            participating_orgs=(
                Organisation(reporter.ref, "10", reporter.name, role="1"),
                Organisation("XM-DAC-47066", "40", "International Organization", role="4"),
            ),
            recipient_countries=(Coded(recipient, percentage=Decimal(100)),),
            sectors=(Coded("15190", vocabulary="1", percentage=Decimal(100)),),
            tags=(Coded(f"GCM-{1 + number % 23}", vocabulary="99", vocabulary_uri=TAGS),),
            policy_markers=(Coded("1", vocabulary="1", significance=str(number % 3)),),
            collaboration_type="1",
            transactions=tuple(transactions),
        )


def generate(path: Path, *, count: int) -> None:
    from solidarity.stats.iati import write_iati

    with path.open("wb") as file:
        write_iati(activities(count), file, generated=datetime(2024, 1, 1, tzinfo=UTC))  # type: ignore[arg-type]


def _peak_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _schema_dir() -> str | None:
    configured = os.environ.get("SOLIDARITY_IATI_SCHEMA_DIR")
    if configured:
        return configured
    shared = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "iati" / "schema"
    return str(shared) if shared.is_dir() else None


def child_read(path: Path, mode: str) -> dict[str, float]:
    """In a fresh process: the floor, or a check with or without the schema."""
    from lxml import etree  # type: ignore[import-untyped]

    from solidarity.stats.iati import check_iati

    started = time.perf_counter()
    cpu = time.process_time()
    if mode == "floor":
        for _event, element in etree.iterparse(str(path), tag="iati-activity", huge_tree=True):
            element.clear(keep_tail=False)
            while element.getprevious() is not None:
                del element.getparent()[0]
    else:
        schema = _schema_dir() if mode == "schema" else None
        problems = check_iati(path, schema_dir=schema)
        assert not problems, problems[:3]
    return {
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - cpu,
        "peak_mib": _peak_mib(),
    }


def child_import(path: Path, database: Path) -> dict[str, float]:
    """In a fresh process: migrate a fresh SQLite database, then import the file twice."""
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "solidarity.config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from solidarity.commitments.actions import iati_import
    from solidarity.reference.loaders import load_reference_data

    call_command("migrate", verbosity=0)
    load_reference_data(actor="system:bench")
    before = _peak_mib()
    started = time.perf_counter()
    cpu = time.process_time()
    result = iati_import(actor="system:bench", path=path, schema_dir=None)
    first = time.perf_counter() - started
    first_cpu = time.process_time() - cpu
    assert result.imported, result.problems[:3]
    peak = _peak_mib()
    started = time.perf_counter()
    again = iati_import(actor="system:bench", path=path, schema_dir=None)
    second = time.perf_counter() - started
    assert again.unchanged == result.activities
    return {
        "activities": result.activities,
        "transactions": result.transactions,
        "seconds": first,
        "cpu_seconds": first_cpu,
        "again_seconds": second,
        "peak_before_mib": before,
        "peak_mib": peak,
    }


def child_upload(path: Path, database: Path) -> dict[str, float]:
    """In a fresh process: the web upload's first step, as a WSGI request whose body streams
    from disk — Django's multipart parser, the size-limit handler, the copy to the upload folder
    and the dry run (everything checked and counted, then rolled back)."""
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "solidarity.config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.handlers.wsgi import WSGIRequest
    from django.core.management import call_command

    from solidarity.accounts.models import Role, RoleAssignment, User
    from solidarity.commitments import views
    from solidarity.commitments.models import FinancialCommitment
    from solidarity.reference.loaders import load_reference_data

    call_command("migrate", verbosity=0)
    load_reference_data(actor="system:bench")
    settings.IATI_UPLOAD_DIR = database.parent / "uploads"
    admin = User.objects.create_user(username="bench-admin", email="bench@example.org")
    RoleAssignment.objects.create(user=admin, role=Role.ADMINISTRATOR)
    boundary = "solidarity-bench-boundary"
    body = database.with_suffix(".body")
    with body.open("wb") as out, path.open("rb") as xml:
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="activities.xml"\r\nContent-Type: text/xml\r\n\r\n'.encode()
        )
        shutil.copyfileobj(xml, out)
        out.write(f"\r\n--{boundary}--\r\n".encode())
    # The upload page once, empty: what rendering any page costs (templates, catalogues) is
    # then in the baseline, and what follows is what the file costs.
    empty = WSGIRequest(
        {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": "/pledges/iati/upload/",
            "SERVER_NAME": "localhost",
            "SERVER_PORT": "80",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(),
        }
    )
    empty.user = admin
    empty.session = SessionStore()
    assert views.iati_upload(empty).status_code == 200
    before = _peak_mib()
    started = time.perf_counter()
    cpu = time.process_time()
    with body.open("rb") as stream:
        request = WSGIRequest(
            {
                "REQUEST_METHOD": "POST",
                "PATH_INFO": "/pledges/iati/upload/",
                "CONTENT_TYPE": f"multipart/form-data; boundary={boundary}",
                "CONTENT_LENGTH": str(body.stat().st_size),
                "SERVER_NAME": "localhost",
                "SERVER_PORT": "80",
                "wsgi.url_scheme": "http",
                "wsgi.input": stream,
            }
        )
        request.user = admin
        request.session = SessionStore()
        request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]
        response = views.iati_upload(request)
    assert response.status_code == 200, response.content[-2000:]
    assert not FinancialCommitment.objects.exists()  # a dry run stores nothing
    return {
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - cpu,
        "peak_before_mib": before,
        "peak_mib": _peak_mib(),
        "body_mib": body.stat().st_size / 1024 / 1024,
    }


def _in_child(function: str, *arguments: str) -> dict[str, float]:
    output = subprocess.run(  # noqa: S603  # our own interpreter and module, fixed arguments
        [sys.executable, "-m", "benchmarks.iati_import", "--child", function, *arguments],
        check=True,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])  # type: ignore[no-any-return]


def run(*, count: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-iati-") as folder:
        path = Path(folder) / "activities.xml"
        generate(path, count=count)
        size = path.stat().st_size / 1024 / 1024
        print(f"IATI import: {count:,} activities, {count * 8:,} transactions, {size:.1f} MiB")
        floor = _in_child("read", str(path), "floor")
        own = _in_child("read", str(path), "own")
        # Rates per second of the process's own CPU time too: on a shared machine the wall
        # clock also counts the time other processes had the cores.
        print(
            f"  floor, iterparse only        {count / floor['seconds']:>10,.0f} activities/s"
            f"  ({count / floor['cpu_seconds']:,.0f} per CPU second)"
        )
        print(
            f"  check, own rules             {count / own['seconds']:>10,.0f} activities/s"
            f"  ({count / own['cpu_seconds']:,.0f} per CPU second, "
            f"{own['cpu_seconds'] / floor['cpu_seconds']:.1f}x the floor's CPU, "
            f"peak {own['peak_mib']:.0f} MiB)"
        )
        if _schema_dir():
            schema = _in_child("read", str(path), "schema")
            print(
                f"  check, official XSD          {count / schema['seconds']:>10,.0f} activities/s"
                f"  ({count / schema['cpu_seconds']:,.0f} per CPU second, "
                f"{schema['cpu_seconds'] / floor['cpu_seconds']:.1f}x the floor's CPU, "
                f"peak {schema['peak_mib']:.0f} MiB)"
            )
        stored = _in_child("import", str(path), str(Path(folder) / "db.sqlite3"))
        print(
            f"  import into SQLite           {count / stored['seconds']:>10,.0f} activities/s"
            f"  ({count / stored['cpu_seconds']:,.0f} per CPU second; {stored['seconds']:.1f} s, "
            f"{stored['transactions'] / stored['seconds']:,.0f} transactions/s)"
        )
        print(
            f"  same file again (unchanged)  {count / stored['again_seconds']:>10,.0f} activities/s"
        )
        print(
            f"  peak memory of the import    {stored['peak_mib']:.0f} MiB "
            f"(after migrating: {stored['peak_before_mib']:.0f} MiB)"
        )
        for share in (4, 2):
            part = Path(folder) / f"part-{share}.xml"
            generate(part, count=count // share)
            partial = _in_child("import", str(part), str(Path(folder) / f"db-{share}.sqlite3"))
            print(
                f"  peak memory importing 1/{share}     {partial['peak_mib']:.0f} MiB "
                f"(after migrating: {partial['peak_before_mib']:.0f} MiB)"
            )
        uploaded = _in_child("upload", str(path), str(Path(folder) / "db-upload.sqlite3"))
        print(
            f"  web upload + dry run         {count / uploaded['seconds']:>10,.0f} activities/s"
            f"  ({count / uploaded['cpu_seconds']:,.0f} per CPU second; "
            f"{uploaded['body_mib']:.1f} MiB request body)"
        )
        print(
            f"  peak memory of the upload    {uploaded['peak_mib']:.0f} MiB "
            f"(after migrating and showing the empty form: {uploaded['peak_before_mib']:.0f} MiB)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.iati_import", description=__doc__)
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--activities", type=int, default=2_000, help="activities to generate")
    size.add_argument("--mb", type=float, help="size of the generated file in megabytes")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        function, *rest = arguments.child
        if function == "read":
            print(json.dumps(child_read(Path(rest[0]), rest[1])))
        elif function == "upload":
            print(json.dumps(child_upload(Path(rest[0]), Path(rest[1]))))
        else:
            print(json.dumps(child_import(Path(rest[0]), Path(rest[1]))))
        return
    count = arguments.activities
    if arguments.mb:
        count = int(arguments.mb * 1024 * 1024 / BYTES_PER_ACTIVITY)
    run(count=count)


if __name__ == "__main__":
    main()
