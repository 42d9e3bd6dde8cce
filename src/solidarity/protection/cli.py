"""``solidarity protection``: disclosure-control runs kept by the platform, and the one-command
publication of a ``solidarity tabulate`` folder into the data hub."""

from __future__ import annotations

import sys
from pathlib import Path

import click

PUBLISH_EXAMPLE = (
    "Example:\n\n\b\n"
    "  solidarity protection publish published/ --provider KNBS \\\n"
    "      --indicator GCM_MIGRANT_STOCK --period 2024 --dry-run"
)


@click.group(epilog="Example:\n\n\b\n  solidarity protection runs")
def protection() -> None:
    """Disclosure-control runs: protected tables, their reports and audits, publication."""


@protection.command(name="publish", epilog=PUBLISH_EXAMPLE)
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--provider", required=True, metavar="CODE", help="Organisation (acronym or name).")
@click.option("--indicator", required=True, metavar="CODE", help="Indicator code, e.g. 10.7.3.")
@click.option(
    "--table",
    "tables",
    multiple=True,
    metavar="ID",
    help="Only this table (repeat for several); by default every table, in one version.",
)
@click.option(
    "--period", required=True, metavar="YEAR", help="The period the microdata describe, e.g. 2024."
)
@click.option(
    "--ref-area",
    metavar="ISO3",
    help="Reference area (ISO3 or M49 code); by default the provider's country.",
)
@click.option("--dry-run", is_flag=True, help="Only check; store nothing.")
@click.option(
    "--revision-note", default="", help="What changed and why (required from version 2 on)."
)
def publish(
    directory: Path,
    provider: str,
    indicator: str,
    tables: tuple[str, ...],
    period: str,
    ref_area: str | None,
    dry_run: bool,
    revision_note: str,
) -> None:
    """Publish the protected tables in DIR (written by ``solidarity tabulate``) into the data
    hub as a draft version of the provider's dataset of the indicator.

    The folder's audit runs first and must pass. Cells withheld by the protection arrive as
    confidential (never published). Exits with 1 and the validation summary when the hub
    refuses the tables; nothing is stored then.
    """
    from solidarity.cli import hub_target, setup_django

    setup_django()
    from django.core.exceptions import ValidationError

    from solidarity.protection.actions import directory_publish

    organisation, indicator_row, area_code = hub_target(
        provider=provider, indicator=indicator, ref_area=ref_area
    )
    try:
        publication = directory_publish(
            directory=directory,
            provider=organisation,
            indicator=indicator_row,
            ref_area=area_code,
            period=period,
            tables=tables,
            dry_run=dry_run,
            revision_note=revision_note,
        )
    except ValidationError as error:
        click.echo("\n".join(error.messages), err=True)
        sys.exit(1)
    summary = publication.submission.summary
    click.echo(
        f"Tables {', '.join(publication.tables)}: {summary.rows_read} rows read, "
        f"{summary.observations_valid} observations valid, {summary.error_count} errors, "
        f"{summary.warning_count} warnings"
    )
    for reason, count in sorted(summary.by_reason.items()):
        click.echo(f"  {reason}: {count}")
    for problem in summary.problems:
        click.echo(str(problem))
    if summary.problems_left_out:
        click.echo(f"… and {summary.problems_left_out} more problems")
    if summary.has_errors:
        click.echo("Not published: the hub refused the tables.", err=True)
        sys.exit(1)
    version = publication.submission.version
    if version is None:
        click.echo("Valid (dry run): nothing stored.")
    else:
        click.echo(
            f"Published as version {version.number} (draft) of dataset {version.dataset_id}; "
            "confidential cells are kept, never published."
        )


@protection.command(name="runs", epilog="Example:\n\n\b\n  solidarity protection runs --limit 20")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
def runs(limit: int) -> None:
    """List the latest protection runs started on the web: status, audit, dataset."""
    from solidarity.cli import setup_django

    setup_django()
    from solidarity.protection.models import ProtectionRun

    for run in ProtectionRun.objects.select_related("provider")[:limit]:
        audit = {None: "-", True: "audit passed", False: "AUDIT FAILED"}[run.audit_passed]
        click.echo(
            f"#{run.pk}\t{run.created_at:%Y-%m-%d %H:%M}\t{run.provider.name}\t{run.dataset}\t"
            f"{run.method}\t{run.status}\t{audit}"
        )


@protection.command(
    name="fail-stale", epilog="Example:\n\n\b\n  solidarity protection fail-stale --hours 24"
)
@click.option(
    "--hours",
    type=click.FloatRange(min=0, min_open=True),
    default=24,
    show_default=True,
    help="Runs queued or running for longer than this are stopped.",
)
def fail_stale(hours: float) -> None:
    """Mark as failed the runs that never finished (a worker that died, or none running) and
    delete their uploaded microdata unless the provider kept them. Run it daily from cron."""
    from solidarity.cli import setup_django

    setup_django()
    from solidarity.protection.actions import runs_fail_stale

    stale = runs_fail_stale(hours=hours)
    for run in stale:
        click.echo(f"#{run.pk}\t{run.dataset}\tstopped")
    click.echo(f"{len(stale)} runs stopped.")
