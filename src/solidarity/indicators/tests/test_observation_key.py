"""An observation's key — version, series, series key, period — in the database: unique, read in
one order on SQLite and PostgreSQL alike, and (on PostgreSQL) read by walking its index."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction

from solidarity.indicators.actions import submission_import
from solidarity.indicators.models import (
    Dataset,
    DatasetVersion,
    Indicator,
    Observation,
    key_order,
)
from solidarity.indicators.selectors import observation_list, ref_area_get
from solidarity.indicators.validation import validate_open_sdg_submission

# Chosen so that byte order differs from a language's order: case, "_" against letters, an
# empty series against a named one, a period that another starts with.
KEYS = [
    ("", "SEX=F", "2020"),
    ("", "SEX=F", "2020-Q1"),
    ("", "SEX=_T", "2020"),
    ("", "SEX=f", "2020"),
    ("", "AGE=Y_GE65|SEX=F", "2020"),
    ("", "AGE=Y15T24|SEX=F", "2020"),
    ("A", "SEX=F", "2019"),
    ("B", "SEX=F", "2019"),
    ("a", "SEX=F", "2019"),
    ("Ab", "SEX=F", "2019"),
    ("A b", "SEX=F", "2019"),
]


def _version(cast: Any) -> DatasetVersion:
    dataset = Dataset.objects.create(
        indicator=Indicator.objects.get(code="10.7.3"),
        provider=cast.statistics_office,
        ref_area=ref_area_get(iso3_or_m49="KEN"),
    )
    return DatasetVersion.objects.create(dataset=dataset, number=1, created_by_label="test")


def _observation(version: DatasetVersion, key: tuple[str, str, str]) -> Observation:
    series, series_key, period = key
    return Observation(
        version=version,
        series=series,
        series_key=series_key,
        time_period=period,
        value=Decimal(1),
        source_row=2,
    )


def test_observations_are_read_in_byte_order_of_their_key(cast: Any) -> None:
    version = _version(cast)
    Observation.objects.bulk_create([_observation(version, key) for key in reversed(KEYS)])
    read = [
        (o.series, o.series_key, o.time_period)
        for o in observation_list(user=cast.data_provider, version=version)
    ]
    expected = sorted(KEYS, key=lambda key: tuple(part.encode() for part in key))
    assert read == expected
    assert read != sorted(KEYS, key=lambda key: tuple(part.casefold() for part in key))
    ordered = Observation.objects.filter(version=version).order_by(*key_order(connection.vendor))
    assert [(o.series, o.series_key, o.time_period) for o in ordered] == expected


def test_the_database_refuses_a_second_observation_with_the_same_key(cast: Any) -> None:
    version = _version(cast)
    Observation.objects.bulk_create([_observation(version, key) for key in KEYS])
    for key in (KEYS[0], KEYS[-1]):
        with pytest.raises(IntegrityError), transaction.atomic():
            _observation(version, key).save(force_insert=True)
    # The same key in another version is another observation.
    other = DatasetVersion.objects.create(
        dataset=version.dataset, number=2, created_by_label="test", revision_note="again"
    )
    _observation(other, KEYS[0]).save(force_insert=True)
    assert Observation.objects.filter(pk=(other.pk, *KEYS[0])).count() == 1
    assert Observation.objects.count() == len(KEYS) + 1


def test_an_imported_version_s_key_holds_and_is_walked_in_order(
    cast: Any, shared_data: Path
) -> None:
    path = shared_data / "indicators" / "uk_ons_sdg_indicator_10-7-3.csv"
    from solidarity.indicators.tests.conftest import load_provider_mappings

    load_provider_mappings(
        "ons_10_7_3_mappings.json", provider=cast.statistics_office, actor=cast.data_provider
    )
    with path.open("rb") as file:
        version = submission_import(
            actor=cast.data_provider,
            indicator=Indicator.objects.get(code="10.7.3"),
            provider=cast.statistics_office,
            ref_area=ref_area_get(iso3_or_m49="GBR"),
            file=file,
            file_name=path.name,
            dry_run=False,
        ).version
    assert version is not None
    first = observation_list(user=cast.data_provider, version=version).first()
    assert first is not None
    with pytest.raises(IntegrityError), transaction.atomic():
        _observation(version, (first.series, first.series_key, first.time_period)).save(
            force_insert=True
        )
    if connection.vendor == "postgresql":
        # Read in the key's order from the partition's index, never sorted: with sorting
        # forbidden, a plan that still sorts would show that the order is not the index's.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("SET LOCAL enable_seqscan = off")
            plan = observation_list(user=cast.data_provider, version=version).explain()
        assert "Sort" not in plan
        assert f"indicators_observation_v{version.pk}_key" in plan


def test_a_series_label_with_a_control_character_is_an_error(cast: Any) -> None:
    summary = validate_open_sdg_submission(
        indicator=Indicator.objects.get(code="10.7.3"),
        provider=cast.statistics_office,
        file=io.BytesIO(b"Year,Series,Value\n2020,Recruitment\x01cost,10\n2020,Plain,4\n"),
        file_name="a.csv",
    )
    assert [str(problem) for problem in summary.problems] == [
        "a.csv, row 2, column Series ('Recruitment\\x01cost'): the series label holds a "
        "control character (U+0001) [error]"
    ]
