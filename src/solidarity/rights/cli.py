"""``solidarity rights``: import recommendations and ratifications, classify recommendations.

A thin click layer over :mod:`solidarity.rights.actions`. ``classify``, ``train-classifier`` and
``evaluate-classifier`` are the classifier's own commands (``solidarity.stats.recommendations``'s
``cli`` module), added to this group when that module is there; it is imported only when the
group lists or runs its commands, so ``solidarity --help`` stays fast.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import click

CLASSIFIER_CLI = "solidarity.stats.recommendations.cli"


def setup_django() -> None:
    from solidarity.cli import setup_django as setup

    setup()


# The classifier's commands, by name in this group and in its module.
CLASSIFIER_COMMANDS = {
    "classify": "classify",
    "train-classifier": "train_classifier",
    "evaluate-classifier": "evaluate_classifier",
}


class RightsGroup(click.Group):
    """The group, with the classifier's commands added lazily."""

    def _add_classifier(self) -> None:
        if "classify" in self.commands or importlib.util.find_spec(CLASSIFIER_CLI) is None:
            return
        module = importlib.import_module(CLASSIFIER_CLI)
        for name, attribute in CLASSIFIER_COMMANDS.items():
            command = getattr(module, attribute, None)
            if isinstance(command, click.Command):
                self.add_command(command, name=name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._add_classifier()
        return super().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in CLASSIFIER_COMMANDS:
            self._add_classifier()
        return super().get_command(ctx, cmd_name)


@click.group(
    cls=RightsGroup,
    epilog=(
        "Example:\n\n\b\n"
        "  solidarity rights import upr_info_recommendations_2008-2012.csv.gz "
        "--format upr-info-csv"
    ),
)
def rights() -> None:
    """Human-rights recommendations (UPR, treaty bodies, special procedures) and treaty
    ratifications."""


@rights.command(
    name="import",
    epilog=(
        "Example:\n\n\b\n"
        "  solidarity rights import export-full-en.json --format uhri-json\n"
        "  solidarity rights import upr_info_recommendations_2008-2012.csv.gz "
        "--format upr-info-csv"
    ),
)
@click.argument("path", type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path))
@click.option(
    "--format",
    "file_format",
    required=True,
    type=click.Choice(["uhri-json", "uhri-xlsx", "upr-info-csv"]),
    help="UHRI's JSON or Excel export, or the UPR Info CSV layout (plain or .gz).",
)
def rights_import(path: Path, file_format: str) -> None:
    """Import recommendations from a file, all or nothing.

    The same file again changes nothing; a recommendation whose source row changed is updated,
    keeping its labels, statuses and assessments. Exits with 1, storing nothing, on the first
    bad row (the message names the file, the row and the field).
    """
    setup_django()
    from solidarity.rights.actions import recommendations_import
    from solidarity.rights.formats import RightsFileError

    try:
        result = recommendations_import(
            actor="system:cli",
            path=path,
            file_format=file_format,  # type: ignore[arg-type]  # click checked the choice
        )
    except RightsFileError as error:
        raise click.ClickException(f"{error} — nothing was imported.") from error
    click.echo(
        f"{result.file_name}: {result.rows_read} rows read, {result.created} recommendations "
        f"created, {result.updated} updated, {result.unchanged} unchanged."
    )
    if not result.changed:
        click.echo("Already imported: nothing changed.")


@rights.group(
    epilog=(
        "Example:\n\n\b\n"
        "  solidarity rights ratifications import "
        "un_core_hr_treaties_ratification_status_2022.csv"
    )
)
def ratifications() -> None:
    """The treaty ratification tracker."""


@ratifications.command(
    name="import",
    epilog=(
        "Example:\n\n\b\n"
        "  solidarity rights ratifications import "
        "un_core_hr_treaties_ratification_status_2022.csv --as-of 2022"
    ),
)
@click.argument("path", type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path))
@click.option(
    "--source",
    default="",
    help="Where the table comes from (default: its '# source:' line, else the file name).",
)
@click.option(
    "--as-of",
    default="",
    metavar="YYYY[-MM[-DD]]",
    help="Date of the snapshot (default: its '# ... as of:' line, else today).",
)
def ratifications_import_command(path: Path, source: str, as_of: str) -> None:
    """Refresh ratification statuses from a table: the UN Treaty Collection extract
    (instrument, iso2, …, status) or Solidarity's compact table (iso3, treaty, status, year).

    All or nothing; only rows whose status or year changed are written.
    """
    setup_django()
    from solidarity.rights.actions import ratifications_import
    from solidarity.rights.formats import RightsFileError

    try:
        result = ratifications_import(actor="system:cli", path=path, source=source, as_of=as_of)
    except RightsFileError as error:
        raise click.ClickException(f"{error} — nothing was imported.") from error
    click.echo(
        f"{path.name}: {result.rows_read} rows read, {result.created} created, "
        f"{result.updated} updated, {result.unchanged} unchanged."
    )


@rights.command(
    name="predict",
    epilog="Example:\n\n\b\n  solidarity rights predict --country KEN",
)
@click.option(
    "--model",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A model file written by the classifier's training (default: the shipped model).",
)
@click.option("--country", metavar="ISO3", help="Only this State's recommendations.")
def rights_predict(model: Path | None, country: str | None) -> None:
    """Classify the stored recommendations and store the predictions as objective labels of
    provenance "model" (with score and model version).

    A label a person confirmed or rejected is never changed; an unreviewed model label the new
    model no longer predicts is withdrawn.
    """
    setup_django()
    from solidarity.rights.classification import recommendations_classify

    result = recommendations_classify(
        actor="system:cli", model=model, country=country.upper() if country else None
    )
    click.echo(
        f"{result.recommendations} recommendations classified: {result.labels_created} labels "
        f"created, {result.labels_updated} updated, {result.labels_withdrawn} withdrawn."
    )


@rights.command(name="cluster", epilog="Example:\n\n\b\n  solidarity rights cluster")
@click.option(
    "--threshold",
    type=click.FloatRange(0.0, 1.0),
    help="Cosine similarity from which two recommendations are the same ask "
    "(default: the classifier package's).",
)
def rights_cluster(threshold: float | None) -> None:
    """Group each State's near-duplicate recommendations (the same ask from several
    mechanisms and cycles) into clusters, shown together on the pages."""
    setup_django()
    from solidarity.rights.classification import recommendations_cluster

    changed = recommendations_cluster(actor="system:cli", threshold=threshold)
    click.echo(f"{changed} recommendations changed cluster.")
