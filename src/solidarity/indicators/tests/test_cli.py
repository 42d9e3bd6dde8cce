"""``solidarity data import``: the same action as the web and the API, from the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from solidarity.audit.models import AuditEntry
from solidarity.cli import main
from solidarity.indicators.models import (
    Code,
    DatasetVersion,
    Dimension,
    IndicatorDimension,
    LabelMapping,
)
from solidarity.indicators.tests.conftest import FIXTURES, load_provider_mappings
from solidarity.indicators.tests.test_sdmx_api import body, get, ons

pytestmark = pytest.mark.django_db
__all__ = ["ons"]  # the API tests' fixture


def run(*args: str) -> Any:
    return CliRunner().invoke(main, ["data", "import", *args])


def test_a_dry_run_checks_and_stores_nothing(cast: Any, shared_data: Path) -> None:
    load_provider_mappings(
        "ons_10_7_3_mappings.json", provider=cast.statistics_office, actor=cast.data_provider
    )
    path = shared_data / "indicators" / "uk_ons_sdg_indicator_10-7-3.csv"
    result = run(
        str(path), "--provider", "KNBS", "--indicator", "10.7.3", "--ref-area", "GBR", "--dry-run"
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        "uk_ons_sdg_indicator_10-7-3.csv: 297 rows read, 297 observations valid, 0 errors, "
    )
    assert "Valid (dry run): nothing stored." in result.output
    assert DatasetVersion.objects.count() == 0


def test_an_import_stores_a_draft_as_the_system(cast: Any, shared_data: Path) -> None:
    load_provider_mappings(
        "ons_10_7_3_mappings.json", provider=cast.statistics_office, actor=cast.data_provider
    )
    path = shared_data / "indicators" / "uk_ons_sdg_indicator_10-7-3.csv"
    result = run(
        str(path),
        "--provider",
        "Kenya National Bureau of Statistics",
        "--indicator",
        "10.7.3",
        "--ref-area",
        "GBR",
    )
    assert result.exit_code == 0, result.output
    version = DatasetVersion.objects.get()
    assert "Imported as version 1 (draft)" in result.output
    assert version.created_by_label == "system:cli"
    assert AuditEntry.objects.get(action="dataset_version.import").actor_label == "system:cli"


def test_a_file_with_errors_exits_with_1(cast: Any, tmp_path: Path) -> None:
    path = tmp_path / "deaths.csv"
    path.write_text("Year,Country of birth,Value\n2020,Non-EU born,3\n", encoding="utf-8")
    result = run(str(path), "--provider", "KNBS", "--indicator", "10.7.3")
    assert result.exit_code == 1
    assert (
        "deaths.csv, row 1, column Country of birth: COUNTRY_OF_BIRTH is not a dimension of "
        "indicator 10.7.3 [error]" in result.output
    )
    assert DatasetVersion.objects.count() == 0


def test_an_unknown_provider_is_refused(cast: Any, tmp_path: Path) -> None:
    path = tmp_path / "deaths.csv"
    path.write_text("Year,Value\n2020,3\n", encoding="utf-8")
    result = run(str(path), "--provider", "NOPE", "--indicator", "10.7.3")
    assert result.exit_code == 2
    assert "no organisation named 'NOPE'" in result.output


def test_the_indicator_is_told_from_an_open_sdg_file_name(cast: Any, shared_data: Path) -> None:
    load_provider_mappings(
        "ons_10_7_3_mappings.json", provider=cast.statistics_office, actor=cast.data_provider
    )
    path = shared_data / "indicators" / "uk_ons_sdg_indicator_10-7-3.csv"
    result = run(str(path), "--provider", "KNBS", "--ref-area", "GBR", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "297 observations valid, 0 errors" in result.output


@pytest.mark.parametrize("export_format", ["sdmx-ml", "sdmx-ml-3.0", "sdmx-csv", "sdmx-json"])
def test_the_hub_s_sdmx_files_name_their_indicator(
    cast: Any, ons: DatasetVersion, tmp_path: Path, export_format: str
) -> None:
    out = tmp_path / "export.dat"  # a name that says nothing
    exported = CliRunner().invoke(
        main, ["data", "export", "10.7.3", "--format", export_format, "--out", str(out)]
    )
    assert exported.exit_code == 0, exported.output
    result = run(str(out), "--provider", "KNBS", "--ref-area", "GBR", "--revision-note", "Again.")
    assert result.exit_code == 0, result.output
    assert "Imported as version 2 (draft)" in result.output
    assert DatasetVersion.objects.get(number=2).dataset == ons.dataset


def test_a_downloaded_table_names_its_indicator(
    cast: Any, ons: DatasetVersion, tmp_path: Path
) -> None:
    out = tmp_path / "table.csv"
    out.write_bytes(body(get("/indicators/10.7.3/data.csv")))
    result = run(str(out), "--provider", "KNBS", "--ref-area", "GBR", "--revision-note", "Again.")
    assert result.exit_code == 0, result.output
    assert DatasetVersion.objects.get(number=2).dataset == ons.dataset


def test_a_file_that_names_no_indicator_needs_the_option(
    cast: Any, ons: DatasetVersion, tmp_path: Path
) -> None:
    out = tmp_path / "export.csv"
    exported = CliRunner().invoke(
        main, ["data", "export", "10.7.3", "--format", "csv", "--out", str(out)]
    )
    assert exported.exit_code == 0, exported.output
    result = run(str(out), "--provider", "KNBS", "--ref-area", "GBR", "--dry-run")
    assert result.exit_code == 2
    assert "the file names no indicator of the catalogue; give one" in result.output
    assert DatasetVersion.objects.count() == 1


def _catalogue_of(name: str, provider: Any) -> Path:
    """Set up the provider-specific dimensions and codes a fixture's mappings need (as the
    catalogue would hold them) and give the fixture's path: its mappings go through the CLI."""
    path = FIXTURES / name
    data = json.loads(path.read_text(encoding="utf-8"))
    for entry in data.get("dimensions", []):
        dimension = Dimension.objects.create(
            code=entry["code"], name=entry["name"], provider_specific=True, order=900
        )
        for indicator in entry["indicators"]:
            IndicatorDimension.objects.create(
                indicator_id=indicator, dimension=dimension, order=900
            )
    for entry in data.get("codes", []):
        Code.objects.create(
            dimension_id=entry["dimension"], provider=provider, code=entry["code"],
            name=entry["name"],
        )  # fmt: skip
    return path


