"""``solidarity rights classify`` (and its siblings) through click, on real UPR rows."""

from __future__ import annotations

import csv
import random
from pathlib import Path

from click.testing import CliRunner

from solidarity.stats.recommendations import classify_texts
from solidarity.stats.recommendations.cli import classify, evaluate_classifier, train_classifier

from .conftest import write_csv

ALL_COLUMNS = ["To", "Text", "From", "Response", "Action", "Issue", "Session"]


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def sample(upr_table: list[dict[str, str]]) -> list[dict[str, str]]:
    # A few hundred rows of the later sessions, relevant ones included.
    return [row for row in upr_table if row["Session"] == "12"][:300]


def test_classify_writes_one_row_per_input_row_in_order(
    tmp_path: Path, upr_table: list[dict[str, str]]
) -> None:
    rows = sample(upr_table)
    source = write_csv(tmp_path / "upr.csv", rows, ALL_COLUMNS)
    out = tmp_path / "predictions.csv"
    result = CliRunner().invoke(
        classify, [str(source), "--format", "upr-info-csv", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("300 recommendations classified in ")
    predictions = read(out)
    assert list(predictions[0]) == ["row", "migration_relevant", "score", "objectives"]
    assert [p["row"] for p in predictions] == [str(i) for i in range(300)]
    expected = classify_texts([row["Text"] for row in rows])
    for written, prediction in zip(predictions, expected, strict=True):
        assert written["migration_relevant"] == str(int(prediction.migration_relevant))
        assert written["score"] == f"{prediction.score:.4f}"
        assert written["objectives"] == ";".join(map(str, prediction.objectives))
    relevant = [p for p in predictions if p["migration_relevant"] == "1"]
    assert relevant
    assert any(p["objectives"] for p in relevant)
    assert any(p["objectives"] == "" for p in predictions)


def test_classify_never_reads_the_labels(tmp_path: Path, upr_table: list[dict[str, str]]) -> None:
    rows = sample(upr_table)
    shuffled = [dict(row) for row in rows]
    labels = [(row["Issue"], row["Response"], row["Action"]) for row in rows]
    random.Random(5).shuffle(labels)
    for row, (issue, response, action) in zip(shuffled, labels, strict=True):
        row.update(Issue=issue, Response=response, Action=action)
    outputs = []
    for name, table, columns in [
        ("with.csv", rows, ALL_COLUMNS),
        ("shuffled.csv", shuffled, ALL_COLUMNS),
        ("without.csv", rows, ["To", "Text", "From", "Session"]),
    ]:
        out = tmp_path / f"{name}.out"
        result = CliRunner().invoke(
            classify,
            [
                str(write_csv(tmp_path / name, table, columns)),
                "--format",
                "upr-info-csv",
                "--out",
                str(out),
            ],
        )
        assert result.exit_code == 0, result.output
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1] == outputs[2]


def test_classify_can_add_the_groups(tmp_path: Path) -> None:
    source = tmp_path / "upr.csv"
    source.write_text("Text\nProtect migrant women and children from violence\n", encoding="utf-8")
    out = tmp_path / "predictions.csv"
    result = CliRunner().invoke(
        classify, [str(source), "--format", "upr-info-csv", "--out", str(out), "--groups"]
    )
    assert result.exit_code == 0, result.output
    (row,) = read(out)
    assert row["migration_relevant"] == "1"
    assert row["groups"] == "women-and-girls;children-and-adolescents"


def test_a_broken_file_leaves_no_predictions(tmp_path: Path) -> None:
    source = tmp_path / "upr.csv"
    source.write_text("Text,Session\nRatify ICRMW,12\n,12\n", encoding="utf-8")
    out = tmp_path / "predictions.csv"
    result = CliRunner().invoke(
        classify, [str(source), "--format", "upr-info-csv", "--out", str(out)]
    )
    assert result.exit_code == 1
    assert "Error: upr.csv, row 3, column Text: is empty" in result.output
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [source]


def test_an_unwritable_output_is_a_clear_error(tmp_path: Path) -> None:
    source = tmp_path / "upr.csv"
    source.write_text("Text\nRatify ICRMW\n", encoding="utf-8")
    out = tmp_path / "missing" / "p.csv"
    result = CliRunner().invoke(
        classify, [str(source), "--format", "upr-info-csv", "--out", str(out)]
    )
    assert result.exit_code == 1
    assert f"Error: {out}: cannot be written (No such file or directory)" in result.output


def test_the_format_is_required(tmp_path: Path) -> None:
    source = tmp_path / "upr.csv"
    source.write_text("Text\nRatify ICRMW\n", encoding="utf-8")
    result = CliRunner().invoke(classify, [str(source), "--out", str(tmp_path / "p.csv")])
    assert result.exit_code == 2
    assert "Missing option '--format'" in result.output


def test_train_and_classify_with_the_new_model(
    tmp_path: Path, upr_table: list[dict[str, str]]
) -> None:
    rows = [row for row in upr_table if row["Session"] in {"1", "2", "3"}]
    source = write_csv(tmp_path / "upr.csv", rows, ALL_COLUMNS)
    decisions = tmp_path / "decisions.csv"
    decisions.write_text(
        "text,objective,decision\nEnd the detention of migrant children,13,confirmed\n",
        encoding="utf-8",
    )
    model = tmp_path / "model.npz"
    result = CliRunner().invoke(
        train_classifier,
        [str(source), "--out", str(model), "--decisions", str(decisions)],
    )
    assert result.exit_code == 0, result.output
    assert "trained on upr.csv (2620 recommendations) and decisions.csv (1 decisions)" in (
        result.output
    )
    assert "1 decisions used" in result.output
    out = tmp_path / "p.csv"
    result = CliRunner().invoke(
        classify,
        [str(source), "--format", "upr-info-csv", "--out", str(out), "--model", str(model)],
    )
    assert result.exit_code == 0, result.output
    assert len(read(out)) == 2620


def test_train_needs_the_labels(tmp_path: Path) -> None:
    source = tmp_path / "upr.csv"
    source.write_text("Text\nRatify ICRMW\n", encoding="utf-8")
    result = CliRunner().invoke(train_classifier, [str(source), "--out", str(tmp_path / "m.npz")])
    assert result.exit_code == 1
    assert "Error: upr.csv, row 1: the header has no Issue, Session column" in result.output


def test_evaluate_needs_earlier_and_later_sessions(
    tmp_path: Path, upr_table: list[dict[str, str]]
) -> None:
    rows = [row for row in upr_table if row["Session"] == "1"][:50]
    source = write_csv(tmp_path / "upr.csv", rows, ALL_COLUMNS)
    result = CliRunner().invoke(evaluate_classifier, [str(source), "--test-from-session", "11"])
    assert result.exit_code == 1
    assert "Error: upr.csv: no recommendation before or from session 11" in result.output
