"""``solidarity rights``: imports from the command line, through the same actions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from solidarity.cli import main
from solidarity.rights.models import Ratification, Recommendation
from solidarity.rights.tests.conftest import UHRI_ANNOTATIONS, write_uhri_json

pytestmark = pytest.mark.django_db


def run(*args: str) -> Any:
    return CliRunner().invoke(main, ["rights", *args])


def test_import_and_import_again(uhri_json: Path) -> None:
    result = run("import", str(uhri_json), "--format", "uhri-json")
    assert result.exit_code == 0, result.output
    assert result.output == (
        "uhri-export.json: 3 rows read, 3 recommendations created, 0 updated, 0 unchanged.\n"
    )
    again = run("import", str(uhri_json), "--format", "uhri-json")
    assert again.output.endswith("3 unchanged.\nAlready imported: nothing changed.\n")


def test_a_bad_file_exits_with_1_and_stores_nothing(tmp_path: Path) -> None:
    path = write_uhri_json(tmp_path / "bad.json", [UHRI_ANNOTATIONS[0] | {"Body": ""}])
    result = run("import", str(path), "--format", "uhri-json")
    assert result.exit_code == 1
    assert result.output == (
        "Error: bad.json, row 1, field 'Body': missing — nothing was imported.\n"
    )
    assert Recommendation.objects.count() == 0


def test_ratifications_import(shared_data: Path) -> None:
    path = shared_data / "reference" / "un_core_hr_treaties_ratification_status_2022.csv"
    result = run("ratifications", "import", str(path), "--as-of", "2022")
    assert result.exit_code == 0, result.output
    assert result.output == (
        "un_core_hr_treaties_ratification_status_2022.csv: 3474 rows read, 3474 created, "
        "0 updated, 0 unchanged.\n"
    )
    row = Ratification.objects.get(country="TLS", treaty="ICMW")
    assert (row.status, row.year, row.as_of) == ("party", 2004, "2022")
    assert row.source == "un_core_hr_treaties_ratification_status_2022.csv"


def test_reference_load_brings_the_ratification_table(db: Any) -> None:
    result = CliRunner().invoke(main, ["reference", "load"])
    assert result.exit_code == 0, result.output
    assert "ratifications changed: 3474" in result.output
    assert Ratification.objects.count() == 3474
