# Tests read optional relations (code) that the actions are known to fill.
# mypy: disable-error-code="union-attr"
from __future__ import annotations

import csv
import io

import pytest

from solidarity.audit.models import AuditEntry
from solidarity.indicators.models import Indicator, LabelMapping

pytestmark = pytest.mark.django_db


def test_the_catalogue_lists_every_indicator(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        response = client.get("/indicators/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "22 indicators." in html
    assert 'href="/indicators/GCM_MIGRANT_STOCK/"' in html
    assert 'href="/indicators/dimensions/MIGRATORY_STATUS/"' in html
    assert 'href="/objectives/8/"' in html


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ("objective=8", {"10.7.3"}),
        ("objective=20", {"10.c.1", "17.3.2"}),
        ("goal=10&dimension=MIGRATORY_STATUS", {"10.3.1"}),
        ("q=remittance", {"10.c.1", "17.3.2"}),
        ("q=migrant+stock", {"GCM_MIGRANT_STOCK"}),
    ],
)
def test_the_catalogue_filters(client, query, codes):
    response = client.get(f"/indicators/?{query}")
    assert response.status_code == 200
    assert {i.code for i in response.context["indicators"]} == codes


@pytest.mark.parametrize("query", ["objective=24", "goal=99", "dimension=GENDER", "objective=x"])
def test_a_filter_that_names_nothing_is_refused(client, query):
    response = client.get(f"/indicators/?{query}")
    assert response.status_code == 400
    assert "These filters cannot be used" in response.content.decode()


def test_the_catalogue_downloads_as_csv(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        response = client.get("/indicators/catalogue.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    assert len(rows) == Indicator.objects.count() == 22
    stock = next(row for row in rows if row["code"] == "GCM_MIGRANT_STOCK")
    assert stock["objectives"] == "1;23"
    assert stock["dimensions"] == "REF_AREA;TIME_PERIOD;SEX;AGE;ORIGIN;COUNTRY_OF_BIRTH;CITIZENSHIP"
    remittances = next(row for row in rows if row["code"] == "10.c.1")
    assert remittances["sdg_indicator"] == "10.c.1"
    assert "SI_RMT_COST" in remittances["sdg_series"].split(";")
    assert remittances["max_value"] == "100"


def test_an_indicator_page(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(9):  # the public state (3), the indicator (4), its data
        response = client.get("/indicators/10.7.3/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Number of people who died or disappeared" in html
    assert "IOM" in html
    assert 'href="/objectives/8/"' in html
    assert "SM_DTH_MIGR" in html
    assert 'href="/indicators/dimensions/ORIGIN/"' in html
    assert "No data published yet." in html
    assert client.get("/indicators/99.9.9/").status_code == 404


def test_a_dimension_page_shows_its_codelist(client):
    response = client.get("/indicators/dimensions/AGE/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Y15T24" in html
    assert 'href="#code-Y15T64"' in html  # Y15T24 is part of Y15T64
    assert 'href="/indicators/8.5.2/"' in html
    assert client.get("/indicators/dimensions/GENDER/").status_code == 404


def test_the_region_and_country_codelists(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = client.get("/indicators/dimensions/REF_AREA/")
    html = response.content.decode()
    assert '<tr id="code-404">' in html
    assert "Kenya" in html


def test_the_objective_page_lists_its_indicators(client):
    html = client.get("/objectives/8/").content.decode()
    assert 'href="/indicators/10.7.3/"' in html


def test_a_data_provider_keeps_the_mappings_of_their_office(client, cast, log_in):
    log_in(cast.data_provider)
    response = client.get("/indicators/mappings/")
    assert response.status_code == 200
    assert "Label mappings of Kenya National Bureau of Statistics" in response.content.decode()

    response = client.post(
        "/indicators/mappings/",
        {"action": "save", "kind": "value", "label": "Wanawake", "dimension": "SEX", "code": "F"},
    )
    assert response.status_code == 302
    mapping = LabelMapping.objects.get(provider=cast.statistics_office)
    assert mapping.code.code == "F"

    response = client.get(f"/indicators/mappings/?edit={mapping.pk}")
    assert 'value="Wanawake"' in response.content.decode()

    response = client.post(
        "/indicators/mappings/",
        {"action": "save", "kind": "value", "label": "Wanaume", "dimension": "SEX", "code": "X"},
    )
    assert response.status_code == 400
    assert "X is not a code of SEX." in response.content.decode()

    response = client.post("/indicators/mappings/", {"action": "delete", "mapping": mapping.pk})
    assert response.status_code == 302
    assert not LabelMapping.objects.filter(provider=cast.statistics_office).exists()
    assert list(
        AuditEntry.objects.filter(object_type="indicators.labelmapping")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["label_mapping.create", "label_mapping.delete"]


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("focal_point_kenya", 403),
        ("migrant_org_member", 403),
        ("moderator", 403),
        ("reviewer", 403),
        ("administrator", 302),
        ("data_provider", 302),
    ],
)
def test_who_may_post_a_mapping(client, cast, log_in, role, status):
    log_in(cast.all_users()[role])
    response = client.post(
        "/indicators/mappings/",
        {
            "action": "save",
            "organisation": cast.statistics_office.pk,
            "kind": "column",
            "label": "Jinsia",
            "dimension": "SEX",
        },
    )
    assert response.status_code == status
    saved = LabelMapping.objects.filter(provider=cast.statistics_office).exists()
    assert saved is (status == 302)


def test_an_administrator_chooses_the_organisation(client, cast, log_in):
    log_in(cast.administrator)
    response = client.get(f"/indicators/mappings/?organisation={cast.migrant_org.pk}")
    assert response.status_code == 200
    assert "Label mappings of Migrant Workers" in response.content.decode()
