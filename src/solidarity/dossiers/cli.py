"""``solidarity dossier``: a State's dossier for a review cycle, on the terminal or as PDF."""

from __future__ import annotations

import click


@click.command(
    name="dossier",
    epilog="Example:\n\n\b\n  solidarity dossier MEX --cycle IMRF-2026 --pdf mex.pdf",
)
@click.argument("iso3")
def dossier(iso3: str) -> None:
    """Assemble the dossier of State ISO3 for a review cycle."""
    raise click.ClickException("not built yet")
