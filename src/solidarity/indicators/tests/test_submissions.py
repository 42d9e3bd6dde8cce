"""Submissions of real Open SDG files: validation, the import summary, atomic imports."""

from __future__ import annotations

import csv
import hashlib
import io
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from solidarity.audit.models import AuditEntry
from solidarity.indicators.actions import submission_import
from solidarity.indicators.models import Code, Dataset, DatasetVersion, Indicator, Observation
from solidarity.indicators.selectors import ref_area_get
from solidarity.indicators.tests.conftest import load_provider_mappings
from solidarity.indicators.validation import validate_open_sdg_submission

pytestmark = pytest.mark.django_db


def rows_of(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as file:
        return list(csv.DictReader(file))


def table_counts() -> tuple[int, int, int, int]:
    return (
        Dataset.objects.count(),
        DatasetVersion.objects.count(),
        Observation.objects.count(),
        AuditEntry.objects.filter(action__startswith="dataset_version").count(),
    )


def version_partitions() -> dict[str, str]:
    """On PostgreSQL, the tables holding one version's observations, with their bounds."""
    if connection.vendor != "postgresql":
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_class c "
            "WHERE c.relkind = 'r' AND c.relname LIKE 'indicators\\_observation\\_v%%'"
        )
        return dict(cursor.fetchall())


@pytest.fixture
def uk() -> Code:
    return ref_area_get(iso3_or_m49="GBR")


def validate(path: Path, indicator: str, cast: Any) -> Any:
    with path.open("rb") as file:
        return validate_open_sdg_submission(
            indicator=Indicator.objects.get(code=indicator),
            provider=cast.statistics_office,
            file=file,
            file_name=path.name,
        )


def load(cast: Any, *names: str) -> None:
    for name in names:
        load_provider_mappings(name, provider=cast.statistics_office, actor=cast.data_provider)


def import_file(
    cast: Any, path: Path, indicator: str, ref_area: Code, *, dry_run: bool = False, note: str = ""
) -> Any:
    with path.open("rb") as file:
        return submission_import(
            actor=cast.data_provider,
            indicator=Indicator.objects.get(code=indicator),
            provider=cast.statistics_office,
            ref_area=ref_area,
            file=file,
            file_name=path.name,
            dry_run=dry_run,
            revision_note=note,
        )


def test_the_ons_10_7_3_file_imports_whole(cast: Any, shared_data: Path, uk: Code) -> None:
    path = shared_data / "indicators" / "uk_ons_sdg_indicator_10-7-3.csv"
    load(cast, "ons_10_7_3_mappings.json")
    source = rows_of(path)
    dry = import_file(cast, path, "10.7.3", uk, dry_run=True)
    assert dry.version is None
    assert table_counts() == (0, 0, 0, 0)
    result = import_file(cast, path, "10.7.3", uk)
    summary = result.summary.as_json()
    assert summary["rows_read"] == len(source) == 297
    assert summary["observations_valid"] == len(source)
    assert summary["errors"] == 0
    # ONS's totals by sex include people whose sex is not recorded: warnings, not errors.
    assert summary["by_reason"]["total_mismatch"] == 6
    version = result.version
    assert version is not None
    assert version.number == 1
    assert version.status == "draft"
    assert version.observations.count() == len(source)
    assert version.source_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    drowning = version.observations.get(
        series_key="AGE=_T|CAUSE_OF_DEATH=DROWNING|ORIGIN=_T|SEX=_T", time_period="2019"
    )
    expected = next(
        row
        for row in source
        if row["Year"] == "2019"
        and row["Cause of death"] == "Drowning"
        and not (row["Region of origin"] or row["Age"] or row["Sex"])
    )
    assert drowning.value == Decimal(expected["Value"])
    assert drowning.obs_status == "A"
    assert drowning.unit == "Number"
    eastern = version.observations.filter(series_key__regex=r"(^|\|)ORIGIN=014(\||$)").count()
    assert eastern == sum(row["Region of origin"] == "Eastern Africa" for row in source)
    entry = AuditEntry.objects.get(action="dataset_version.import")
    assert entry.actor == cast.data_provider
    assert entry.after is not None
    assert entry.after["observations"] == 297


