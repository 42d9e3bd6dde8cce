"""The ``solidarity`` command: a thin click layer over the platform's actions.

Run ``solidarity --help`` for the list of subcommands, each with an example.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:  # the models load only once a command has set Django up
    from solidarity.accounts.models import Organisation
    from solidarity.indicators.models import Code, Indicator


def setup_django() -> None:
    """Configure Django once, lazily, so ``solidarity --help`` stays instant."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "solidarity.config.settings")
    import django

    django.setup()


def hub_target(
    *, provider: str, indicator: str, ref_area: str | None
) -> tuple[Organisation, Indicator, Code]:
    """The organisation, indicator and reference-area code that ``--provider``, ``--indicator``
    and ``--ref-area`` name, for the commands that put data into the hub; a name that matches
    nothing is a usage error naming its option. Call after :func:`setup_django`."""
    from solidarity.accounts.selectors import organisation_find
    from solidarity.indicators.models import Code, Indicator
    from solidarity.indicators.selectors import ref_area_get

    organisation = organisation_find(name_or_acronym=provider)
    if organisation is None:
        raise click.BadParameter(f"no organisation named {provider!r}", param_hint="--provider")
    indicator_row = Indicator.objects.filter(code=indicator).first()
    if indicator_row is None:
        raise click.BadParameter(f"no indicator with code {indicator!r}", param_hint="--indicator")
    area = ref_area or organisation.country_id
    if not area:
        raise click.BadParameter(
            "the provider has no country: give the reference area", param_hint="--ref-area"
        )
    try:
        area_code = ref_area_get(iso3_or_m49=area)
    except Code.DoesNotExist:
        raise click.BadParameter(f"no reference area {area!r}", param_hint="--ref-area") from None
    return organisation, indicator_row, area_code


@click.group(
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="Example:\n\n\b\n  solidarity serve --port 8000",
)
@click.version_option(package_name="solidarity")
def main() -> None:
    """Solidarity: follow-up and review of the Global Compact for Migration.

    Settings come from the environment (SOLIDARITY_HOME, DATABASE_URL, SECRET_KEY, …);
    see docs/configure.md.
    """


@main.command(epilog="Example:\n\n\b\n  solidarity serve --host 127.0.0.1 --port 8000")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--workers", default=2, show_default=True, type=int, help="Web worker processes.")
def serve(host: str, port: int, workers: int) -> None:
    """Migrate the database, load reference data, and serve the platform."""
    setup_django()
    from django.core.management import call_command

    from solidarity.indicators.loaders import load_indicator_catalogue
    from solidarity.reference.loaders import load_reference_data

    call_command("migrate", interactive=False, verbosity=0)
    counts = load_reference_data(actor="system:serve")
    click.echo("Reference data: " + ", ".join(f"{n} {k}" for k, n in counts.items()))
    counts = load_indicator_catalogue(actor="system:serve")
    click.echo("Indicator catalogue: " + ", ".join(f"{n} {k}" for k, n in counts.items()))
    from solidarity.rights.actions import rights_reference_load

    counts = rights_reference_load(actor="system:serve")
    click.echo("Human rights: " + ", ".join(f"{n} {k}" for k, n in counts.items()))
    from solidarity.reviews.loaders import cycles_load

    counts = cycles_load(actor="system:serve")
    click.echo("Review cycles: " + ", ".join(f"{n} {k}" for k, n in counts.items()))
    from gunicorn.app.base import BaseApplication

    from solidarity.config.wsgi import application

    class Server(BaseApplication):  # type: ignore[misc]  # gunicorn ships no type information
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("accesslog", "-")

        def load(self) -> object:
            return application

    click.echo(f"Solidarity is running at http://{host}:{port}/ (Ctrl+C to stop)")
    # Background tasks (protection runs) queued in the database need a worker: one child
    # process beside gunicorn, stopped with it (docs/deploy.md runs them apart).
    from django.conf import settings

    worker = None
    if settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend":
        import subprocess

        command = [sys.executable, "-m", "solidarity", "manage", "db_worker", "--no-reload"]
        worker = subprocess.Popen(command)  # noqa: S603  # our own command, no user input
        click.echo(f"Task worker started (process {worker.pid})")
    try:
        Server().run()
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)


