"""``solidarity commitments``: IATI files in and out, from the command line.

A thin click layer over :func:`solidarity.commitments.actions.iati_import` and
:func:`solidarity.commitments.export.iati_export`, which the site and the API share.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.group(
    epilog="Example:\n\n\b\n  solidarity commitments import-iati activities.xml",
)
def commitments() -> None:
    """Pledges and their money: import and export IATI 2.03 activity files."""


@commitments.command(
    name="import-iati",
    epilog=(
        "Example:\n\n\b\n"
        "  SOLIDARITY_IATI_SCHEMA_DIR=/srv/iati/schema \\\n"
        "    solidarity commitments import-iati sweden-activities.xml"
    ),
)
@click.argument("path", type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path))
def import_iati(path: Path) -> None:
    """Import an IATI 2.01 to 2.03 (or 1.x) activity file as financial commitments.

    An IATI 1.x file is read with the 1.x mapping and what could not be mapped is listed.
    Validated against the official schema when SOLIDARITY_IATI_SCHEMA_DIR names its folder
    (otherwise Solidarity's own rules apply, and the output says so). Exits with 1, listing
    every problem by file, line, element and rule, when the file is invalid: nothing is
    written then. The same file again changes nothing.
    """
    from solidarity.cli import setup_django

    setup_django()
    from django.conf import settings

    from solidarity.commitments.actions import iati_import
    from solidarity.stats.iati import IatiError

    try:
        result = iati_import(
            actor="system:cli", path=path, schema_dir=settings.IATI_SCHEMA_DIR or None
        )
    except IatiError as error:
        raise click.ClickException(str(error)) from error
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    if not result.imported:
        for problem in result.problems:
            click.echo(str(problem), err=True)
        if result.problems_left_out:
            click.echo(f"… and {result.problems_left_out} more problems", err=True)
        click.echo(f"Not imported: {path.name} has {len(result.problems)} problems.", err=True)
        sys.exit(1)
    click.echo(
        f"{result.file_name}: {result.activities} activities — {result.created} new, "
        f"{result.updated} updated, {result.unchanged} unchanged; "
        f"{result.transactions} transactions stored, {result.not_converted} without a US-dollar "
        "rate."
    )


@commitments.command(
    name="export-iati",
    epilog=(
        "Example:\n\n\b\n  solidarity commitments export-iati --out kenya-pledges.xml --state KEN"
    ),
)
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="File to write.",
)
@click.option("--state", metavar="ISO3", help="Only the pledges of this State.")
def export_iati(out: Path, state: str | None) -> None:
    """Write the money of the published pledges as an IATI 2.03 activity file.

    Checked against the official schema before it is kept when SOLIDARITY_IATI_SCHEMA_DIR is
    set; an export that would not validate is not written (exit 1).
    """
    from solidarity.cli import setup_django

    setup_django()
    from django.conf import settings

    from solidarity.commitments.export import IatiExportError, iati_export
    from solidarity.reference.models import Country

    if state and not Country.objects.filter(iso3=state.upper()).exists():
        raise click.BadParameter(f"no State with the code {state!r}", param_hint="--state")
    try:
        count = iati_export(out=out, state=state, schema_dir=settings.IATI_SCHEMA_DIR or None)
    except IatiExportError as error:
        raise click.ClickException(str(error)) from error
    checked = (
        "validated against the IATI schema"
        if settings.IATI_SCHEMA_DIR
        else ("not validated: SOLIDARITY_IATI_SCHEMA_DIR is not set")
    )
    click.echo(f"{out}: {count} activities ({checked}).")
