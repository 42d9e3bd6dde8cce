"""Serving: published data over HTTP under concurrent load, against a static file.

A fresh data folder and database (SQLite in the folder, or a temporary PostgreSQL database when
``DATABASE_URL`` points at PostgreSQL or ``--postgres URL`` is given) gets the catalogue and one
published dataset of ``observations`` observations of GCM_REFUGEES_HOSTED for Kenya (the ingest
benchmark's seeded SDMX-CSV file, imported through `submission_import`). The platform is then
served by gunicorn (``--workers``, sync workers, as `solidarity serve` runs it, with persistent
database connections as docs/deploy.md sets them up) and ``--clients`` concurrent
connections of wrk (when installed: a C load generator, ``apt install wrk``; otherwise as many
Python threads, which on a small machine take CPU from the server and lower every figure) ask,
for ``--seconds`` each, the same URL again and again:

- the floors: a static file (``/static/solidarity/site.css``, served by WhiteNoise before any
  Django middleware), and a trivial Django answer (a constant body through the whole
  middleware stack, `benchmarks.serving_urls`) — the floor the target is measured against, as
  every page and API answer goes through that stack;
- the SDMX data query returning every observation, in SDMX-CSV and in SDMX-ML 2.1, each
  asked plainly (wrk sends no ``Accept-Encoding``) and with ``Accept-Encoding: gzip``;
- an SDMX data query for one breakdown (one sex, one age group);
- an API answer (``/api/v1/indicators/GCM_REFUGEES_HOSTED``), the indicator's page and the
  country's page (Kenya), as an anonymous visitor gets them.

Every URL is loaded in turn, ``--rounds`` times (3 by default); for each: requests per second,
its ratio to the trivial answer's within each round (the target: at least 0.3) and their
median, the ratio to the static file's, the latency's median and 95th percentile, and the
server's CPU time per request (gunicorn's master and workers, from /proc). Repeated SDMX
queries are answered from the answer cache (`solidarity.indicators.sdmx_cache`); the first
answer of each query, written from the database, is timed on its own ("cold").

Run with ``python -m benchmarks.serving [--observations N] [--seconds S] [--rounds R]`` or
``./dev bench``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from benchmarks import ingest

WRK = shutil.which("wrk")

FLOW = "DF_GCM_REFUGEES_HOSTED"
ENDPOINTS = {
    "static file": "/static/solidarity/site.css",
    "trivial Django answer": "/bench/trivial",
    "SDMX data, all, SDMX-CSV": f"/sdmx/data/{FLOW}?format=csv",
    "SDMX data, all, SDMX-CSV, gzip": f"/sdmx/data/{FLOW}?format=csv",
    "SDMX data, all, SDMX-ML 2.1": f"/sdmx/data/{FLOW}?format=structurespecificdata",
    "SDMX data, all, SDMX-ML 2.1, gzip": f"/sdmx/data/{FLOW}?format=structurespecificdata",
    "SDMX data, one breakdown": f"/sdmx/data/{FLOW}/..F.Y0T4.?format=csv",
    "API answer": "/api/v1/indicators/GCM_REFUGEES_HOSTED",
    "indicator page": "/indicators/GCM_REFUGEES_HOSTED/",
    "country page": "/countries/KEN/",
}
# wrk sends no Accept-Encoding of its own: these ask for gzip, as browsers and most clients do.
GZIP = {name for name in ENDPOINTS if name.endswith(", gzip")}


def setup(database_url: str, path: Path) -> None:
    """In a fresh process: migrate, load the catalogue, import and publish the dataset."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "solidarity.config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from solidarity.accounts.models import Organisation
    from solidarity.indicators.actions import submission_import
    from solidarity.indicators.loaders import load_indicator_catalogue
    from solidarity.indicators.models import DatasetVersion, Indicator
    from solidarity.indicators.selectors import ref_area_get
    from solidarity.reference.loaders import load_reference_data

    call_command("migrate", verbosity=0)
    load_reference_data(actor="system:bench")
    load_indicator_catalogue(actor="system:bench")
    provider = Organisation.objects.create(name="Bench office", kind=Organisation.Kind.NSO)
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
    assert result.version is not None, result.summary.as_json()["problems"][:5]
    # The review workflow is not what is measured here: publish directly.
    DatasetVersion.objects.filter(pk=result.version.pk).update(
        status=DatasetVersion.Status.PUBLISHED, published_at=timezone.now()
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _get(port: int, path: str, *, gzip: bool = False) -> tuple[int, int, float]:
    """One request on a fresh connection (sync workers close it): status, bytes, seconds."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request("GET", path, headers={"Accept-Encoding": "gzip"} if gzip else {})
        response = connection.getresponse()
        size = 0
        while chunk := response.read(1 << 16):
            size += len(chunk)
        return response.status, size, time.perf_counter() - started
    finally:
        connection.close()


# wrk's report as JSON, with the 95th percentile that its own summary leaves out (microseconds).
WRK_REPORT = """
done = function(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "seconds": %f, "p50": %f, "p95": %f, "failures": %d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e6,
    latency:percentile(95) / 1e6,
    summary.errors.status + summary.errors.connect + summary.errors.read
      + summary.errors.write + summary.errors.timeout))