@main.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    epilog="Example:\n\n\b\n  solidarity manage createsuperuser",
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def manage(args: tuple[str, ...]) -> None:
    """Run a Django management command (migrate, check, shell, …)."""
    setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["solidarity manage", *args])


@main.group(epilog="Example:\n\n\b\n  solidarity reference load")
def reference() -> None:
    """The reference catalogue: objectives, countries, SDG indicators, treaties."""


@reference.command(name="load", epilog="Example:\n\n\b\n  solidarity reference load")
def reference_load() -> None:
    """Load (or refresh) the reference catalogue from the files shipped with Solidarity.

    Safe to run again: rows are updated in place, nothing is duplicated.
    """
    setup_django()
    from solidarity.indicators.loaders import load_indicator_catalogue
    from solidarity.reference.loaders import load_reference_data

    counts = load_reference_data(actor="system:cli")
    # The data hub's catalogue (dimensions, codelists, indicators) hangs on the reference one.
    counts |= load_indicator_catalogue(actor="system:cli")
    from solidarity.rights.actions import rights_reference_load

    # Mechanisms and the shipped ratification table hang on the countries and treaties.
    counts |= rights_reference_load(actor="system:cli")
    from solidarity.reviews.loaders import cycles_load

    # The shipped review cycles (IMRF-2022, IMRF-2026, regional reviews) hang on the countries.
    counts |= cycles_load(actor="system:cli")
    for kind, number in counts.items():
        click.echo(f"{kind}: {number}")


from solidarity.fairshare.cli import (  # noqa: E402  # the fair-share commands live in their app
    fairshare,
    import_undesa_figures,
    import_worldbank,
)

reference.add_command(import_worldbank)
reference.add_command(import_undesa_figures)
main.add_command(fairshare)


@main.group(
    epilog=(
        "Example:\n\n\b\n"
        "  solidarity accounts create-user --username amina --email amina@example.org \\\n"
        "    --role focal_point --country KEN"
    ),
)
def accounts() -> None:
    """People, organisations and roles."""


@accounts.command(
    name="create-user",
    epilog=(
        "Example:\n\n\b\n"
        "  solidarity accounts create-user --username amina --email amina@example.org \\\n"
        "    --role focal_point --country KEN"
    ),
)
@click.option("--username", required=True, help="Login name.")
@click.option("--email", required=True, help="E-mail address (also accepted at login).")
@click.option(
    "--role",
    type=click.Choice(
        ["member", "focal_point", "data_provider", "moderator", "reviewer", "administrator"]
    ),
    help="Role to give; focal_point needs --country, member and data_provider --organisation.",
)
@click.option(
    "--country", metavar="ISO3", help="State a focal point speaks for (ISO 3166 alpha-3)."
)
@click.option("--organisation", metavar="NAME", help="Organisation (name or acronym).")
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from standard input, not a prompt."
)
def accounts_create_user(
    username: str,
    email: str,
    role: str | None,
    country: str | None,
    organisation: str | None,
    password_stdin: bool,
) -> None:
    """Create an account, optionally with a role. Asks for the password."""
    setup_django()
    from django.core.exceptions import ValidationError
    from django.db import IntegrityError, transaction

    from solidarity.accounts.actions import role_assign, user_create
    from solidarity.accounts.selectors import organisation_find
    from solidarity.reference.models import Country

    country_row = organisation_row = None
    if country:
        country_row = Country.objects.filter(iso3=country.upper()).first()
        if country_row is None:
            raise click.BadParameter(
                f"no country with ISO3 code {country!r}", param_hint="--country"
            )
    if organisation:
        organisation_row = organisation_find(name_or_acronym=organisation)
        if organisation_row is None:
            raise click.BadParameter(
                f"no organisation named {organisation!r}", param_hint="--organisation"
            )
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        with transaction.atomic():
            user = user_create(
                actor="system:cli", username=username, email=email, password=password
            )
            if role:
                role_assign(
                    actor="system:cli",
                    user=user,
                    role=role,
                    country=country_row,
                    organisation=organisation_row,
                )
    except ValidationError as error:
        raise click.ClickException("; ".join(error.messages)) from error
    except IntegrityError as error:
        raise click.ClickException(
            "this role needs its scope: --country for focal_point, --organisation for member "
            "and data_provider, neither for moderator, reviewer and administrator"
        ) from error
    click.echo(f"Created {username}" + (f" ({role})" if role else ""))


