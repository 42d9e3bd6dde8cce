"""The ``solidarity fairshare`` command and the fair-share figure imports of
``solidarity reference``: a thin click layer over :mod:`solidarity.fairshare.selectors` and
:mod:`solidarity.fairshare.actions`."""

from __future__ import annotations

import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path

import click


def _setup() -> None:
    from solidarity.cli import setup_django

    setup_django()


@click.command(
    epilog=(
        "Example:\n\n\b\n"
        "  solidarity fairshare --key eu2024 --group EU27 --year 2020 --actual refugees \\\n"
        "      --out eu27_refugees_2020.csv"
    )
)
@click.option(
    "--key",
    "key_name",
    required=True,
    metavar="eu2024|eu2015|PATH",
    help="A preset key, or a YAML/JSON file declaring one (docs/fair-sharing.md).",
)
@click.option(
    "--group",
    required=True,
    metavar="EU27|UN|M49:<code>|GROUP:<slug>",
    help="The States sharing: EU27, UN, M49:<code> (UN Members in that region) or a user group.",
)
@click.option(
    "--year", required=True, type=int, help="Year of the figures (no other year is used)."
)
@click.option(
    "--burden",
    metavar="N",
    help="People to receive or money to provide; by default the group's total of --actual.",
)
@click.option(
    "--actual",
    type=click.Choice(["refugees", "migrant-stock", "disbursed-usd"]),
    help="What each State actually does, to compare with its fair share.",
)
@click.option(
    "--figures",
    "figures_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Extra figures (indicator,iso3,year,value,source), e.g. the EU 2015 key's unemployment.",
)
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="CSV file to write (- for standard output).",
)
def fairshare(
    key_name: str,
    group: str,
    year: int,
    burden: str | None,
    actual: str | None,
    figures_path: Path | None,
    out: Path,
) -> None:
    """Each State's key share, fair share of a burden, actual effort, gap and ratio.

    Writes iso3, name, key_share, fair_share, actual, gap, ratio, share_low, share_high (the
    range across the sensitivity family) and missing (figures the State lacks; it is then left
    out of the sharing, never counted as zero). Exits with 1 when a State lacks a figure.
    """
    _setup()
    from solidarity.fairshare.exports import calculation_csv, decimal, provenance_lines
    from solidarity.fairshare.selectors import (
        UnknownGroup,
        calculate,
        group_get,
    )
    from solidarity.stats.fairshare import (
        PRESETS,
        FairShareError,
        figures_for_year,
        load_key,
        preset_key,
        read_figures_csv,
    )

    try:
        key = preset_key(key_name) if key_name in PRESETS else load_key(key_name)
    except FairShareError as error:
        raise click.BadParameter(str(error), param_hint="--key") from None
    try:
        resolved = group_get(spec=group)
    except UnknownGroup as error:
        raise click.BadParameter(str(error), param_hint="--group") from None
    amount = None
    if burden is not None:
        try:
            amount = Decimal(burden)
        except InvalidOperation:
            raise click.BadParameter(f"not a number: {burden!r}", param_hint="--burden") from None
    extra = None
    if figures_path is not None:
        try:
            extra, _ = figures_for_year(read_figures_csv(figures_path), year=year)
        except FairShareError as error:
            raise click.BadParameter(str(error), param_hint="--figures") from None
    try:
        calculation = calculate(
            key=key, group=resolved, year=year, burden=amount, actual=actual, extra_figures=extra
        )
    except FairShareError as error:
        raise click.ClickException(str(error)) from None
    text = calculation_csv(calculation)
    if str(out) == "-":
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
    for line in provenance_lines(calculation):
        click.echo(line, err=True)
    table = calculation.table
    if table is not None:
        shared = f"{len(table.key_shares.shares)} of {len(resolved.states)} States shared"
        if table.burden is None:
            click.echo(f"{shared} (key shares only: no burden, no actual measure)", err=True)
        else:
            click.echo(
                f"{shared} a burden of {decimal(table.burden, 0)}"
                + (
                    " (the group's total of the actual measure)" if table.burden_from_actual else ""
                ),
                err=True,
            )
    if calculation.missing:
        by_state: dict[str, list[str]] = {}
        for missing in calculation.missing:
            by_state.setdefault(missing.iso3, []).append(f"{missing.indicator} ({missing.reason})")
        for state, what in sorted(by_state.items()):
            click.echo(f"missing {state}: {', '.join(what)}", err=True)
        sys.exit(1)


@click.command(
    name="import-worldbank",
    epilog=(
        "Example:\n\n\b\n"
        "  solidarity reference import-worldbank shared/data/reference/\n"
        "  solidarity reference import-worldbank worldbank_population.csv"
    ),
)
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--indicator",
    type=click.Choice(["population", "gdp"]),
    help="What a single file holds; by default told from its name.",
)
def import_worldbank(path: Path, indicator: str | None) -> None:
    """Refresh the fair-share population and GDP figures from World Bank CSV files (Country
    Name, Country Code, Year, Value): one file, or a folder with worldbank_population.csv and
    worldbank_gdp_current_usd.csv. The same files again change nothing."""
    _setup()
    from django.core.exceptions import ValidationError

    from solidarity.fairshare.actions import worldbank_import
    from solidarity.stats.fairshare import FairShareError

    try:
        results = worldbank_import(actor="system:cli", path=path, indicator=indicator)
    except (ValidationError, FairShareError) as error:
        message = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        raise click.ClickException(message) from None
    for result in results:
        click.echo(
            f"{result.indicator}: {result.created} added, {result.updated} updated, "
            f"{result.unchanged} unchanged"
        )


@click.command(
    name="import-undesa-figures",
    epilog=(
        "Example:\n\n\b\n"
        "  solidarity reference import-undesa-figures "
        "undesa_pd_2020_ims_stock_by_sex_and_destination.xlsx"
    ),
)
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_undesa_figures(path: Path) -> None:
    """Refresh the fair-share refugee and migrant-stock figures from the UN DESA International
    Migrant Stock 2020 workbook (read as the data hub reads it). The same file again changes
    nothing."""
    _setup()
    from solidarity.fairshare.actions import undesa_figures_import
    from solidarity.stats.undesa import UndesaError

    try:
        results = undesa_figures_import(actor="system:cli", path=path)
    except UndesaError as error:
        raise click.ClickException(str(error)) from None
    for result in results:
        click.echo(
            f"{result.indicator}: {result.created} added, {result.updated} updated, "
            f"{result.unchanged} unchanged"
        )
