"""``solidarity reviews``: review cycles and State reviews from the command line.

A thin click layer over :mod:`solidarity.reviews.loaders` and :mod:`solidarity.reviews.selectors`.
"""

from __future__ import annotations

from pathlib import Path

import click


def setup_django() -> None:
    from solidarity.cli import setup_django as setup

    setup()


@click.group(epilog="Example:\n\n\b\n  solidarity reviews cycles")
def reviews() -> None:
    """Review cycles (IMRF, regional reviews), State reviews and stakeholder inputs."""


@reviews.command(
    name="load",
    epilog="Example:\n\n\b\n  solidarity reviews load\n  solidarity reviews load my-cycles.yaml",
)
@click.argument(
    "path", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
def load(path: Path | None) -> None:
    """Load (or refresh) the review cycles: the shipped ones (IMRF-2022, IMRF-2026 and the regional
    reviews of 2020-21 and 2024-25), or those of PATH, a file of the same layout.

    Safe to run again: cycles are updated in place, and phase dates the secretariat entered in
    the platform are kept.
    """
    setup_django()
    from solidarity.reviews.loaders import SHIPPED_CYCLES, CyclesFileError, cycles_load

    try:
        counts = cycles_load(actor="system:cli", path=path or SHIPPED_CYCLES)
    except CyclesFileError as error:
        raise click.ClickException(str(error)) from None
    for kind, number in counts.items():
        click.echo(f"{kind}: {number}")


@reviews.command(
    name="cycles",
    epilog=(
        "Example:\n\n\b\n  solidarity reviews cycles\n  solidarity reviews cycles --on 2026-03-01"
    ),
)
@click.option(
    "--on",
    "day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The day to say what is open on (default: today).",
)
def cycles(day: object) -> None:
    """List the review cycles, newest first, with the phase open today (or on --on)."""
    setup_django()
    import datetime

    from django.utils import timezone

    from solidarity.reviews.selectors import cycle_list

    today = day.date() if isinstance(day, datetime.datetime) else timezone.localdate()
    rows = list(cycle_list())
    if not rows:
        click.echo("No review cycle: run `solidarity reviews load`.")
        return
    for cycle in rows:
        if not cycle.is_open:
            state = "not opened"
        else:
            open_phases = [phase.get_kind_display() for phase in cycle.open_phases(today=today)]
            state = "open: " + (", ".join(str(p) for p in open_phases) or "no phase open")
        forum = cycle.phase("forum")
        when = ""
        if forum is not None and forum.starts_on is not None:
            when = f" forum {forum.starts_on:%Y-%m-%d}"
            if forum.ends_on is not None and forum.ends_on != forum.starts_on:
                when += f"..{forum.ends_on:%Y-%m-%d}"
        click.echo(f"{cycle.code:<16} {cycle.title} —{when} ({state})")