def test_a_second_version_needs_a_note_and_keeps_the_first(
    cast: Any, shared_data: Path, uk: Code
) -> None:
    path = shared_data / "indicators" / "uk_ons_sdg_indicator_10-7-3.csv"
    load(cast, "ons_10_7_3_mappings.json")
    first = import_file(cast, path, "10.7.3", uk).version
    refused = import_file(cast, path, "10.7.3", uk)
    assert refused.version is None
    assert [p.reason for p in refused.summary.problems if p.severity == "error"] == [
        "say what changed and why: this dataset already has a version"
    ]
    second = import_file(cast, path, "10.7.3", uk, note="Same figures, checked again.").version
    assert second is not None
    assert second.number == 2
    assert first is not None
    assert first.observations.count() == second.observations.count() == 297


def test_the_ons_8_5_2_file_keeps_quarters_and_suppressed_cells(
    cast: Any, shared_data: Path, uk: Code
) -> None:
    path = shared_data / "indicators" / "uk_ons_sdg_indicator_8-5-2.csv"
    load(cast, "ons_8_5_2_mappings.json")
    source = rows_of(path)
    result = import_file(cast, path, "8.5.2", uk)
    assert result.summary.error_count == 0
    assert result.version is not None
    observations = result.version.observations
    assert observations.count() == len(source) == 9261
    assert observations.filter(time_period="2000-Q1").count() == sum(
        row["Year"] == "2000 Q1" for row in source
    )
    suppressed = sum(row["Observation status"] == "Missing value; suppressed" for row in source)
    assert suppressed == 61
    assert observations.filter(value__isnull=True).count() == suppressed
    assert set(observations.filter(value__isnull=True).values_list("obs_status", flat=True)) == {
        "Q"
    }
    assert result.summary.by_reason["value"] == suppressed  # "no value given", a warning


def test_the_statistics_canada_file_needs_mappings_for_its_columns(
    cast: Any, shared_data: Path
) -> None:
    load(cast, "statcan_10_3_1_mappings.json")
    summary = validate(
        shared_data / "indicators" / "canada_sdg_indicator_10-3-1.csv", "10.3.1", cast
    )
    columns = [
        p.column for p in summary.problems if p.reason.startswith("no mapping for the column")
    ]
    assert columns == [
        "Geography",
        "Visible minority",
        "Indigenous identity",
        "LGBTQ2+",
        "Highest level of education",
        "Main activity",
        "Area",
        "Progress",
    ]
    assert summary.observations_valid == 0


def test_statistics_canada_blank_and_total_are_both_the_total(
    cast: Any, shared_data: Path, tmp_path: Path
) -> None:
    source = rows_of(shared_data / "indicators" / "canada_sdg_indicator_10-3-1.csv")
    kept = ["Year", "Series", "Discrimination indicators", "Gender", "Immigrant status", "Value"]
    others = [c for c in source[0] if c not in kept and c not in {"Progress", "GeoCode"}]
    rows = [
        row
        for row in source
        if row["Geography"] == "Canada"
        and all(row[c] == "" or row[c].startswith("Total") for c in others if c != "Geography")
        and row["Age group"] == ""
    ]
    path = tmp_path / "canada_10-3-1_national.csv"
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=kept, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    load(cast, "statcan_10_3_1_mappings.json")

    def total(label: str) -> str:
        return "_T" if label == "" or label.startswith("Total") else label

    keys = Counter(
        (
            r["Year"],
            r["Series"],
            r["Discrimination indicators"],
            total(r["Gender"]),
            total(r["Immigrant status"]),
        )
        for r in rows
    )
    # The same total written twice with the same value is read once (a warning); with another
    # value it is an error.
    first: dict[tuple[str, ...], Decimal | None] = {}
    differing = repeated = 0
    for r in rows:
        key = (r["Year"], r["Series"], r["Discrimination indicators"], total(r["Gender"]),
               total(r["Immigrant status"]))  # fmt: skip
        value = Decimal(r["Value"]) if r["Value"] else None
        if key not in first:
            first[key] = value
        elif first[key] == value:
            repeated += 1
        else:
            differing += 1
    summary = validate(path, "10.3.1", cast)
    assert summary.rows_read == len(rows)
    assert summary.observations_valid == len(keys)
    assert repeated > 0
    assert summary.by_reason["repeated_figure"] == repeated
    assert summary.error_count == differing
    # Both spellings of the total are in the file, and both are read as _T.
    assert sum(r["Immigrant status"] == "Total, by immigrant status" for r in rows) > 0
    assert sum(r["Immigrant status"] == "" for r in rows) > 0


