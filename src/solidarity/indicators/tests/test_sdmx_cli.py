"""``solidarity data export``: an indicator's published data in a file, as the SDMX REST API
serves them."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from solidarity.cli import main
from solidarity.indicators import sdmx as hub
from solidarity.indicators.models import DatasetVersion
from solidarity.indicators.tests.test_sdmx_api import FLOW, ons, read, schemas, stored
from solidarity.stats import sdmx

pytestmark = pytest.mark.django_db
__all__ = ["ons", "schemas"]  # fixtures shared with the API's tests


def export(tmp_path: Path, *args: str) -> tuple[Any, Path]:
    out = tmp_path / "export"
    return CliRunner().invoke(main, ["data", "export", *args, "--out", str(out)]), out


@pytest.mark.parametrize("export_format", ["sdmx-ml", "sdmx-ml-3.0", "sdmx-csv", "sdmx-json"])
def test_every_sdmx_format_validates_and_reads_back(
    ons: DatasetVersion, schemas: Path, tmp_path: Path, export_format: str
) -> None:
    result, out = export(tmp_path, "10.7.3", "--format", export_format, "--ref-area", "GBR")
    assert result.exit_code == 0, result.output
    assert result.output == f"{out}: 297 observations ({export_format}).\n"
    structure = hub.flow_get(id=FLOW).structure
    content = out.read_bytes()
    if export_format == "sdmx-json":
        assert sdmx.validate_sdmx_json(content, schema_dir=schemas) == []
    elif export_format.startswith("sdmx-ml"):
        assert sdmx.validate_sdmx_ml(content, schema_dir=schemas, structure=structure) == []
    assert read(sdmx.read_sdmx_data(content, structure=structure).observations) == stored(ons)


def test_plain_csv_has_the_sdmx_columns_without_the_structures(
    ons: DatasetVersion, tmp_path: Path
) -> None:
    result, out = export(tmp_path, "10.7.3", "--format", "csv")
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    assert len(rows) == 297
    assert list(rows[0])[:3] == ["SERIES", "REF_AREA", "SEX"]
    assert {row["REF_AREA"] for row in rows} == {"826"}


def test_nothing_published_or_unknown(cast: Any, tmp_path: Path) -> None:
    result, _ = export(tmp_path, "10.7.3", "--format", "csv", "--ref-area", "KEN")
    assert result.exit_code == 1
    assert "Nothing is published for this indicator yet." in result.output
    result, _ = export(tmp_path, "99.9.9", "--format", "csv")
    assert result.exit_code == 2
    assert "no indicator with code '99.9.9'" in result.output
    result, _ = export(tmp_path, "10.7.3", "--format", "csv", "--ref-area", "XXX")
    assert "no reference area 'XXX'" in result.output


@pytest.mark.parametrize("export_format", ["sdmx-ml", "sdmx-ml-3.0", "sdmx-json"])
@pytest.mark.parametrize("at_observation", ["TIME_PERIOD", "SEX"])
def test_dimension_at_observation_gives_series_that_validate_and_read_back(
    ons: DatasetVersion, schemas: Path, tmp_path: Path, export_format: str, at_observation: str
) -> None:
    result, out = export(
        tmp_path,
        "10.7.3",
        "--format",
        export_format,
        "--dimension-at-observation",
        at_observation,
    )
    assert result.exit_code == 0, result.output
    structure = hub.flow_get(id=FLOW).structure
    content = out.read_bytes()
    if export_format == "sdmx-json":
        assert sdmx.validate_sdmx_json(content, schema_dir=schemas) == []
        message = json.loads(content)
        observation = message["data"]["structures"][0]["dimensions"]["observation"]
        assert [d["id"] for d in observation] == [at_observation]
        assert message["data"]["dataSets"][0]["series"]
    else:
        assert sdmx.validate_sdmx_ml(content, schema_dir=schemas, structure=structure) == []
        assert f'dimensionAtObservation="{at_observation}"'.encode() in content
        assert b"<Series " in content
    assert read(sdmx.read_sdmx_data(content, structure=structure).observations) == stored(ons)


def test_dimension_at_observation_defaults_to_flat_and_refuses_unknown_names(
    ons: DatasetVersion, tmp_path: Path
) -> None:
    result, out = export(tmp_path, "10.7.3", "--format", "sdmx-ml")
    assert result.exit_code == 0, result.output
    assert b'dimensionAtObservation="AllDimensions"' in out.read_bytes()
    out.unlink()
    result, out = export(
        tmp_path, "10.7.3", "--format", "sdmx-ml", "--dimension-at-observation", "COLOUR"
    )
    assert result.exit_code == 2
    assert "'COLOUR' is not a dimension of DSD_10_7_3" in result.output
    assert not out.exists()
    # The CSV files are flat whatever is asked.
    result, out = export(
        tmp_path, "10.7.3", "--format", "sdmx-csv", "--dimension-at-observation", "SEX"
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"STRUCTURE,STRUCTURE_ID,ACTION,SERIES,REF_AREA,SEX")
