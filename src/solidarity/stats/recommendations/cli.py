"""Click commands of the recommendation classifier, added to the ``solidarity rights`` group.

They need no database: they read files and write files.
"""

from __future__ import annotations

import csv
import os
import tempfile
import time
from itertools import islice
from pathlib import Path

import click

from ._errors import RecommendationsError
from ._model import BATCH, load_classifier
from ._reader import read_label_decisions, read_upr_info_csv
from ._train import evaluate, train

FORMATS = ("upr-info-csv",)


@click.command(
    epilog=(
        "Example:\n\n\b\n"
        "  solidarity rights classify recommendations.csv --format upr-info-csv"
        " --out predictions.csv"
    )
)
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format", "file_format", type=click.Choice(FORMATS), required=True, help="Input layout."
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    required=True,
    help="CSV file to write: row, migration_relevant, score, objectives.",
)
@click.option("--groups", is_flag=True, help="Add a groups column (codes separated by ';').")
@click.option(
    "--model",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="A model file from train-classifier (default: the model shipped with Solidarity).",
)
def classify(path: Path, file_format: str, out: Path, groups: bool, model: Path | None) -> None:
    """Classify recommendations from their text alone: GCM relevance and objectives.

    Writes one row per input row, in input order: `row` (0-based), `migration_relevant` (0/1),
    `score` (0-1) and `objectives` (objective numbers separated by ';', empty when none). Only
    the Text column is read; Response, Action and Issue may be absent and are never used. The
    output is written to a temporary file and moved into place only when every row is done.
    """
    del file_format  # one layout so far; the option is required so that files are never guessed
    started = time.perf_counter()
    try:
        classifier = load_classifier(model)
        recommendations = read_upr_info_csv(path)
        count = 0
        directory = out.resolve().parent
        handle, temporary = tempfile.mkstemp(prefix=".classify-", suffix=".csv", dir=directory)
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as file:
                writer = csv.writer(file)
                header = ["row", "migration_relevant", "score", "objectives"]
                writer.writerow([*header, "groups"] if groups else header)
                while batch := list(islice(recommendations, BATCH)):
                    predictions = classifier.predict([r.text for r in batch])
                    for recommendation, prediction in zip(batch, predictions, strict=True):
                        row = [
                            recommendation.row,
                            int(prediction.migration_relevant),
                            f"{prediction.score:.4f}",
                            ";".join(str(o) for o in prediction.objectives),
                        ]
                        if groups:
                            row.append(";".join(prediction.groups))
                        writer.writerow(row)
                    count += len(batch)
            Path(temporary).replace(out)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except RecommendationsError as error:
        raise click.ClickException(str(error)) from None
    except OSError as error:
        raise click.ClickException(f"{out}: cannot be written ({error.strerror})") from None
    seconds = time.perf_counter() - started
    click.echo(
        f"{count} recommendations classified in {seconds:.1f} s "
        f"(model {classifier.version}); predictions in {out}"
    )


@click.command(
    name="train-classifier",
    epilog=(
        "Example:\n\n\b\n"
        "  solidarity rights train-classifier upr_info_recommendations_2008-2012.csv.gz"
        " --decisions decisions.csv --out classifier.npz"
    ),
)
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    required=True,
    help="Model file to write (.npz).",
)
@click.option(
    "--decisions",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="People's label decisions (CSV: text, objective, decision) to learn from too.",
)
def train_classifier(path: Path, out: Path, decisions: Path | None) -> None:
    """Train the classifier on a labelled UPR Info CSV file (Text, Issue, Session).

    The labels come from UPR Info's issues through the crosswalk; confirmed or rejected labels
    exported from the rights pages override them for the same text.
    """
    try:
        recommendations = list(read_upr_info_csv(path, require_labels=True))
        people = read_label_decisions(decisions) if decisions is not None else []
    except RecommendationsError as error:
        raise click.ClickException(str(error)) from None
    source = f"{path.name} ({len(recommendations)} recommendations)"
    if decisions is not None:
        source += f" and {decisions.name} ({len(people)} decisions)"
    classifier = train(recommendations, decisions=people, source=source)
    classifier.save(out)
    used = classifier.metadata["decisions_used"]
    click.echo(f"Model {classifier.version} trained on {source}; {used} decisions used; in {out}")


@click.command(
    name="evaluate-classifier",
    epilog=(
        "Example:\n\n\b\n"
        "  solidarity rights evaluate-classifier upr_info_recommendations_2008-2012.csv.gz"
        " --test-from-session 11"
    ),
)
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--test-from-session",
    type=int,
    default=11,
    show_default=True,
    help="Train on the earlier UPR sessions, test on this one and the later ones.",
)
def evaluate_classifier(path: Path, test_from_session: int) -> None:
    """Measure the classifier and its baselines on later UPR sessions (Markdown tables)."""
    try:
        recommendations = list(read_upr_info_csv(path, require_labels=True))
    except RecommendationsError as error:
        raise click.ClickException(str(error)) from None
    try:
        evaluation = evaluate(recommendations, test_from_session=test_from_session)
    except ValueError as error:
        raise click.ClickException(f"{path.name}: {error}") from None
    click.echo(evaluation.to_markdown())


#: Every command of this module, for ``solidarity rights`` to add.
COMMANDS = (classify, train_classifier, evaluate_classifier)