BROKEN_HEADER = "Year,Cause of death,Region of origin,Age,Sex,Units,Value\n"


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        (
            "2019,Drowning,Non-EU born,,,Number,3",
            "row 299, column Region of origin ('Non-EU born'): no mapping for 'Non-EU born' in "
            "ORIGIN; add one on the mappings page [error]",
        ),
        (
            "2014,,,,,Number,18",
            "row 299: duplicates row 2 with another value: same period, series, unit, GeoCode "
            "and disaggregation [error]",
        ),
        ("20199,,,,,Number,3", "row 299, column Year ('20199')"),
        (
            "2023,,,,,Number,-4",
            "row 299, column Value ('-4'): -4 is outside the range of indicator 10.7.3 "
            "(≥ 0) [error]",
        ),
    ],
    ids=["unknown label", "duplicate key", "bad period", "out of range"],
)
def test_a_broken_file_says_what_is_wrong_and_writes_nothing(
    cast: Any, shared_data: Path, uk: Code, tmp_path: Path, line: str, problem: str
) -> None:
    load(cast, "ons_10_7_3_mappings.json")
    real = rows_of(shared_data / "indicators" / "uk_ons_sdg_indicator_10-7-3.csv")
    lines = [BROKEN_HEADER]
    for row in real:
        lines.append(
            ",".join(
                [
                    row["Year"],
                    row["Cause of death"],
                    row["Region of origin"],
                    row["Age"],
                    row["Sex"],
                    row["Units"],
                    row["Value"],
                ]
            )
            + "\n"
        )
    lines.append(line + "\n")  # row 299: the last, after the 297 good rows
    path = tmp_path / "broken.csv"
    path.write_text("".join(lines), encoding="utf-8")
    before = table_counts()
    result = import_file(cast, path, "10.7.3", uk)
    assert result.version is None
    assert result.summary.error_count == 1
    assert problem in str(result.summary.problems[0])
    assert table_counts() == before


def test_a_file_unreadable_half_way_leaves_nothing(cast: Any, shared_data: Path, uk: Code) -> None:
    load(cast, "ons_10_7_3_mappings.json")
    data = (shared_data / "indicators" / "uk_ons_sdg_indicator_10-7-3.csv").read_bytes()
    broken = data + b"2023,,,,,Normal value,Units,Number,\xff\n"
    result = submission_import(
        actor=cast.data_provider,
        indicator=Indicator.objects.get(code="10.7.3"),
        provider=cast.statistics_office,
        ref_area=uk,
        file=io.BytesIO(broken),
        file_name="broken.csv",
        dry_run=False,
    )
    assert result.version is None
    assert result.summary.problems[-1].row == 299
    assert "UTF-8" in result.summary.problems[-1].reason
    assert table_counts() == (0, 0, 0, 0)
    assert version_partitions() == {}


def test_an_exception_mid_import_rolls_everything_back(
    cast: Any, shared_data: Path, uk: Code, monkeypatch: pytest.MonkeyPatch
) -> None:
    from solidarity.indicators import actions, formats, validation

    load(cast, "ons_10_7_3_mappings.json")
    monkeypatch.setattr(formats, "BATCH_ROWS", 50)
    real = validation.check_open_sdg_submission

    def failing(**kwargs: Any) -> Any:
        for number, batch in enumerate(real(**kwargs)):
            if number == 4:  # 200 observations written
                # On PostgreSQL they stream through COPY on this very connection, which runs no
                # other query until the COPY ends: counting them here would wait forever.
                if connection.vendor != "postgresql":
                    assert Observation.objects.count() == 200
                raise RuntimeError("the disk is full")
            yield batch

    monkeypatch.setattr(actions, "check_open_sdg_submission", failing)
    with pytest.raises(RuntimeError, match="the disk is full"):
        import_file(
            cast, shared_data / "indicators" / "uk_ons_sdg_indicator_10-7-3.csv", "10.7.3", uk
        )
    assert table_counts() == (0, 0, 0, 0)
    assert version_partitions() == {}  # the table its rows went to is gone with them


