"""A submitted SDMX file may say who provided it (a DATA_PROVIDER column, as the hub's own
answers have): it must be the submitting provider, as REF_AREA must be the dataset's area; a
file without the column is read as before."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from solidarity.accounts.models import Organisation
from solidarity.indicators.formats import _structure
from solidarity.indicators.models import Code, Indicator, Observation
from solidarity.indicators.sdmx import provider_codes
from solidarity.indicators.tests.test_formats import (
    FIGURES,
    INDICATOR,
    as_bytes,
    kenya,  # noqa: F401
    sdmx_csv_lines,
    submit,
    table_counts,
)
from solidarity.stats.sdmx import Dataset as SdmxDataset
from solidarity.stats.sdmx import Observation as SdmxObservation

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("kenya")]


def with_provider(cast: Any, provider: str) -> SdmxDataset:
    structure = _structure(
        Indicator.objects.get(code=INDICATOR), cast.statistics_office.pk, provider_codes()
    )
    observations = [
        SdmxObservation(
            key=(
                ("REF_AREA", "404"),
                ("SEX", sex),
                ("AGE", "_T"),
                ("ORIGIN", "_T"),
                ("DATA_PROVIDER", provider),
            ),
            time_period=period,
            value=Decimal(value),
        )
        for (sex, period), value in FIGURES.items()
    ]
    return SdmxDataset(structure, observations)


VARIANTS = ["sdmx-csv-2.0", "2.1-structure-specific", "3.0-structure-specific", "sdmx-json"]
NAMES = {"sdmx-csv-2.0": "x.csv", "sdmx-json": "x.json"}


@pytest.mark.parametrize("variant", VARIANTS)
def test_a_file_naming_its_own_provider_imports(cast: Any, variant: str) -> None:
    content = as_bytes(with_provider(cast, "KNBS"), variant)
    result = submit(cast, content, NAMES.get(variant, "x.xml"), Code.objects.get(pk=_area()))
    assert result.summary.as_json()["errors"] == 0, result.summary.as_json()
    stored = Observation.objects.filter(version=result.version)
    assert stored.count() == 6
    assert all("DATA_PROVIDER" not in o.dimensions for o in stored)


@pytest.mark.parametrize("variant", VARIANTS)
def test_a_file_naming_another_provider_is_refused(cast: Any, variant: str) -> None:
    Organisation.objects.create(name="IOM", acronym="IOM", kind=Organisation.Kind.UN_ENTITY)
    content = as_bytes(with_provider(cast, "IOM"), variant)
    before = table_counts()
    result = submit(cast, content, NAMES.get(variant, "x.xml"), Code.objects.get(pk=_area()))
    assert result.version is None
    problems = [p for p in result.summary.problems if p.severity == "error"]
    assert len(problems) == 6
    assert {(p.column, p.value, p.reason) for p in problems} == {
        ("DATA_PROVIDER", "IOM", "IOM is not the provider submitting these data (KNBS)")
    }
    assert table_counts() == before


def test_the_column_batches_check_the_provider_row_by_row(cast: Any) -> None:
    Organisation.objects.create(name="IOM", acronym="IOM", kind=Organisation.Kind.UN_ENTITY)
    lines = []
    for number, line in enumerate(sdmx_csv_lines(3)):
        cells = line.split(",")
        cells.insert(5, "DATA_PROVIDER" if number == 0 else "IOM" if number == 4 else "KNBS")
        lines.append(",".join(cells))
    area = Code.objects.get(pk=_area())
    content = ("\r\n".join(lines) + "\r\n").encode()
    result = submit(cast, content, "x.csv", area, dry_run=True)
    errors = [(p.row, p.column, p.value) for p in result.summary.problems if p.severity == "error"]
    assert errors == [(5, "DATA_PROVIDER", "IOM")], [str(p) for p in result.summary.problems]
    # The same file read row by row (one quoted cell) says the same.
    slow = content.replace(b"SOLIDARITY:", b'"SOLIDARITY:', 1).replace(b")", b')"', 1)
    again = submit(cast, slow, "x.csv", area, dry_run=True)
    assert again.summary.as_json() == result.summary.as_json()


def _area() -> int:
    from solidarity.indicators.selectors import ref_area_get

    return ref_area_get(iso3_or_m49="KEN").pk
