"""``solidarity protection``: disclosure-control runs kept by the platform."""

from __future__ import annotations

import click


@click.group(epilog="Example:\n\n\b\n  solidarity protection --help")
def protection() -> None:
    """Disclosure-control runs: protected tables, their reports and audits, publication."""
