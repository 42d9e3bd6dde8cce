"""``solidarity reviews``: review cycles and State reviews from the command line."""

from __future__ import annotations

import click


@click.group(epilog="Example:\n\n\b\n  solidarity reviews --help")
def reviews() -> None:
    """Review cycles (IMRF, regional reviews), State reviews and stakeholder inputs."""
