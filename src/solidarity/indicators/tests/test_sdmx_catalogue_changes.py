"""SDMX answers follow the catalogue: an indicator renamed, a code relabelled, a dimension added,
through a plain save (as an admin page or the shell would), a bulk update followed by
``catalogue_changed``, or the catalogue loader, is in the very next answer — never an older copy
from the answer cache — and the ETag changes with it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from solidarity.indicators import sdmx_cache
from solidarity.indicators.loaders import load_indicator_catalogue
from solidarity.indicators.models import Code, Dimension, Indicator, IndicatorDimension
from solidarity.indicators.tests.test_sdmx_api import FLOW, body, get, ons  # noqa: F401
from solidarity.reference.models import Objective, SdgSeries

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ons")]

JSON_QUERY = f"/sdmx/data/{FLOW}?format=jsondata"


def _json(path: str = JSON_QUERY) -> tuple[dict[str, Any], str]:
    response = get(path)
    assert response.status_code == 200
    return json.loads(body(response)), response["ETag"]


def _sex_names(message: dict[str, Any]) -> dict[str, str]:
    dimensions = message["data"]["structures"][0]["dimensions"]["observation"]
    sex = next(d for d in dimensions if d["id"] == "SEX")
    return {value["id"]: value["name"] for value in sex["values"]}


def test_renaming_an_indicator_by_a_save_renews_data_and_structure_answers() -> None:
    _message, etag = _json()
    structure = get("/sdmx/structure/dataflow/SOLIDARITY/DF_10_7_3")
    assert b"Renamed deaths" not in structure.content
    indicator = Indicator.objects.get(code="10.7.3")
    indicator.name = "Renamed deaths"
    indicator.save()
    again, new_etag = _json()
    assert again["data"]["structures"][0]["name"].endswith("Renamed deaths")
    assert new_etag != etag
    stale = get(JSON_QUERY, if_none_match=etag)
    assert stale.status_code == 200
    body(stale)
    renamed = get("/sdmx/structure/dataflow/SOLIDARITY/DF_10_7_3")
    assert b"Renamed deaths" in renamed.content
    assert renamed["ETag"] != structure["ETag"]
    path = "/sdmx/structure/dataflow/SOLIDARITY/DF_10_7_3"
    assert get(path, if_none_match=renamed["ETag"]).status_code == 304


def test_relabelling_a_code_by_a_save_renews_the_answer() -> None:
    message, etag = _json()
    assert (
        _sex_names(message)["F"]
        == Code.objects.get(dimension_id="SEX", code="F", provider=None).name
    )
    code = Code.objects.get(dimension_id="SEX", code="F", provider=None)
    code.name = "Women and girls"
    code.save()
    again, new_etag = _json()
    assert _sex_names(again)["F"] == "Women and girls"
    assert new_etag != etag


def test_adding_a_dimension_renews_the_answer() -> None:
    before = body(get(f"/sdmx/data/{FLOW}?format=csv"))
    assert b"DISABILITY_STATUS" not in before.splitlines()[0]
    IndicatorDimension.objects.create(
        indicator_id="10.7.3", dimension=Dimension.objects.get(code="DISABILITY_STATUS"), order=50
    )
    after = body(get(f"/sdmx/data/{FLOW}?format=csv"))
    assert b"DISABILITY_STATUS" in after.splitlines()[0]
    # ... and removing it again, by a delete.
    IndicatorDimension.objects.filter(indicator_id="10.7.3", dimension="DISABILITY_STATUS").delete()
    assert body(get(f"/sdmx/data/{FLOW}?format=csv")) == before


def test_a_bulk_update_then_catalogue_changed_and_the_loader_renew_the_answer() -> None:
    _message, etag = _json()
    original = Code.objects.get(dimension_id="SEX", code="F", provider=None).name
    # A bulk update sends no signal: the answer cache may still answer the old label...
    Code.objects.filter(dimension_id="SEX", code="F", provider=None).update(name="Bulk label")
    assert _sex_names(_json()[0])["F"] == original
    # ... until the writer says the catalogue changed.
    sdmx_cache.catalogue_changed()
    changed, changed_etag = _json()
    assert _sex_names(changed)["F"] == "Bulk label"
    assert changed_etag != etag
    # The catalogue loader (bulk writes) puts the label back and says so.
    load_indicator_catalogue(actor="system:tests")
    restored, restored_etag = _json()
    assert _sex_names(restored)["F"] == original
    assert restored_etag not in (etag, changed_etag)


def test_the_revision_rises_with_each_change_and_is_kept_in_the_database() -> None:
    number, _when = sdmx_cache.catalogue_revision()
    Dimension.objects.filter(code="SEX").get().save()
    raised, when = sdmx_cache.catalogue_revision()
    assert raised == number + 1
    assert when is not None


def _revision() -> int:
    return sdmx_cache.catalogue_revision()[0]


def test_changing_an_indicators_links_through_the_orm_raises_the_revision() -> None:
    """Links change by m2m_changed alone (no row is saved): objectives, SDG series, dimensions,
    from either side, by add, remove, set and clear; a cached answer is not sent again."""
    indicator = Indicator.objects.get(code="10.7.3")
    objective = Objective.objects.exclude(indicators=indicator).first()
    assert objective is not None
    _message, etag = _json()
    before = _revision()
    indicator.objectives.add(objective)
    assert _revision() == before + 1
    _message, renewed = _json()
    assert renewed != etag
    objective.indicators.remove(indicator)  # the other side
    assert _revision() == before + 2
    linked = list(indicator.objectives.all())
    indicator.objectives.clear()
    indicator.objectives.set(linked)
    assert _revision() == before + 4
    series = SdgSeries.objects.first()
    assert series is not None
    indicator.sdg_series.add(series)
    assert _revision() == before + 5
    dimension = Dimension.objects.exclude(indicators=indicator).first()
    assert dimension is not None
    indicator.dimensions.add(dimension, through_defaults={"order": 99})  # bulk-created
    assert _revision() == before + 6
    series.indicators.clear()  # SDG series' own links
    assert _revision() == before + 7
