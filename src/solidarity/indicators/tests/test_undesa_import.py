"""The UN DESA International Migrant Stock 2020 workbook, imported into the hub."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from solidarity.accounts.models import Organisation
from solidarity.audit.models import AuditEntry
from solidarity.indicators.actions import UNDESA_PROVIDER, undesa_import
from solidarity.indicators.models import DatasetVersion, Observation, is_confidential

pytestmark = pytest.mark.django_db


def workbook(shared_data: Path) -> str:
    return str(shared_data / "reference" / "undesa_pd_2020_ims_stock_by_sex_and_destination.xlsx")


def value(indicator: str, area: str, sex: str, period: str) -> Decimal | None:
    return Observation.objects.get(
        version__dataset__indicator=indicator,
        version__dataset__ref_area__code=area,
        series_key__regex=rf"(^|\|)SEX={sex}(\||$)",
        time_period=period,
    ).value


def test_the_workbook_loads_once_with_its_confidential_cells(shared_data: Path) -> None:
    result = undesa_import(actor="system:cli", path=workbook(shared_data))
    provider = Organisation.objects.get(name=UNDESA_PROVIDER)
    assert provider.kind == Organisation.Kind.UN_ENTITY
    assert AuditEntry.objects.filter(action="organisation.create").count() == 1
    assert result.versions_created == DatasetVersion.objects.count() > 400
    assert result.observations == Observation.objects.count()
    assert value("GCM_MIGRANT_STOCK", "001", "_T", "2020") == Decimal("280598105")
    assert value("GCM_MIGRANT_STOCK", "404", "_T", "2020") is not None
    kenya = value("GCM_MIGRANT_STOCK", "404", "F", "2020")
    assert kenya is not None
    assert kenya + (value("GCM_MIGRANT_STOCK", "404", "M", "2020") or 0) == value(
        "GCM_MIGRANT_STOCK", "404", "_T", "2020"
    )
    hidden = Observation.objects.filter(conf_status="C")
    assert hidden.exists()
    assert all(o.value is None and is_confidential(o.conf_status) for o in hidden)
    # Each version has the import summary every submission has, its hidden cells named.
    with_hidden = hidden.first()
    assert with_hidden is not None
    summary = with_hidden.version.import_summary
    count = with_hidden.version.observation_count
    assert summary["valid"] is True
    assert summary["rows_read"] == summary["observations_valid"] == count
    assert summary["errors"] == 0
    confidential = [p for p in summary["problems"] if p["value"] == "~"]
    assert len(confidential) == with_hidden.version.observations.filter(conf_status="C").count()
    assert confidential[0]["severity"] == "warning"
    assert confidential[0]["column"].startswith("'Table ")
    assert confidential[0]["reason"] == (
        "fewer than five persons: kept as confidential, never published"
    )
    again = undesa_import(actor="system:cli", path=workbook(shared_data))
    assert again.versions_created == 0
    assert again.datasets_unchanged == result.versions_created
    assert DatasetVersion.objects.count() == result.versions_created


def test_confidential_cells_are_never_published(shared_data: Path) -> None:
    from django.contrib.auth.models import AnonymousUser

    from solidarity.indicators.selectors import observation_list, published_observation_list

    undesa_import(actor="system:cli", path=workbook(shared_data))
    versions = DatasetVersion.objects.filter(observations__conf_status="C").distinct()
    assert versions.exists()
    for version in versions[:3]:
        version.status = DatasetVersion.Status.PUBLISHED
        version.save()
        published = list(published_observation_list(version=version))
        anonymous = list(observation_list(user=AnonymousUser(), version=version))
        assert len(published) == version.observations.exclude(conf_status="C").count()
        assert not any(o.confidential for o in published + anonymous)
