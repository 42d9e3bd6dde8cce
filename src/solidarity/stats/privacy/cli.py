"""The ``solidarity tabulate`` and ``solidarity audit`` commands: a thin click layer over
`run.protect` and the audit.

They need no database and no Django: they read a specification and a microdata file and write
a directory of published tables, so they run as well on a statistics office's laptop as in a
batch job. A progress bar is shown on a terminal only; errors are one line naming the file, the
key or row and the field, with exit status 1 (2 for a wrong option).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path
from typing import Any

import click

# Only click at import time, so that ``solidarity --help`` stays instant: DuckDB, pandas and
# the methods are imported when a command runs. These mirror `run.METHODS` and
# `tabulate.ENGINES` (a test checks).
METHODS = ("cellkey", "suppress", "dp")
ENGINES = ("duckdb", "spark")
# The command line's documented defaults; the library has none (privacy parameters are
# required arguments there), and the report records the values used.
DEFAULT_THRESHOLD = 10
DEFAULT_MAX_DEVIATION = 2

TABULATE_EXAMPLE = (
    "Example:\n\n\b\n"
    "  solidarity tabulate uci_adult_census_1994.csv --spec adult-1994.yaml \\\n"
    "      --method cellkey --out published/"
)
AUDIT_EXAMPLE = "Example:\n\n\b\n  solidarity audit published/"


@click.command(name="tabulate", epilog=TABULATE_EXAMPLE)
@click.argument("microdata", type=click.Path(dir_okay=False, path_type=Path), metavar="MICRODATA")
@click.option(
    "--spec",
    "spec_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The table specification (YAML); see docs/privacy.md.",
)
@click.option(
    "--method",
    required=True,
    type=click.Choice(METHODS),
    help="cellkey (perturbation), suppress (threshold and secondary suppression) or dp "
    "(differential privacy).",
)
@click.option(
    "--threshold",
    type=click.IntRange(min=1),
    help=f"Smallest count published (cellkey, suppress); default: the specification's, else "
    f"{DEFAULT_THRESHOLD}.",
)
@click.option(
    "--max-deviation",
    type=click.IntRange(min=2),
    help=f"Cell key method: largest perturbation; default: the specification's, else "
    f"{DEFAULT_MAX_DEVIATION}.",
)
@click.option(
    "--protection-level",
    type=click.FloatRange(min=0, min_open=True),
    help="Suppression: narrowest interval allowed for a withheld cell; default: the threshold.",
)
@click.option(
    "--secondary-method",
    type=click.Choice(["auto", "milp", "heuristic"]),
    help="Suppression: where secondary suppression is solved as an exact MILP (auto: on small "
    "components; see docs/privacy.md); default: auto.",
)
@click.option("--rho", type=click.FloatRange(min=0, min_open=True), help="DP: zCDP budget rho.")
@click.option(
    "--epsilon", type=click.FloatRange(min=0, min_open=True), help="DP: epsilon (with --delta)."
)
@click.option(
    "--delta",
    type=click.FloatRange(min=0, max=1, min_open=True),
    help="DP: delta (with --epsilon).",
)
@click.option(
    "--raise-budget",
    type=click.FloatRange(min=0, min_open=True),
    help="DP: raise the dataset's total budget to this rho (logged in the ledger).",
)
@click.option(
    "--post-process",
    "post_process",
    is_flag=True,
    help="DP: publish non-negative integers that add up (finest cells clipped at zero, margins "
    "their sums; no privacy cost, biased upwards); recorded in report.json.",
)
@click.option(
    "--engine",
    type=click.Choice(ENGINES),
    default="duckdb",
    show_default=True,
    help="Tabulation engine.",
)
@click.option(
    "--state",
    "state_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="The dataset's state folder (record keys, budget ledger); default: the "
    "specification's state_dir, else <dataset>.solidarity beside the microdata.",
)
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the published tables and report.json.",
)
def tabulate_command(
    microdata: Path,
    spec_path: Path,
    method: str,
    threshold: int | None,
    max_deviation: int | None,
    protection_level: float | None,
    secondary_method: str | None,
    rho: float | None,
    epsilon: float | None,
    delta: float | None,
    raise_budget: float | None,
    post_process: bool,
    engine: str,
    state_dir: Path | None,
    out: Path,
) -> None:
    """Tabulate MICRODATA (CSV or Parquet) as the specification says, protect the tables with
    one method, and write them to --out as SDMX-CSV files with a report.json.

    Nothing is written when the specification, the microdata or the parameters are wrong.
    """
    from .errors import PrivacyError
    from .run import MethodUnavailableError, protect
    from .spec import load_spec

    try:
        spec = load_spec(spec_path)
    except PrivacyError as error:
        raise click.ClickException(str(error)) from None
    params: dict[str, Any] = {}
    if method in ("cellkey", "suppress"):
        params["threshold"] = threshold or spec.threshold or DEFAULT_THRESHOLD
    if method == "cellkey":
        params["max_deviation"] = max_deviation or spec.max_deviation or DEFAULT_MAX_DEVIATION
    if method == "suppress" and protection_level is not None:
        params["protection_level"] = protection_level
    if method == "suppress" and secondary_method is not None:
        params["secondary_method"] = secondary_method
    if method == "dp":
        if rho is not None and (epsilon is not None or delta is not None):
            raise click.UsageError("give --rho, or --epsilon and --delta, not both")
        if rho is None and (epsilon is None or delta is None):
            raise click.UsageError("the dp method needs --rho, or --epsilon and --delta")
        params.update({"rho": rho, "epsilon": epsilon, "delta": delta})
        if raise_budget is not None:
            params["raise_budget"] = raise_budget
        if post_process:
            params["postprocess"] = True
    elif any(v is not None for v in (rho, epsilon, delta, raise_budget)) or post_process:
        raise click.UsageError(
            "--rho, --epsilon, --delta, --raise-budget and --post-process are for --method dp"
        )

    steps = len(spec.tables) + 2
    bar = None
    if sys.stderr.isatty():
        bar = click.progressbar(length=steps, label="Tabulating", file=sys.stderr)
        bar.__enter__()
    done = 0

    def progress(step: int, total: int, label: str) -> None:
        nonlocal done
        if bar is not None:
            bar.label = label
            bar.update(step - done)
        done = step

    try:
        report = protect(
            spec,
            method,
            params,
            out,
            microdata_path=microdata,
            engine=engine,
            state_dir=state_dir,
            progress=progress,
        )
    except (PrivacyError, MethodUnavailableError) as error:
        raise click.ClickException(str(error)) from None
    except (RuntimeError, ValueError) as error:
        # The methods' refusals: a privacy budget exceeded (the ledger's errors), a parameter
        # out of range. Their messages are written for the user.
        raise click.ClickException(str(error)) from None
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    for table_id, figures in report["tables"].items():
        click.echo(
            f"{table_id}: {figures['cells']} cells, {figures.get('cells_withheld', 0)} withheld"
        )
    budget = report.get("budget")
    if isinstance(budget, dict) and "rho_left" in budget:
        click.echo(
            f"Privacy budget: rho spent {budget.get('rho_spent')}, left {budget['rho_left']}"
        )
    click.echo(
        f"{report['method']} on {report['records']} records ({engine}); report: "
        f"{out / 'report.json'}"
    )


@click.command(name="audit", epilog=AUDIT_EXAMPLE)
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), metavar="DIR")
@click.option(
    "--protection-level",
    type=click.FloatRange(min=0, min_open=True),
    help="Suppression: narrowest interval allowed for a withheld cell; default: the report's.",
)
@click.option(
    "--state",
    "state_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="DP: the dataset's state folder holding the budget ledger; default: the report's.",
)
def audit_command(directory: Path, protection_level: float | None, state_dir: Path | None) -> None:
    """Re-read the published tables in DIR and prove their protection: an LP interval attack
    on every withheld cell (suppression), the perturbation table and cross-table consistency
    (cell key), the budget ledger recomputed (differential privacy).

    Exits with 0 when every check passes, 1 when one fails (the offending cells are listed).
    """
    from .errors import PrivacyError

    if importlib.util.find_spec("solidarity.stats.privacy.audit") is None:
        raise click.ClickException("the audit is not available in this installation")
    audit = importlib.import_module("solidarity.stats.privacy.audit")
    try:
        result = audit.audit_dir(directory, protection_level=protection_level, ledger_dir=state_dir)
    except PrivacyError as error:
        raise click.ClickException(str(error)) from None
    click.echo(str(result))
    if not result.passed:
        sys.exit(1)