@main.group(
    epilog=(
        "Example:\n\n\b\n"
        "  solidarity data import deaths.csv --provider KNBS --indicator 10.7.3 --dry-run"
    )
)
def data() -> None:
    """Submit indicator data to the data hub."""


@data.command(
    name="import",
    epilog=(
        "Example:\n\n\b\n"
        "  solidarity data import uk_ons_sdg_indicator_10-7-3.csv --provider ONS \\\n"
        "      --indicator 10.7.3 --ref-area GBR --dry-run"
    ),
)
@click.argument("path", type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path))
@click.option(
    "--provider", required=True, metavar="CODE_OR_NAME", help="Organisation (acronym or name)."
)
@click.option(
    "--indicator",
    metavar="CODE",
    help=(
        "Indicator code, e.g. 10.7.3; by default the one the file names (the hub's SDMX "
        "dataflow, an INDICATOR column, or an Open SDG name such as indicator_10-7-3.csv)."
    ),
)
@click.option(
    "--ref-area",
    metavar="ISO3",
    help="Reference area (ISO3 or M49 code); by default the provider's country.",
)
@click.option(
    "--mapping",
    "mapping_file",
    type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path),
    help="A JSON file of label mappings, applied as the provider's before the file is read and "
    "kept only when the file imports.",
)
@click.option("--dry-run", is_flag=True, help="Only check the file; store nothing.")
@click.option(
    "--revision-note", default="", help="What changed and why (required from version 2 on)."
)
@click.option(
    "--format",
    "file_format",
    type=click.Choice(["open-sdg", "sdmx-csv", "sdmx-ml", "sdmx-json", "xlsx"]),
    help="The file's format; by default told from its content and extension.",
)
def data_import(
    path: Path,
    provider: str,
    indicator: str | None,
    ref_area: str | None,
    mapping_file: Path | None,
    dry_run: bool,
    revision_note: str,
    file_format: str | None,
) -> None:
    """Check a file (Open SDG CSV, SDMX-CSV, SDMX-ML, SDMX-JSON or XLSX) and, unless
    --dry-run, import it as a new draft version.

    Prints the import summary; exits with 0 when the file is valid (and imported), 1 when it
    has errors (nothing is stored then).
    """
    setup_django()

    from django.core.exceptions import ValidationError
    from django.db import transaction

    from solidarity.indicators.actions import label_mappings_load, submission_import
    from solidarity.indicators.formats import indicator_of_file, read_mapping_file
    from solidarity.stats.opensdg import OpenSdgError

    if indicator is None:
        with path.open("rb") as file:
            named = indicator_of_file(file=file, file_name=path.name)
        if named is None:
            raise click.BadParameter(
                "the file names no indicator of the catalogue; give one", param_hint="--indicator"
            )
        indicator = named.code
    organisation, indicator_row, area_code = hub_target(
        provider=provider, indicator=indicator, ref_area=ref_area
    )
    # The mappings and the import are one transaction: a dry run, or a file with errors, keeps
    # neither.
    with transaction.atomic():
        if mapping_file is not None:
            try:
                label_mappings_load(
                    actor="system:cli",
                    provider=organisation,
                    mappings=read_mapping_file(mapping_file.read_bytes(), mapping_file.name),
                    file_name=mapping_file.name,
                )
            except OpenSdgError as error:
                raise click.BadParameter(str(error), param_hint="--mapping") from None
            except ValidationError as error:
                raise click.BadParameter(" ".join(error.messages), param_hint="--mapping") from None
        with path.open("rb") as file:
            result = submission_import(
                actor="system:cli",
                indicator=indicator_row,
                provider=organisation,
                ref_area=area_code,
                file=file,
                file_name=path.name,
                dry_run=dry_run,
                revision_note=revision_note,
                format=file_format,
            )
        if result.version is None:
            transaction.set_rollback(True)
    summary = result.summary
    click.echo(
        f"{summary.file_name}: {summary.rows_read} rows read, "
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
        click.echo("Not imported: the file has errors.", err=True)
        sys.exit(1)
    if result.version is None:
        click.echo("Valid (dry run): nothing stored.")
    else:
        version = result.version
        click.echo(f"Imported as version {version.number} (draft) of dataset {version.dataset_id}.")


@data.command(
    name="coverage",
    epilog="Example:\n\n\b\n  solidarity data coverage --indicator 10.7.3 --ref-area GBR",
)
@click.option("--indicator", metavar="CODE", help="Only this indicator, e.g. 10.7.3.")
@click.option(
    "--ref-area",
    metavar="ISO3",
    help="Only this reference area (ISO3 or M49 code); lists its indicators without data too.",
)
def data_coverage(indicator: str | None, ref_area: str | None) -> None:
    """Print which breakdowns of each indicator a country's published data have and which are
    missing, one line per indicator and reference area."""
    setup_django()
    from solidarity.indicators.models import Code, Indicator
    from solidarity.indicators.publication import coverage_report
    from solidarity.indicators.selectors import ref_area_get

    indicator_row = None
    if indicator:
        indicator_row = Indicator.objects.filter(code=indicator).first()
        if indicator_row is None:
            raise click.BadParameter(
                f"no indicator with code {indicator!r}", param_hint="--indicator"
            )
    area_code = None
    if ref_area:
        try:
            area_code = ref_area_get(iso3_or_m49=ref_area)
        except Code.DoesNotExist:
            raise click.BadParameter(
                f"no reference area {ref_area!r}", param_hint="--ref-area"
            ) from None
    rows = coverage_report(indicator=indicator_row, ref_area=area_code)
    if not rows:
        click.echo("No data published yet.")
        return
    table = [("INDICATOR", "REF_AREA", "PROVIDERS", "PRESENT", "MISSING")] + [
        (
            row.indicator,
            f"{row.ref_area} {row.ref_area_name}",
            ",".join(row.providers) or "-",
            ",".join(row.present) or "-",
            ",".join(row.missing) or "-",
        )
        for row in rows
    ]
    widths = [max(len(line[column]) for line in table) for column in range(4)]
    for line in table:
        click.echo(
            "  ".join(cell.ljust(width) for cell, width in zip(line[:4], widths, strict=True))
            + "  "
            + line[4]
        )


@data.command(
    name="import-undesa",
    epilog=(
        "Example:\n\n\b\n"
        "  solidarity data import-undesa undesa_pd_2020_ims_stock_by_sex_and_destination.xlsx"
    ),
)
@click.argument("path", type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path))
def data_import_undesa(path: Path) -> None:
    """Load the UN DESA International Migrant Stock 2020 workbook as dataset versions of
    GCM_MIGRANT_STOCK and GCM_REFUGEES_HOSTED; the same file again changes nothing."""
    setup_django()
    from solidarity.indicators.actions import undesa_import
    from solidarity.stats.undesa import UndesaError

    try:
        result = undesa_import(actor="system:cli", path=str(path))
    except UndesaError as error:
        raise click.ClickException(str(error)) from error
    click.echo(
        f"{result.versions_created} new versions, {result.observations} observations; "
        f"{result.datasets_unchanged} datasets already hold this file; "
        f"{len(result.areas_skipped)} UN DESA groups skipped (not M49 areas)."
    )
    if result.versions_created == 0:
        click.echo("Already imported: nothing changed.")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())


