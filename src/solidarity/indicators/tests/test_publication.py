"""Published data: the indicator page's series, chart and table, the downloads, the coverage
report and the country page — with a real ONS file published through the real actions, and a
draft, an embargoed version and a confidential cell that must never show."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from django.utils import timezone
from openpyxl import load_workbook

from solidarity.cli import main
from solidarity.indicators.actions import (
    dataset_version_approve,
    dataset_version_publish,
    dataset_version_submit,
    submission_import,
)
from solidarity.indicators.models import DatasetVersion, Indicator
from solidarity.indicators.publication import coverage_report, public_versions
from solidarity.indicators.selectors import ref_area_get
from solidarity.indicators.tests.conftest import load_provider_mappings

pytestmark = pytest.mark.django_db

ONS_FILE = "uk_ons_sdg_indicator_10-7-3.csv"
HEADLINE_COLUMNS = ("Cause of death", "Region of origin", "Age", "Sex")
# A cell the provider marks confidential: ONS writes "c" for a suppressed value.
CONFIDENTIAL_YEAR = "2022"
DRAFT_VALUE = "9999"
EMBARGOED_VALUE = "7777"
KENYA_FILE = b"Year,Sex,Value\n2020,,10\n2020,Female,4\n2020,Male,6\n"


@dataclass
class Published:
    version: DatasetVersion
    headline: dict[str, str]  # year -> value as written in the file
    female: dict[str, str]


def _headline_row(row: dict[str, str]) -> bool:
    return all(not row[column] for column in HEADLINE_COLUMNS)


def _plain(text: str) -> str:
    return format(Decimal(text).normalize(), "f")


def _import(cast: Any, content: bytes, area: str, note: str = "") -> DatasetVersion:
    result = submission_import(
        actor=cast.data_provider,
        indicator=Indicator.objects.get(code="10.7.3"),
        provider=cast.statistics_office,
        ref_area=ref_area_get(iso3_or_m49=area),
        file=io.BytesIO(content),
        file_name=ONS_FILE,
        dry_run=False,
        revision_note=note,
    )
    assert result.version is not None, result.summary.as_json()
    return result.version


def _publish(cast: Any, version: DatasetVersion, **embargo: Any) -> DatasetVersion:
    version = dataset_version_submit(actor=cast.data_provider, version=version)
    version = dataset_version_approve(actor=cast.reviewer, version=version)
    return dataset_version_publish(actor=cast.administrator, version=version, **embargo)


def _with_headline(text: str, year: str, value: str) -> bytes:
    """The ONS file with the headline figure of ``year`` replaced by ``value``."""
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if line.startswith(f"{year},,,,,"):
            cells = line.split(",")
            cells[-1] = value
            lines[index] = ",".join(cells)
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def published(cast: Any, shared_data: Path) -> Published:
    """ONS 10.7.3 for the UK published as version 1 (its 2022 headline cell confidential), then
    a version 2 published under embargo and a draft version 3, both with a different 2014."""
    load_provider_mappings(
        "ons_10_7_3_mappings.json", provider=cast.statistics_office, actor=cast.data_provider
    )
    text = (shared_data / "indicators" / ONS_FILE).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    headline = {r["Year"]: r["Value"] for r in rows if _headline_row(r)}
    female = {
        r["Year"]: r["Value"]
        for r in rows
        if r["Sex"] == "Female" and not any(r[c] for c in HEADLINE_COLUMNS[:3])
    }
    del headline[CONFIDENTIAL_YEAR]
    first = _publish(cast, _import(cast, _with_headline(text, CONFIDENTIAL_YEAR, "c"), "GBR"))
    embargoed = _import(cast, _with_headline(text, "2014", EMBARGOED_VALUE), "GBR", note="Fix.")
    _publish(cast, embargoed, embargo_until=_tomorrow())
    _import(cast, _with_headline(text, "2014", DRAFT_VALUE), "GBR", note="Draft.")
    return Published(version=first, headline=headline, female=female)


def _tomorrow() -> datetime:
    return timezone.now() + timedelta(days=1)


def _table(content: str, prefix: str) -> dict[str, str]:
    """Period -> value of the data table of dataset ``prefix``."""
    section = content.split(f'id="{prefix}-caption"')[1].split("</table>")[0]
    table: dict[str, str] = {}
    for row in section.split("<tr>")[2:]:
        period = row.split('<th scope="row">')[1].split("</th>")[0]
        value = row.split('<td class="number">')[1].split("</td>")[0]
        table[period] = value
    return table


def test_only_the_latest_public_version_is_public(published: Published) -> None:
    assert list(public_versions()) == [published.version]


def test_the_indicator_page_shows_the_headline_series(
    client: Any, published: Published, django_assert_num_queries: Any
) -> None:
    # The public state (the catalogue's revision, the public versions, the indicators' codes:
    # the key of the page and of its published data in the cache), the indicator (4), then six
    # for its datasets (versions, series keys, points, dimensions, codes, order): the same
    # count for a million observations, of which only the chosen series is read.
    with django_assert_num_queries(13):
        response = client.get("/indicators/10.7.3/")
    assert response.status_code == 200
    content = response.content.decode()
    with django_assert_num_queries(0):  # the whole page from the cache, for an anonymous visitor
        again = client.get("/indicators/10.7.3/")
    # The same page, but for the CSRF token of its forms, which is each visitor's own.
    token = re.compile(r'name="csrfmiddlewaretoken" value="[A-Za-z0-9]{64}"')
    assert token.sub("", again.content.decode()) == token.sub("", content)
    prefix = f"d{published.version.dataset_id}"
    expected = {year: _plain(value) for year, value in published.headline.items()}
    assert _table(content, prefix) == expected
    values = {year: Decimal(v) for year, v in published.headline.items()}
    low = min(values, key=lambda y: values[y])
    high = max(values, key=lambda y: values[y])
    assert (
        f"Values from 2014 to 2021, in Number: lowest {_plain(published.headline[low])} in "
        f"{low}, highest {_plain(published.headline[high])} in {high}, latest "
        f"{_plain(published.headline['2021'])} in 2021."
    ) in content
    assert 'role="img"' in content
    assert f'aria-labelledby="{prefix}-chart-title' in content
    assert content.count('class="chart-bar"') == len(expected)
    assert "style=" not in content
    assert "Headline series for United Kingdom" in content
    assert "Version</dt>\n  <dd>1</dd>" in content
    assert "<code>A</code> Normal value" in content
    french = client.get("/fr/indicators/10.7.3/").content.decode()
    assert re.search(r'(?:x|y|width|height)="[0-9]+,[0-9]', french) is None  # SVG lengths


def test_the_filters_change_the_table(client: Any, published: Published) -> None:
    prefix = f"d{published.version.dataset_id}"
    response = client.get("/indicators/10.7.3/", {f"{prefix}-SEX": "F"})
    content = response.content.decode()
    assert _table(content, prefix) == {y: _plain(v) for y, v in published.female.items()}
    assert '<option value="F" selected>' in content
    assert "Selected series for United Kingdom" in content
    # An unknown code falls back to the total rather than failing.
    response = client.get("/indicators/10.7.3/", {f"{prefix}-SEX": "nonsense"})
    assert _table(response.content.decode(), prefix) == {
        y: _plain(v) for y, v in published.headline.items()
    }


def test_drafts_embargoes_and_confidential_cells_never_show(
    client: Any, published: Published
) -> None:
    page = client.get("/indicators/10.7.3/").content.decode()
    csv_text = client.get("/indicators/10.7.3/data.csv").content.decode()
    workbook = load_workbook(io.BytesIO(client.get("/indicators/10.7.3/data.xlsx").content))
    cells = [str(cell) for row in workbook["data"].iter_rows(values_only=True) for cell in row]
    for secret in (DRAFT_VALUE, EMBARGOED_VALUE):
        assert secret not in page
        assert secret not in csv_text
        assert not any(secret in cell for cell in cells)
    prefix = f"d{published.version.dataset_id}"
    assert CONFIDENTIAL_YEAR not in _table(page, prefix)
    headline_rows = [
        row
        for row in csv.DictReader(io.StringIO(csv_text))
        if all(row[d] == "_T" for d in ("SEX", "AGE", "ORIGIN", "CAUSE_OF_DEATH"))
    ]
    assert CONFIDENTIAL_YEAR not in {row["TIME_PERIOD"] for row in headline_rows}


def test_the_csv_and_xlsx_downloads_match(
    client: Any, published: Published, django_assert_num_queries: Any
) -> None:
    # The indicator and its links (4), its dimensions, the public versions, the providers'
    # codes, the observations.
    with django_assert_num_queries(8):
        response = client.get("/indicators/10.7.3/data.csv")
    assert response["Content-Disposition"] == 'attachment; filename="solidarity-10.7.3.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    header = rows[0]
    assert header == [
        "INDICATOR",
        "DATA_PROVIDER",
        "REF_AREA",
        "SERIES",
        "SEX",
        "AGE",
        "ORIGIN",
        "CAUSE_OF_DEATH",
        "TIME_PERIOD",
        "OBS_VALUE",
        "UNIT_MEASURE",
        "UNIT_MULT",
        "OBS_STATUS",
        "CONF_STATUS",
        "COMMENT_OBS",
        "VERSION",
        "PUBLISHED",
    ]
    assert len(rows) - 1 == published.version.observation_count - 1  # less the confidential cell
    by_key = {tuple(row[4:9]): row for row in rows[1:]}
    for year, value in published.headline.items():
        row = by_key[("_T", "_T", "_T", "_T", year)]
        assert row[9] == _plain(value)
        assert (row[0], row[1], row[2], row[12], row[13], row[15]) == (
            "10.7.3",
            "KNBS",
            "826",
            "A",
            "",
            "1",
        )
    with django_assert_num_queries(10):  # and the country and its reference area
        xlsx = client.get("/indicators/10.7.3/data.xlsx", {"ref_area": "GBR"})
    assert xlsx["Content-Disposition"] == 'attachment; filename="solidarity-10.7.3-GBR.xlsx"'
    sheet = load_workbook(io.BytesIO(xlsx.content))["data"]
    sheet_rows = [
        ["" if cell is None else str(cell) for cell in row]
        for row in sheet.iter_rows(values_only=True)
    ]
    assert sheet_rows[0] == header
    assert [
        [_plain(cell) if index == 9 and cell else cell for index, cell in enumerate(row)]
        for row in sheet_rows[1:]
    ] == rows[1:]
    assert (
        client.get("/indicators/10.7.3/data.csv", {"ref_area": "KEN"}).content.count(b"\n") == 1
    )  # the header only: nothing published for Kenya
    assert client.get("/indicators/10.7.3/data.csv", {"ref_area": "XXX"}).status_code == 404


def test_the_coverage_report_lists_present_and_missing_breakdowns(
    cast: Any, client: Any, published: Published, django_assert_num_queries: Any
) -> None:
    _publish(cast, _import(cast, KENYA_FILE, "KEN"))
    with django_assert_num_queries(13):  # as many as for one dataset
        page = client.get("/indicators/10.7.3/").content.decode()
    assert page.count('role="img"') == 2
    indicator = Indicator.objects.get(code="10.7.3")
    rows = {row.ref_area: row for row in coverage_report(indicator=indicator)}
    assert (rows["826"].present, rows["826"].missing) == (
        ["SEX", "AGE", "ORIGIN", "CAUSE_OF_DEATH"],
        [],
    )
    assert (rows["404"].present, rows["404"].missing) == (
        ["SEX"],
        ["AGE", "ORIGIN", "CAUSE_OF_DEATH"],
    )
    kenya = coverage_report(ref_area=ref_area_get(iso3_or_m49="KEN"))
    assert len(kenya) == Indicator.objects.count()
    absent = next(row for row in kenya if row.indicator == "10.7.1")
    assert (absent.published, absent.present) == (False, [])
    # Session-free page: the indicators and countries of the form, then the report's four.
    with django_assert_num_queries(7):
        response = client.get("/indicators/coverage/", {"indicator": "10.7.3"})
    content = response.content.decode()
    assert "<td>SEX</td>\n            <td>AGE, ORIGIN, CAUSE_OF_DEATH</td>" in content
    assert client.get("/indicators/coverage/", {"country": "ZZZ"}).status_code == 400


def test_the_coverage_command_prints_a_table(cast: Any, published: Published) -> None:
    result = CliRunner().invoke(main, ["data", "coverage", "--indicator", "10.7.3"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["INDICATOR", "REF_AREA", "PROVIDERS", "PRESENT", "MISSING"]
    assert lines[1].split() == [
        "10.7.3",
        "826",
        "United",
        "Kingdom",
        "KNBS",
        "SEX,AGE,ORIGIN,CAUSE_OF_DEATH",
        "-",
    ]
    unknown = CliRunner().invoke(main, ["data", "coverage", "--indicator", "99.9"])
    assert unknown.exit_code == 2
    assert "no indicator with code '99.9'" in unknown.output


def test_the_country_page_lists_published_indicators(client: Any, published: Published) -> None:
    content = client.get("/countries/GBR/").content.decode()
    assert '<a href="/indicators/10.7.3/#data">10.7.3 ' in content
    assert "No data published yet." in client.get("/countries/KEN/").content.decode()


def test_an_indicator_without_published_data_says_so(client: Any) -> None:
    content = client.get("/indicators/10.7.3/").content.decode()
    assert "No data published yet." in content


def test_the_indicator_page_reads_only_the_chosen_series(client: Any, published: Published) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get("/indicators/10.7.3/").status_code == 200
    reads = [
        query["sql"]
        for query in queries.captured_queries
        if "indicators_observation" in query["sql"] and "time_period" in query["sql"]
    ]
    # One read of observations, for the headline series' keys only.
    assert len(reads) == 1
    assert '"series_key" IN' in reads[0]
    # A published version never changes: its series keys are read once, then cached; and the
    # worker keeps what is public (three queries) for the next request.
    with CaptureQueriesContext(connection) as again:
        assert client.get("/indicators/10.7.3/", {"d1-SEX": "F"}).status_code == 200
    assert len(again.captured_queries) == len(queries.captured_queries) - 1 - 3
    assert not [q for q in again.captured_queries if "DISTINCT" in q["sql"]]
