"""``solidarity dossier``: a State's dossier for a review cycle, on the terminal or as PDF.

It reads as the public does — a published dossier only — unless ``--as-user`` names an account
whose rights it then has (a State's focal point, a reviewer or an administrator sees the draft).
"""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.command(
    name="dossier",
    epilog=(
        "Example:\n\n\b\n"
        "  solidarity dossier MEX --cycle IMRF-2026 --pdf mex.pdf\n"
        "  solidarity dossier KEN --cycle IMRF-2026 --as-user amina"
    ),
)
@click.argument("iso3")
@click.option(
    "--cycle", "cycle_code", required=True, help="The review cycle's code, e.g. IMRF-2026."
)
@click.option(
    "--pdf",
    "pdf_path",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the dossier as PDF to this file.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the dossier as JSON (as the API).")
@click.option(
    "--as-user",
    "username",
    help="Read as this account (to see a draft dossier); by default, as the public.",
)
def dossier(
    iso3: str, cycle_code: str, pdf_path: Path | None, as_json: bool, username: str | None
) -> None:
    """Assemble the dossier of State ISO3 for a review cycle: a summary of every section and its
    status, or the whole dossier as PDF or JSON."""
    from solidarity.cli import setup_django

    setup_django()
    from django.core.serializers.json import DjangoJSONEncoder

    from solidarity.accounts.models import User
    from solidarity.dossiers import selectors
    from solidarity.dossiers.pdf import dossier_pdf
    from solidarity.dossiers.serialize import dossier_as_json
    from solidarity.reference import selectors as reference
    from solidarity.reference.models import Country
    from solidarity.reviews.models import ReviewCycle
    from solidarity.reviews.selectors import cycle_get

    user = None
    if username is not None:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise click.BadParameter(f"no active user {username!r}", param_hint="--as-user")
    try:
        state = reference.country_get(iso3=iso3)
    except Country.DoesNotExist:
        raise click.ClickException(
            f"Unknown State: {iso3!r}; give an ISO 3166-1 alpha-3 code, e.g. KEN."
        ) from None
    try:
        cycle = cycle_get(code=cycle_code)
    except ReviewCycle.DoesNotExist:
        raise click.ClickException(
            f"Unknown review cycle: {cycle_code!r}; `solidarity reviews cycles` lists them."
        ) from None
    try:
        result = selectors.dossier_for(user=user, state=state, cycle=cycle)
    except selectors.DossierNotFound:
        raise click.ClickException(
            f"The dossier of {state.iso3} for {cycle.code} is not published yet: "
            "the State's review is still a draft (read it with --as-user and an account "
            "entitled to the draft)."
        ) from None
    if pdf_path is not None:
        pdf_path.write_bytes(dossier_pdf(result, language="en"))
        click.echo(f"Wrote {pdf_path} ({pdf_path.stat().st_size:,} bytes).")
        return
    if as_json:
        click.echo(json.dumps(dossier_as_json(result), cls=DjangoJSONEncoder, indent=1))
        return
    status = "published" if result.published else "DRAFT (not published)"
    click.echo(f"Dossier of {state.name} ({state.iso3}), {cycle.code}: {status}")
    for section in result.sections:
        mark = "missing" if section.is_missing else "present"
        click.echo(f"\n{section.title} [{mark}]")
        click.echo(f"  {section.summary}")
        if section.missing and section.missing != section.summary:
            click.echo(f"  Not there yet: {section.missing}")
        for source in section.sources:
            click.echo(
                f"  Source: {source.label}" + (f" (as of {source.as_of})" if source.as_of else "")
            )