def test_a_mapping_file_reads_the_file_and_a_dry_run_keeps_it_not(
    cast: Any, shared_data: Path
) -> None:
    mappings = _catalogue_of("ons_8_5_2_mappings.json", cast.statistics_office)
    path = shared_data / "indicators" / "uk_ons_sdg_indicator_8-5-2.csv"
    target = ["--provider", "KNBS", "--indicator", "8.5.2", "--ref-area", "GBR"]
    without = run(str(path), *target, "--dry-run")
    assert without.exit_code == 1
    assert "no mapping for the column" in without.output
    dry = run(str(path), *target, "--mapping", str(mappings), "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "Valid (dry run): nothing stored." in dry.output
    assert not LabelMapping.objects.filter(provider=cast.statistics_office).exists()
    assert not AuditEntry.objects.filter(action__startswith="label_mapping").exists()


def test_a_mapping_file_is_kept_with_the_import(cast: Any, shared_data: Path) -> None:
    mappings = _catalogue_of("ons_8_5_2_mappings.json", cast.statistics_office)
    path = shared_data / "indicators" / "uk_ons_sdg_indicator_8-5-2.csv"
    result = run(
        str(path), "--provider", "KNBS", "--indicator", "8.5.2", "--ref-area", "GBR",
        "--mapping", str(mappings),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Imported as version 1 (draft)" in result.output
    stored = LabelMapping.objects.filter(provider=cast.statistics_office).count()
    assert stored == len(json.loads(mappings.read_text(encoding="utf-8"))["mappings"])
    entries = AuditEntry.objects.filter(action="label_mapping.create")
    assert entries.count() == stored
    assert {entry.actor_label for entry in entries} == {"system:cli"}


def test_a_bad_mapping_is_refused_naming_it(cast: Any, tmp_path: Path) -> None:
    path = tmp_path / "deaths.csv"
    path.write_text("Year,Gender,Value\n2020,Women,3\n", encoding="utf-8")
    mappings = tmp_path / "mappings.json"
    mappings.write_text(
        json.dumps({"mappings": [
            {"kind": "column", "label": "Gender", "dimension": "SEX"},
            {"kind": "value", "label": "Women", "dimension": "SEX", "code": "WOMEN"},
        ]}),
        encoding="utf-8",
    )  # fmt: skip
    result = run(
        str(path), "--provider", "KNBS", "--indicator", "10.7.3", "--mapping", str(mappings)
    )
    assert result.exit_code == 2
    assert "mappings.json, mapping 2: WOMEN is not a code of SEX." in result.output
    assert not LabelMapping.objects.filter(provider=cast.statistics_office).exists()
    assert DatasetVersion.objects.count() == 0
    mappings.write_text("[]", encoding="utf-8")
    result = run(
        str(path), "--provider", "KNBS", "--indicator", "10.7.3", "--mapping", str(mappings)
    )
    assert result.exit_code == 2
    assert "the mapping file needs a list of mappings under 'mappings'" in result.output