def test_a_version_s_observations_are_a_partition_of_their_own_on_postgresql(
    cast: Any, shared_data: Path, uk: Code
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite keeps one plain table")
    load(cast, "ons_10_7_3_mappings.json")
    path = shared_data / "indicators" / "uk_ons_sdg_indicator_10-7-3.csv"
    version = import_file(cast, path, "10.7.3", uk).version
    assert version is not None
    partition = f"indicators_observation_v{version.pk}"
    assert version_partitions() == {partition: f"FOR VALUES IN ('{version.pk}')"}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {partition}")  # noqa: S608  # a fixed name
        assert cursor.fetchone() == (version.observation_count,)
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass ORDER BY 1",
            [partition],
        )
        assert [name for (name,) in cursor.fetchall()] == [
            "indicators_observation_source_row_check",
            f"{partition}_version",
        ]
        # The key of the observations table holds on the partition too: its unique index,
        # built after the load, is the partition's part of the table's.
        cursor.execute(
            "SELECT x.indexrelid::regclass::text, p.inhparent::regclass::text, x.indisunique "
            "FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid "
            "LEFT JOIN pg_inherits p ON p.inhrelid = x.indexrelid WHERE c.relname = %s",
            [partition],
        )
        assert cursor.fetchall() == [(f"{partition}_key", "indicators_observation_key", True)]
    assert Observation.objects.filter(version=version).count() == version.observation_count


def test_only_the_providers_data_providers_import(cast: Any, shared_data: Path, uk: Code) -> None:
    from django.core.exceptions import PermissionDenied

    for user in (cast.reviewer, cast.focal_point_kenya, cast.administrator):
        with pytest.raises(PermissionDenied):
            submission_import(
                actor=user,
                indicator=Indicator.objects.get(code="10.7.3"),
                provider=cast.statistics_office,
                ref_area=uk,
                file=io.BytesIO(b"Year,Value\n2020,1\n"),
                file_name="a.csv",
                dry_run=True,
            )


def check(cast: Any, indicator: str, content: str) -> list[str]:
    summary = validate_open_sdg_submission(
        indicator=Indicator.objects.get(code=indicator),
        provider=cast.statistics_office,
        file=io.BytesIO(content.encode()),
        file_name="a.csv",
    )
    return [str(problem) for problem in summary.problems]


def test_a_total_that_disagrees_with_its_parts_is_a_warning(cast: Any) -> None:
    assert check(cast, "10.7.3", "Year,Sex,Value\n2020,,10\n2020,Female,4\n2020,Male,3\n") == [
        "a.csv, row 2, column Value ('10'): the total 10 for SEX differs from the sum of its "
        "parts (F, M: 7) [warning]"
    ]
    # Parts missing: nothing to compare. A rate: parts never add up.
    assert check(cast, "10.7.3", "Year,Sex,Value\n2020,,10\n2020,Female,4\n") == []
    assert check(cast, "8.5.2", "Year,Sex,Value\n2020,,10\n2020,Female,4\n2020,Male,3\n") == []


def test_an_outlier_in_a_series_is_a_warning(cast: Any) -> None:
    years = "".join(f"{year},{10 + year % 2}\n" for year in range(2000, 2015))
    assert check(cast, "10.7.3", f"Year,Value\n{years}2015,400\n") == [
        "a.csv, row 17, column Value ('400'): 400 is an outlier in its series (z-score 3.9) "
        "[warning]"
    ]


def test_a_value_outside_a_bounded_range_is_an_error(cast: Any) -> None:
    assert check(cast, "8.5.2", "Year,Value\n2020,101\n") == [
        "a.csv, row 2, column Value ('101'): 101 is outside the range of indicator 8.5.2 "
        "([0, 100]) [error]"
    ]


def test_an_observation_reads_its_dimension_codes_from_its_series_key() -> None:
    assert Observation(series_key="AGE=Y15T24|SEX=F").dimensions == {"AGE": "Y15T24", "SEX": "F"}
    assert Observation(series_key="").dimensions == {}
    # A provider's own code may hold "|" or "=": it stays one code.
    assert Observation(series_key="RACE_ETHNICITY=a|b=c|SEX=_T").dimensions == {
        "RACE_ETHNICITY": "a|b=c",
        "SEX": "_T",
    }
