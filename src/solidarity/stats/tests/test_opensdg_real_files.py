"""The reader against the real indicator files in shared/data/indicators (PROVENANCE.md there).

Expected counts are computed from the raw files with the csv module wherever they can be, so that
a test is not an echo of the reader."""

from __future__ import annotations

import csv
import re
from collections import Counter
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest

from solidarity.stats.opensdg import MissingColumnError, read_open_sdg, read_owid


@pytest.fixture
def indicators(shared_data: Path) -> Path:
    return shared_data / "indicators"


def raw_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8-sig", newline="") as file:
        header, *rows = csv.reader(file)
    return header, rows


def is_number(text: str) -> bool:
    try:
        Decimal(text)
    except InvalidOperation:
        return False
    return True


def test_uk_migrant_deaths(indicators: Path) -> None:
    path = indicators / "uk_ons_sdg_indicator_10-7-3.csv"
    reading = read_open_sdg(path)
    observations = list(reading.observations())
    _, rows = raw_rows(path)
    assert len(observations) == len(rows) == 297
    assert reading.columns == ("Cause of death", "Region of origin", "Age", "Sex")
    assert reading.problems == []
    first = observations[0]
    assert (first.row, first.time_period, first.value, first.raw_value) == (
        2,
        "2014",
        Decimal("17.0"),
        "17.0",
    )
    assert first.dimensions == (
        ("Cause of death", None),
        ("Region of origin", None),
        ("Age", None),
        ("Sex", None),
    )
    assert (first.unit, first.unit_multiplier, first.obs_status) == ("Number", 0, "A")
    last = observations[-1]
    assert (last.row, last.time_period, last.value) == (298, "2022", Decimal("4.0"))
    assert dict(last.dimensions)["Region of origin"] == "Unknown"


def test_a_comment_obs_column_is_the_footnote(indicators: Path, tmp_path: Path) -> None:
    """Open SDG sites show a COMMENT_OBS column as each observation's footnote: the ONS file
    with one added reads the same, each observation with its footnote."""
    lines = (indicators / "uk_ons_sdg_indicator_10-7-3.csv").read_text("utf-8").splitlines()
    notes = ["", "Provisional, see the bulletin", ""]
    written = [lines[0] + ",COMMENT_OBS"] + [
        line + "," + ('"' + notes[n % 3] + '"' if notes[n % 3] else "")
        for n, line in enumerate(lines[1:])
    ]
    path = tmp_path / "with_footnotes.csv"
    path.write_text("\n".join(written) + "\n", "utf-8")
    plain = list(read_open_sdg(indicators / "uk_ons_sdg_indicator_10-7-3.csv").observations())
    reading = read_open_sdg(path)
    annotated = list(reading.observations())
    assert reading.columns == ("Cause of death", "Region of origin", "Age", "Sex")
    assert reading.problems == []
    assert [o.footnote for o in annotated] == [notes[n % 3] or None for n in range(len(annotated))]
    assert [o.footnote for o in plain] == [None] * len(plain)
    assert [(o.row, o.time_period, o.dimensions, o.value) for o in annotated] == [
        (o.row, o.time_period, o.dimensions, o.value) for o in plain
    ]


def test_uk_unemployment_quarters_and_suppressed_cells(indicators: Path) -> None:
    path = indicators / "uk_ons_sdg_indicator_8-5-2.csv"
    reading = read_open_sdg(path)
    observations = list(reading.observations())
    header, rows = raw_rows(path)
    value = header.index("Value")
    not_numbers = [row for row in rows if not is_number(row[value])]
    assert len(observations) == len(rows) == 9261
    assert reading.columns == (
        "Age",
        "Country",
        "Region",
        "Country of birth",
        "Disability status",
        "Sex",
    )
    suppressed = [o for o in observations if o.value is None]
    assert len(suppressed) == len(not_numbers) == 61
    assert {o.obs_status for o in suppressed} == {"Q"}  # "Missing value; suppressed"
    assert reading.error_count == 0
    assert reading.warning_count == len(not_numbers)
    assert {(p.column, p.reason, p.severity) for p in reading.problems} == {
        ("Value", "no value given", "warning")
    }
    assert all(re.fullmatch(r"\d{4}-Q[1-4]", o.time_period) for o in observations)
    first = observations[0]
    assert (first.time_period, first.series, first.unit, first.geocode, first.value) == (
        "2000-Q1",
        "Seasonally adjusted",
        "Percentage (%)",
        "E12000006",
        Decimal("3.8"),
    )
    assert dict(first.dimensions)["Sex"] == "Female"


def test_canada_blank_and_explicit_total(indicators: Path) -> None:
    path = indicators / "canada_sdg_indicator_10-3-1.csv"
    header, rows = raw_rows(path)
    gender = header.index("Gender")
    explicit_totals = sum(1 for row in rows if row[gender] == "Total")
    blank = sum(1 for row in rows if row[gender] == "")
    assert explicit_totals == 2152

    reading = read_open_sdg(path)
    observations = list(reading.observations())
    assert len(observations) == len(rows) == 6714
    assert reading.problems == []
    assert len(reading.columns) == 13
    assert reading.columns[:3] == ("Discrimination indicators", "Geography", "Gender")
    genders = Counter(dict(o.dimensions)["Gender"] for o in observations)
    assert genders[None] == explicit_totals + blank
    assert "Total" not in genders
    assert {o.time_period for o in observations} == {"2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"}
    first = observations[0]
    assert (first.time_period, first.value, first.unit) == ("2024-Q1", Decimal("35.9"), None)

    kept = read_open_sdg(path, total_labels=())
    genders_as_written = Counter(dict(o.dimensions)["Gender"] for o in kept.observations())
    assert genders_as_written["Total"] == explicit_totals
    assert genders_as_written[None] == blank


def test_our_world_in_data_export_is_not_open_sdg(indicators: Path) -> None:
    with pytest.raises(MissingColumnError) as caught:
        read_open_sdg(indicators / "sdg_10_7_2_all_domains_2019_2021.csv")
    assert str(caught.value) == (
        "sdg_10_7_2_all_domains_2019_2021.csv, row 1: the header has no Value column; an Open "
        "SDG indicator file needs Year and Value columns (this looks like an Our World in Data "
        "export: read it with read_owid)"
    )
    assert (caught.value.file, caught.value.row, caught.value.column) == (
        "sdg_10_7_2_all_domains_2019_2021.csv",
        1,
        None,
    )


def test_our_world_in_data_export_read_as_such(indicators: Path) -> None:
    reading = read_owid(indicators / "sdg_10_7_2_all_domains_2019_2021.csv")
    observations = list(reading.observations())
    assert reading.problems == []
    # PROVENANCE.md: 110 countries in 2019 and 88 in 2021.
    assert Counter(o.time_period for o in observations) == {"2019": 110, "2021": 88}
    assert reading.columns == ("Entity",)
    first = observations[0]
    assert (first.geocode, first.time_period, first.value, first.dimensions) == (
        "AFG",
        "2021",
        Decimal("3"),
        (("Entity", "Afghanistan"),),
    )
    assert first.series is not None
    assert first.series.endswith("SG_CPA_MIGRS - All Domains")