end
"""


def _load(
    port: int, path: str, *, clients: int, seconds: float, gzip: bool = False
) -> dict[str, float]:
    """Load ``path`` with ``clients`` concurrent connections for ``seconds``: with wrk when it
    is installed (a C client that takes little of the machine's CPU from the server), otherwise
    with Python threads (which, on a small machine, compete with the server for the CPU)."""
    if WRK is not None:
        return _load_wrk(port, path, clients=clients, seconds=seconds, gzip=gzip)
    latencies: list[float] = []
    failures: list[int] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client() -> None:
        while time.perf_counter() < deadline:
            status, _size, elapsed = _get(port, path, gzip=gzip)
            with lock:
                if status == 200:
                    latencies.append(elapsed)
                else:
                    failures.append(status)

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures or not latencies:
        raise RuntimeError(f"{path}: {len(failures)} failed requests ({failures[:3]})")
    cuts = statistics.quantiles(latencies, n=20) if len(latencies) > 1 else latencies * 19
    return {
        "requests": len(latencies),
        "per_second": len(latencies) / elapsed,
        "p50": statistics.median(latencies),
        "p95": cuts[18],
    }


def _load_wrk(
    port: int, path: str, *, clients: int, seconds: float, gzip: bool
) -> dict[str, float]:
    headers = ["--header", "Accept-Encoding: gzip"] if gzip else []
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(WRK_REPORT)
        script.flush()
        output = subprocess.run(  # noqa: S603  # wrk, fixed arguments
            [str(WRK), "--threads", "2", "--connections", str(clients), "--duration",
             f"{seconds:g}s", "--timeout", "120s", "--script", script.name, *headers,
             f"http://127.0.0.1:{port}{path}"],
            check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip
    report = json.loads(output.strip().splitlines()[-1])
    if report["failures"] or not report["requests"]:
        raise RuntimeError(f"{path}: {report['failures']} failed requests")
    return {
        "requests": report["requests"],
        "per_second": report["requests"] / report["seconds"],
        "p50": report["p50"],
        "p95": report["p95"],
    }


def _serve(env: dict[str, str], port: int, workers: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(  # noqa: S603  # our own interpreter and gunicorn, fixed arguments
        [sys.executable, "-m", "gunicorn", "solidarity.config.wsgi:application",
         "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--timeout", "300"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    for _attempt in range(200):
        try:
            if _get(port, ENDPOINTS["static file"])[0] == 200:
                return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise RuntimeError("gunicorn did not start")


def _server_cpu(pid: int) -> float:
    """CPU seconds used so far by gunicorn's master (``pid``) and its workers (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if entry.name == str(pid) or fields[1] == str(pid):
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def _load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _measure(
    database_url: str, folder: Path, *, observations: int, seconds: float, clients: int,
    workers: int, repeats: int,
) -> None:  # fmt: skip
    path = folder / "refugees.csv"
    ingest.generate(path, rows=observations)
    # Persistent database connections, as docs/deploy.md has production run.
    env = {**os.environ, "DATABASE_URL": database_url, "SOLIDARITY_HOME": str(folder / "home"),
           "DJANGO_SETTINGS_MODULE": "benchmarks.serving_settings",
           "DATABASE_CONN_MAX_AGE": "60"}  # fmt: skip
    subprocess.run(  # noqa: S603  # our own interpreter and module, fixed arguments
        [sys.executable, "-m", "benchmarks.serving", "--setup", database_url, str(path)],
        check=True,
        env=env,
    )
    port = _free_port()
    server = _serve(env, port, workers)
    try:
        for name, url in ENDPOINTS.items():
            if url.startswith("/sdmx/") and name not in GZIP:
                # The first answer is written from the database; a query string of its own
                # keeps the measured URL's answer out of the cache until the load starts.
                status, size, cold = _get(port, url + "&cold=1")
                assert status == 200, (url, status)
                print(f"  {name}: first answer {cold:.2f} s ({size / 1e6:.1f} MB)")
        for name, url in ENDPOINTS.items():
            status, size, _seconds = _get(port, url, gzip=name in GZIP)  # warm the caches
            assert status == 200, (url, status)
            print(f"  {name}: {size / 1e6:,.3f} MB an answer")
        # Rounds, each URL in turn, so that a change of the machine's load touches the floor
        # and the subjects alike; the ratios are taken within a round, then their median.
        rounds: list[dict[str, dict[str, float]]] = []
        for number in range(1, repeats + 1):
            figures = {}
            for name, url in ENDPOINTS.items():
                cpu = _server_cpu(server.pid)
                figures[name] = _load(port, url, clients=clients, seconds=seconds,
                                      gzip=name in GZIP)  # fmt: skip
                figures[name]["server_cpu"] = _server_cpu(server.pid) - cpu
            rounds.append(figures)
            print(f"  round {number} done, load average {_load_average()}")
        for name in ENDPOINTS:
            ratios = [r[name]["per_second"] / r["trivial Django answer"]["per_second"]
                      for r in rounds]  # fmt: skip
            statics = [r[name]["per_second"] / r["static file"]["per_second"] for r in rounds]
            per_second = statistics.median(r[name]["per_second"] for r in rounds)
            p50 = statistics.median(r[name]["p50"] for r in rounds)
            p95 = statistics.median(r[name]["p95"] for r in rounds)
            cpu_ms = statistics.median(
                r[name]["server_cpu"] / r[name]["requests"] * 1000 for r in rounds
            )
            print(f"  {name}: {per_second:,.1f} requests/s "
                  f"({statistics.median(ratios):.2f}x the trivial answer, target ≥ 0.3, "
                  f"rounds {', '.join(f'{r:.2f}' for r in ratios)}; "
                  f"{statistics.median(statics):.2f}x the static file), "
                  f"latency p50 {p50 * 1000:,.0f} ms, p95 {p95 * 1000:,.0f} ms, "
                  f"server CPU {cpu_ms:.2f} ms a request")  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=30)


