"""Exports re-import: every file the hub hands out for an indicator (``solidarity data export``,
the download buttons, ``/sdmx/data`` answers) goes back through ``submission_import`` into the
same indicator as a new version with the very observations published."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from solidarity.cli import main
from solidarity.indicators.actions import (
    dataset_version_approve,
    dataset_version_publish,
    dataset_version_submit,
    submission_import,
)
from solidarity.indicators.models import DatasetVersion, Indicator
from solidarity.indicators.selectors import dataset_version_diff, ref_area_get
from solidarity.indicators.tests.conftest import load_provider_mappings
from solidarity.indicators.tests.test_sdmx_api import CSV, FLOW, JSON, ML, body, get, ons, publish

pytestmark = pytest.mark.django_db
__all__ = ["ons"]  # the API tests' fixture


def observations(version: DatasetVersion) -> set[tuple[Any, ...]]:
    """What a version holds that the public may see: everything an observation carries."""
    return set(
        version.observations.filter(conf_status__in=("", "F")).values_list(
            "series",
            "series_key",
            "time_period",
            "value",
            "obs_status",
            "conf_status",
            "unit",
            "unit_multiplier",
            "footnote",
        )
    )


@pytest.fixture
def unemployment(cast: Any, shared_data: Path) -> DatasetVersion:
    """ONS 8.5.2, published: two series (seasonally adjusted or not), quarters, suppressed
    cells."""
    load_provider_mappings(
        "ons_8_5_2_mappings.json", provider=cast.statistics_office, actor=cast.data_provider
    )
    content = (shared_data / "indicators" / "uk_ons_sdg_indicator_8-5-2.csv").read_bytes()
    return publish(cast, content, area="GBR", indicator="8.5.2")


def reimport(
    cast: Any, content: bytes, file_name: str, indicator: str = "10.7.3", number: int = 2
) -> DatasetVersion:
    result = submission_import(
        actor=cast.data_provider,
        indicator=Indicator.objects.get(code=indicator),
        provider=cast.statistics_office,
        ref_area=ref_area_get(iso3_or_m49="GBR"),
        file=io.BytesIO(content),
        file_name=file_name,
        dry_run=False,
        revision_note="Round trip.",
    )
    assert result.version is not None, result.summary.as_json()["problems"][:3]
    assert result.version.number == number
    return result.version


@pytest.mark.parametrize(
    "export_format",
    ["sdmx-ml", "sdmx-ml-3.0", "sdmx-csv", "sdmx-json", "csv"],
)
def test_cli_exports_reimport(
    cast: Any, ons: DatasetVersion, tmp_path: Path, export_format: str
) -> None:
    out = tmp_path / "export"
    result = CliRunner().invoke(
        main, ["data", "export", "10.7.3", "--format", export_format, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    again = reimport(cast, out.read_bytes(), f"export.{export_format}")
    assert observations(again) == observations(ons)


@pytest.mark.parametrize("accept", [*ML.values(), *CSV.values(), JSON])
def test_sdmx_api_answers_reimport(cast: Any, ons: DatasetVersion, accept: str) -> None:
    response = get(f"/sdmx/data/{FLOW}", accept)
    assert response.status_code == 200
    again = reimport(cast, body(response), "answer")
    assert observations(again) == observations(ons)


@pytest.mark.parametrize("name", ["data.csv", "data.xlsx"])
def test_downloads_reimport(cast: Any, ons: DatasetVersion, name: str) -> None:
    response = get(f"/indicators/10.7.3/{name}")
    assert response.status_code == 200
    again = reimport(cast, body(response), name)
    assert observations(again) == observations(ons)


@pytest.mark.parametrize("export_format", ["sdmx-ml", "sdmx-csv", "sdmx-json"])
def test_series_come_back(
    cast: Any, unemployment: DatasetVersion, tmp_path: Path, export_format: str
) -> None:
    out = tmp_path / "export"
    result = CliRunner().invoke(
        main, ["data", "export", "8.5.2", "--format", export_format, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    again = reimport(cast, out.read_bytes(), f"export.{export_format}", "8.5.2")
    assert set(again.observations.values_list("series", flat=True)) == {
        "Not seasonally adjusted",
        "Seasonally adjusted",
    }
    assert observations(again) == observations(unemployment)


def test_a_downloaded_table_keeps_its_series(cast: Any, unemployment: DatasetVersion) -> None:
    response = get("/indicators/8.5.2/data.csv")
    assert response.status_code == 200
    again = reimport(cast, body(response), "data.csv", "8.5.2")
    assert observations(again) == observations(unemployment)


def test_a_table_of_another_indicator_is_refused(cast: Any, ons: DatasetVersion) -> None:
    content = body(get("/indicators/10.7.3/data.csv"))
    result = submission_import(
        actor=cast.data_provider,
        indicator=Indicator.objects.get(code="8.5.2"),
        provider=cast.statistics_office,
        ref_area=ref_area_get(iso3_or_m49="GBR"),
        file=io.BytesIO(content),
        file_name="data.csv",
        dry_run=False,
        revision_note="",
    )
    assert result.version is None
    [problem] = result.summary.problems
    assert (problem.file, problem.row, problem.column) == ("data.csv", 2, "INDICATOR")
    assert problem.reason == "the row is of indicator 10.7.3, not 8.5.2"


# Footnotes (SDMX COMMENT_OBS) as providers write them: punctuation that CSV quotes and XML
# escapes, and letters beyond ASCII.
FOOTNOTES = {
    "2015": 'Includes deaths recorded by the "Missing Migrants" project, revised',
    "2017": "Chiffres révisés <provisoires> & incomplets",
    "2019": "Estimated from partial returns",
}


def with_footnotes(
    sdmx_csv: bytes, footnotes: dict[str, str], column: str = "COMMENT_OBS"
) -> bytes:
    """An SDMX-CSV export with a footnote (or another attribute, ``column``) on every
    observation of some periods."""
    rows = list(csv.DictReader(io.StringIO(sdmx_csv.decode("utf-8"))))
    assert rows
    assert column in rows[0]
    for row in rows:
        row[column] = footnotes.get(row["TIME_PERIOD"], "")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def footnotes_of(version: DatasetVersion) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for period, footnote in version.observations.values_list("time_period", "footnote"):
        found.setdefault(period, set()).add(footnote)
    return found


@pytest.fixture
def annotated(cast: Any, ons: DatasetVersion, tmp_path: Path) -> DatasetVersion:
    """Version 2 of ONS 10.7.3, published: the same figures, with footnotes, sent back as the
    SDMX-CSV export edited by hand."""
    out = tmp_path / "export.csv"
    result = CliRunner().invoke(
        main, ["data", "export", "10.7.3", "--format", "sdmx-csv", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    version = reimport(cast, with_footnotes(out.read_bytes(), FOOTNOTES), "footnotes.csv")
    version = dataset_version_submit(actor=cast.data_provider, version=version)
    version = dataset_version_approve(actor=cast.reviewer, version=version)
    return dataset_version_publish(actor=cast.reviewer, version=version, embargo_until=None)


def test_sdmx_csv_footnotes_are_stored(annotated: DatasetVersion) -> None:
    found = footnotes_of(annotated)
    assert found["2015"] == {FOOTNOTES["2015"]}
    assert found["2017"] == {FOOTNOTES["2017"]}
    assert found["2016"] == {""}
    assert len(found) > 3


def test_the_diff_of_versions_says_which_footnotes_changed(
    ons: DatasetVersion, annotated: DatasetVersion
) -> None:
    diff = dataset_version_diff(old=ons, new=annotated)
    assert not diff.added
    assert not diff.removed
    assert {(c.time_period, c.old_footnote, c.new_footnote) for c in diff.changed} == {
        (period, "", footnote) for period, footnote in FOOTNOTES.items()
    }
    assert len(diff.changed) == annotated.observations.exclude(footnote="").count()
    assert all(c.old_value == c.new_value for c in diff.changed)


def test_footnotes_without_quotes_are_read_column_by_column(
    cast: Any, ons: DatasetVersion, tmp_path: Path
) -> None:
    # No quote in the file: pyarrow's column reader, not the line-by-line one, reads it.
    out = tmp_path / "export.csv"
    result = CliRunner().invoke(
        main, ["data", "export", "10.7.3", "--format", "sdmx-csv", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    content = with_footnotes(out.read_bytes(), {"2018": "Provisional"})
    assert b'"' not in content
    again = reimport(cast, content, "footnotes.csv")
    found = footnotes_of(again)
    assert found["2018"] == {"Provisional"}
    assert found["2014"] == {""}


@pytest.mark.parametrize(
    "export_format", ["sdmx-ml", "sdmx-ml-3.0", "sdmx-csv", "sdmx-json", "csv"]
)
def test_footnotes_survive_cli_exports(
    cast: Any, annotated: DatasetVersion, tmp_path: Path, export_format: str
) -> None:
    out = tmp_path / "export"
    result = CliRunner().invoke(
        main, ["data", "export", "10.7.3", "--format", export_format, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    again = reimport(cast, out.read_bytes(), f"export.{export_format}", number=3)
    assert observations(again) == observations(annotated)
    assert footnotes_of(again)["2017"] == {FOOTNOTES["2017"]}


@pytest.mark.parametrize("accept", [*ML.values(), *CSV.values(), JSON])
def test_footnotes_survive_sdmx_api_answers(
    cast: Any, annotated: DatasetVersion, accept: str
) -> None:
    response = get(f"/sdmx/data/{FLOW}", accept)
    assert response.status_code == 200
    again = reimport(cast, body(response), "answer", number=3)
    assert observations(again) == observations(annotated)
    assert footnotes_of(again)["2015"] == {FOOTNOTES["2015"]}


@pytest.mark.parametrize("name", ["data.csv", "data.xlsx"])
def test_footnotes_survive_downloads(cast: Any, annotated: DatasetVersion, name: str) -> None:
    response = get(f"/indicators/10.7.3/{name}")
    assert response.status_code == 200
    again = reimport(cast, body(response), name, number=3)
    assert observations(again) == observations(annotated)
    assert footnotes_of(again)["2019"] == {FOOTNOTES["2019"]}


@pytest.mark.parametrize("name", ["data.csv", "data.xlsx"])
def test_downloads_carry_conf_status_and_never_a_withheld_cell(
    cast: Any, ons: DatasetVersion, tmp_path: Path, name: str
) -> None:
    """Cells marked free keep their mark through the pages' tables; cells marked confidential,
    although the provider sent their values, are no row of them."""
    out = tmp_path / "export.csv"
    result = CliRunner().invoke(
        main, ["data", "export", "10.7.3", "--format", "sdmx-csv", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    marked = with_footnotes(out.read_bytes(), {"2014": "F", "2016": "C"}, column="CONF_STATUS")
    version = reimport(cast, marked, "marked.csv")
    assert version.observations.filter(time_period="2016", conf_status="C").exists()
    withheld_values = set(
        version.observations.filter(conf_status="C").values_list("value", flat=True)
    )
    assert withheld_values - {None}  # the provider sent figures for them
    version = dataset_version_submit(actor=cast.data_provider, version=version)
    version = dataset_version_approve(actor=cast.reviewer, version=version)
    version = dataset_version_publish(actor=cast.reviewer, version=version, embargo_until=None)

    content = body(get(f"/indicators/10.7.3/{name}"))
    if name == "data.csv":
        rows = list(csv.DictReader(io.StringIO(content.decode("utf-8"))))
    else:
        sheet = load_workbook(io.BytesIO(content), read_only=True)["data"]
        header, *cells = [
            ["" if cell is None else str(cell) for cell in row]
            for row in sheet.iter_rows(values_only=True)
        ]
        rows = [dict(zip(header, row, strict=True)) for row in cells]
    columns = list(rows[0])
    assert columns.index("CONF_STATUS") == columns.index("OBS_STATUS") + 1
    statuses: dict[str, set[str]] = {row["TIME_PERIOD"]: set() for row in rows}
    for row in rows:
        statuses[row["TIME_PERIOD"]].add(row["CONF_STATUS"])
    assert statuses["2014"] == {"F"}
    assert statuses["2015"] == {""}
    assert "2016" not in statuses
    assert {row["CONF_STATUS"] for row in rows} <= {"", "F"}
    assert len(rows) == version.observations.exclude(conf_status="C").count()

    again = reimport(cast, content, name, number=3)
    assert observations(again) == observations(version)
    assert again.observations.filter(time_period="2014", conf_status="F").count() == len(
        [row for row in rows if row["TIME_PERIOD"] == "2014"]
    )
    assert not again.observations.filter(time_period="2016").exists()


def test_an_open_sdg_comment_obs_column_is_each_figure_s_footnote(
    cast: Any, ons: DatasetVersion, shared_data: Path
) -> None:
    lines = (shared_data / "indicators" / "uk_ons_sdg_indicator_10-7-3.csv").read_text("utf-8")
    header, *rows = lines.splitlines()
    note = "Includes bodies recovered at sea, provisional"
    content = "\n".join(
        [header + ",COMMENT_OBS"]
        + [row + (f',"{note}"' if row.startswith("2019,") else ",") for row in rows]
    )
    version = reimport(cast, content.encode(), "deaths.csv")
    assert footnotes_of(version)["2019"] == {note}
    assert footnotes_of(version)["2018"] == {""}
    assert {o[:-1] for o in observations(version)} == {o[:-1] for o in observations(ons)}
    version = dataset_version_submit(actor=cast.data_provider, version=version)
    version = dataset_version_approve(actor=cast.reviewer, version=version)
    dataset_version_publish(actor=cast.reviewer, version=version, embargo_until=None)
    page = get("/indicators/10.7.3/").content.decode()
    assert f"<td>{note}</td>" in page
    table = list(csv.DictReader(io.StringIO(body(get("/indicators/10.7.3/data.csv")).decode())))
    assert {row["COMMENT_OBS"] for row in table if row["TIME_PERIOD"] == "2019"} == {note}