@data.command(
    name="export",
    epilog=(
        "Example:\n\n\b\n"
        "  solidarity data export 10.7.3 --format sdmx-csv --ref-area GBR --out deaths.csv"
    ),
)
@click.argument("indicator", metavar="INDICATOR")
@click.option(
    "--format",
    "export_format",
    required=True,
    type=click.Choice(["sdmx-ml", "sdmx-ml-3.0", "sdmx-csv", "sdmx-json", "csv"]),
    help="SDMX-ML 2.1 or 3.0 (structure-specific), SDMX-CSV 2.0, SDMX-JSON or plain CSV.",
)
@click.option("--ref-area", metavar="ISO3", help="Only this reference area (ISO3 or M49 code).")
@click.option(
    "--dimension-at-observation",
    default="AllDimensions",
    show_default=True,
    metavar="DIMENSION",
    help="As the SDMX API's dimensionAtObservation: AllDimensions (flat), TIME_PERIOD (time "
    "series) or a dimension such as SEX (cross-sections); SDMX-ML and SDMX-JSON only.",
)
@click.option(
    "--shape",
    type=click.Choice(["hub", "sdg"]),
    default="hub",
    show_default=True,
    help="The hub's dataflow (DF_10_7_3) or the SDG-shaped one (DF_SDG_10_7_3), which follows "
    "the UN SDG data structure.",
)
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="File to write.",
)
def data_export(
    indicator: str,
    export_format: str,
    ref_area: str | None,
    dimension_at_observation: str,
    shape: str,
    out: Path,
) -> None:
    """Write an indicator's published data (never drafts, embargoed versions or confidential
    cells) to a file, as the SDMX REST API at /sdmx/ serves them.

    Exits with 1 when nothing is published for it.
    """
    setup_django()
    from solidarity.indicators.models import Code, Indicator
    from solidarity.indicators.sdmx import flow_for_indicator, indicator_export
    from solidarity.indicators.selectors import ref_area_get
    from solidarity.stats.sdmx import SdmxStructureError, observation_dimension

    area = None
    if ref_area:
        try:
            area = ref_area_get(iso3_or_m49=ref_area).code
        except Code.DoesNotExist:
            raise click.BadParameter(
                f"no reference area {ref_area!r}", param_hint="--ref-area"
            ) from None
    try:
        # Checked before the file is opened, so that a wrong name leaves no empty file behind.
        observation_dimension(
            flow_for_indicator(code=indicator, shape="sdg" if shape == "sdg" else "hub").structure,
            dimension_at_observation,
        )
    except Indicator.DoesNotExist:
        raise click.BadParameter(
            f"no indicator with code {indicator!r}", param_hint="INDICATOR"
        ) from None
    except SdmxStructureError as error:
        raise click.BadParameter(str(error), param_hint="--dimension-at-observation") from None
    with out.open("wb") as file:
        count = indicator_export(
            code=indicator,
            format=export_format,  # type: ignore[arg-type]  # click checked the choice
            out=file,
            ref_area=area,
            dimension_at_observation=dimension_at_observation,
            shape="sdg" if shape == "sdg" else "hub",
        )
    click.echo(f"{out}: {count} observations ({export_format}).")
    if not count:
        click.echo("Nothing is published for this indicator yet.", err=True)
        sys.exit(1)


from solidarity.testimonies.cli import testimonies  # noqa: E402  # each group in its own module

main.add_command(testimonies)

from solidarity.fund.cli import fund  # noqa: E402  # each group in its own module

main.add_command(fund)


from solidarity.stats.privacy.cli import audit_command, tabulate_command  # noqa: E402  # privacy engine

main.add_command(tabulate_command)
main.add_command(audit_command)


from solidarity.commitments.cli import commitments  # noqa: E402  # each group in its own module

main.add_command(commitments)


from solidarity.rights.cli import rights  # noqa: E402  # each group in its own module

main.add_command(rights)

from solidarity.reviews.cli import reviews  # noqa: E402  # each group in its own module

main.add_command(reviews)

from solidarity.dossiers.cli import dossier  # noqa: E402  # each group in its own module

main.add_command(dossier)

from solidarity.protection.cli import protection  # noqa: E402  # each group in its own module

main.add_command(protection)
