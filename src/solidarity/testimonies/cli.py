"""``solidarity testimonies``: retention, key rotation and exports from the command line."""

from __future__ import annotations

import csv
import datetime
import sys
from pathlib import Path

import click


def _setup() -> None:
    from solidarity.cli import setup_django

    setup_django()


@click.group(epilog="Example:\n\n\b\n  solidarity testimonies delete-expired")
def testimonies() -> None:
    """Testimonies: delete expired ones, rotate the encryption key, export."""


@testimonies.command(
    name="delete-expired",
    epilog=(
        "Example (daily, from cron):\n\n\b\n  15 3 * * * solidarity testimonies delete-expired"
    ),
)
@click.option("--dry-run", is_flag=True, help="Only count what would be deleted.")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Pretend today is this date (YYYY-MM-DD); for checking a schedule.",
)
def delete_expired(dry_run: bool, today: datetime.datetime | None) -> None:
    """Delete every testimony whose retention period has ended, with its consents and
    moderation records. Safe to run as often as you like."""
    _setup()
    from solidarity.testimonies.actions import testimonies_delete_expired

    count = testimonies_delete_expired(today=today.date() if today else None, dry_run=dry_run)
    verb = "would be deleted" if dry_run else "deleted"
    click.echo(f"{count} expired testimonies {verb}.")


@testimonies.command(
    name="rotate-keys",
    epilog=(
        "Example:\n\n\b\n"
        '  SOLIDARITY_TESTIMONY_KEYS="$NEW_KEY,$OLD_KEY" solidarity testimonies rotate-keys'
    ),
)
def rotate_keys() -> None:
    """Re-encrypt every testimony under the first key of SOLIDARITY_TESTIMONY_KEYS; afterwards
    the other keys can be removed."""
    _setup()
    from solidarity.testimonies.actions import testimony_keys_rotate
    from solidarity.testimonies.crypto import SealBrokenError

    try:
        count = testimony_keys_rotate()
    except SealBrokenError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{count} testimonies re-encrypted under the first key.")


@testimonies.command(
    name="export",
    epilog=(
        "Example:\n\n\b\n"
        "  solidarity testimonies export --use share_state --state KEN --out kenya.csv"
    ),
)
@click.option(
    "--use",
    type=click.Choice(["publish", "share_state", "share_un", "research"]),
    default="publish",
    show_default=True,
    help="The use the export is for: only testimonies consented to it are written.",
)
@click.option("--state", metavar="ISO3", help="Only this State's (required for share_state).")
@click.option("--objective", type=click.IntRange(1, 23), help="Only this GCM objective's.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    required=True,
    help="CSV file to write.",
)
def export(use: str, state: str | None, objective: int | None, out: Path) -> None:
    """Write the redacted testimonies one use may draw on as CSV, through the consent gate."""
    _setup()
    from solidarity.testimonies.selectors import StateRequiredError, shared_testimonies

    try:
        rows = shared_testimonies(use, state=state, objective=objective)
    except StateRequiredError as error:
        raise click.BadParameter(str(error), param_hint="--state") from None
    with out.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["id", "language", "objectives", "countries", "attribution", "text"])
        for shared in rows:
            t = shared.testimony
            writer.writerow(
                [
                    t.public_id,
                    t.language,
                    ";".join(str(o.number) for o in t.objectives.all()),
                    ";".join(t.countries()),
                    shared.attribution,
                    shared.text,
                ]
            )
    click.echo(f"{out}: {len(rows)} testimonies ({use}).")
    if not rows:
        sys.exit(1)
