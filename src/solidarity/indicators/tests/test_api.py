from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_the_catalogue(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/indicators")
    assert response.status_code == 200
    indicators = response.json()
    assert len(indicators) == 22
    deaths = next(i for i in indicators if i["code"] == "10.7.3")
    assert deaths["objectives"] == [8]
    assert deaths["sdg_indicator"] == "10.7.3"
    assert deaths["sdg_series"] == ["SM_DTH_MIGR"]
    assert deaths["custodian"] == "IOM"
    assert [d["code"] for d in deaths["dimensions"]] == [
        "REF_AREA",
        "TIME_PERIOD",
        "SEX",
        "AGE",
        "ORIGIN",
    ]
    stock = next(i for i in indicators if i["code"] == "GCM_MIGRANT_STOCK")
    assert stock["sdg_indicator"] is None
    assert stock["name_fr"] == "Stock de migrants internationaux, par sexe, âge et origine"
    assert stock["min_value"] == 0


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ("objective=17", {"10.3.1", "16.b.1"}),
        ("dimension=DISABILITY_STATUS&q=unemployment", {"8.5.2"}),
        ("q=GCM_", {"GCM_MIGRANT_STOCK", "GCM_REFUGEES_HOSTED"}),
    ],
)
def test_the_catalogue_filters(client, query, codes):
    assert {i["code"] for i in client.get(f"/api/v1/indicators?{query}").json()} == codes


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        ("objective=24", "Unknown GCM objective: 24; objectives run from 1 to 23."),
        ("dimension=GENDER", "Unknown dimension: 'GENDER'."),
    ],
)
def test_a_filter_that_names_nothing_is_a_400(client, query, detail):
    response = client.get(f"/api/v1/indicators?{query}")
    assert response.status_code == 400
    assert response.json() == {"detail": detail}


def test_one_indicator(client):
    assert client.get("/api/v1/indicators/10.c.1").json()["objectives"] == [20]
    response = client.get("/api/v1/indicators/99.9.9")
    assert response.status_code == 404
    assert response.json() == {"detail": "No indicator with the code '99.9.9' in the catalogue."}


def test_dimensions_and_codes(client, django_assert_max_num_queries):
    dimensions = client.get("/api/v1/dimensions").json()
    assert len(dimensions) == 12
    status = next(d for d in dimensions if d["code"] == "MIGRATORY_STATUS")
    assert status["sdg_concept"] == "COMPOSITE_BREAKDOWN"
    with django_assert_max_num_queries(2):
        codes = client.get("/api/v1/dimensions/AGE/codes").json()
    youth = next(c for c in codes if c["code"] == "Y15T24")
    assert youth == {
        "code": "Y15T24",
        "name": "15 to 24 years",
        "name_fr": "15 à 24 ans",
        "name_es": "15 a 24 años",
        "parent": "Y15T64",
        "sdg_code": "Y15T24",
    }
    places = client.get("/api/v1/dimensions/REF_AREA/codes").json()
    kenya = next(c for c in places if c["code"] == "404")
    assert kenya["parent"] == "014"
    assert kenya["sdg_code"] == "404"
    response = client.get("/api/v1/dimensions/GENDER/codes")
    assert response.status_code == 404
    assert response.json() == {"detail": "No dimension with the code 'GENDER'."}


def test_one_indicator_is_answered_from_the_cache_until_the_catalogue_changes(
    client, django_assert_num_queries
):
    from solidarity.indicators.models import Indicator

    first = client.get("/api/v1/indicators/10.7.3")
    assert first["Cache-Control"] == "public, max-age=60"
    # The catalogue's revision is kept in the worker (sdmx_cache.public_state): no query.
    with django_assert_num_queries(0):
        again = client.get("/api/v1/indicators/10.7.3")
    assert again.json() == first.json()
    assert again["ETag"] == first["ETag"]
    with django_assert_num_queries(0):
        unchanged = client.get("/api/v1/indicators/10.7.3", HTTP_IF_NONE_MATCH=first["ETag"])
    assert unchanged.status_code == 304
    indicator = Indicator.objects.get(code="10.7.3")
    indicator.custodian = "IOM and UNHCR"
    indicator.save()  # raises the catalogue's revision
    changed = client.get("/api/v1/indicators/10.7.3", HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]
    assert changed.json()["custodian"] == "IOM and UNHCR"
