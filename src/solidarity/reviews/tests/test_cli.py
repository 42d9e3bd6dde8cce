"""``solidarity reviews load`` and ``solidarity reviews cycles``."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from solidarity.reviews.cli import reviews

pytestmark = pytest.mark.django_db


def test_load_then_list_the_cycles() -> None:
    runner = CliRunner()
    result = runner.invoke(reviews, ["load"])
    assert result.exit_code == 0, result.output
    assert "review cycles changed: 12" in result.output
    result = runner.invoke(reviews, ["cycles", "--on", "2022-05-18"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("IMRF-2026")
    imrf = next(line for line in lines if line.startswith("IMRF-2022"))
    assert "forum 2022-05-17..2022-05-20 (not opened)" in imrf
    assert runner.invoke(reviews, ["load"]).output == (
        "review cycles changed: 0\ncycle phases changed: 0\n"
    )


def test_a_bad_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "cycles.yaml"
    path.write_text("cycles:\n  - kind: imrf\n", encoding="utf-8")
    result = CliRunner().invoke(reviews, ["load", str(path)])
    assert result.exit_code == 1
    assert "Error: cycles.yaml: cycle 1: field 'code' is required" in result.output


def test_no_cycle_says_how_to_load_them() -> None:
    result = CliRunner().invoke(reviews, ["cycles"])
    assert result.output == "No review cycle: run `solidarity reviews load`.\n"