def run(
    *, observations: int, seconds: float = 5, clients: int = 8, workers: int = 2,
    postgres: str | None = None, repeats: int = 3,
) -> None:  # fmt: skip
    if postgres is None and os.environ.get("DATABASE_URL", "").startswith("postgres"):
        postgres = os.environ["DATABASE_URL"]
    print(f"Serving {observations:,} published observations: {clients} clients, {workers} "
          f"gunicorn workers, {seconds:g} s per URL, {repeats} rounds; load average "
          f"{_load_average()}")  # fmt: skip
    options = {"observations": observations, "seconds": seconds, "clients": clients,
               "workers": workers, "repeats": repeats}  # fmt: skip
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        if not postgres:
            print(" SQLite")
            _measure(f"sqlite:///{folder / 'bench.sqlite3'}", folder, **options)  # type: ignore[arg-type]
            return
        import psycopg

        database = f"solidarity_bench_{uuid.uuid4().hex[:8]}"
        base, _slash, _db = postgres.rpartition("/")
        with psycopg.connect(postgres, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{database}"')
        try:
            print(" PostgreSQL")
            _measure(f"{base}/{database}", folder, **options)  # type: ignore[arg-type]
        finally:
            with psycopg.connect(postgres, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE "{database}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.serving")
    parser.add_argument("--observations", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of every URL (median)")
    parser.add_argument("--postgres", metavar="URL", help="PostgreSQL server to measure on")
    parser.add_argument("--setup", nargs=2, metavar=("URL", "PATH"), help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.setup:
        setup(arguments.setup[0], Path(arguments.setup[1]))
        print(json.dumps({"ready": True}))
    else:
        run(
            observations=arguments.observations,
            seconds=arguments.seconds,
            clients=arguments.clients,
            workers=arguments.workers,
            postgres=arguments.postgres,
            repeats=arguments.rounds,
        )


if __name__ == "__main__":
    main()
