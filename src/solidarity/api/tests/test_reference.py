"""The reference catalogue over the API: contents, filters, errors and the cost of each list."""

from __future__ import annotations

import pytest
from django.test import Client

from solidarity.reference.models import Country, SdgIndicator

pytestmark = pytest.mark.django_db


def get_json(client: Client, url: str, status: int = 200) -> object:
    response = client.get(url)
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    return response.json()


# --- GCM ------------------------------------------------------------------------------------------


def test_objectives_are_the_23_in_order_with_three_languages_and_a_page(anonymous: Client) -> None:
    objectives = get_json(anonymous, "/api/v1/objectives")
    assert isinstance(objectives, list)
    assert [o["number"] for o in objectives] == list(range(1, 24))
    first = objectives[0]
    assert set(first) == {
        "number",
        "title",
        "title_fr",
        "title_es",
        "short_label",
        "short_label_fr",
        "short_label_es",
        "paragraph",
        "url",
    }
    assert first["title"].startswith("Collect and utilize accurate and disaggregated data")
    assert first["title_fr"]
    assert first["title_es"]
    assert first["url"] == "http://testserver/objectives/1/"


def test_objective_url_stays_in_english_whatever_the_request_language(anonymous: Client) -> None:
    response = anonymous.get("/api/v1/objectives/23", headers={"accept-language": "fr"})
    assert response.json()["url"] == "http://testserver/objectives/23/"


def test_one_objective_and_its_page_exists(anonymous: Client) -> None:
    objective = get_json(anonymous, "/api/v1/objectives/7")
    assert isinstance(objective, dict)
    assert objective["number"] == 7
    assert objective["title"] == "Address and reduce vulnerabilities in migration"
    assert anonymous.get(objective["url"]).status_code == 200


@pytest.mark.parametrize("number", ["0", "24"])
def test_an_unknown_objective_is_a_json_404(anonymous: Client, number: str) -> None:
    assert get_json(anonymous, f"/api/v1/objectives/{number}", status=404) == {
        "detail": f"No GCM objective number {number}; objectives run from 1 to 23."
    }


def test_guiding_principles_are_the_10_of_paragraph_15(anonymous: Client) -> None:
    principles = get_json(anonymous, "/api/v1/guiding-principles")
    assert isinstance(principles, list)
    assert [p["code"] for p in principles] == list("abcdefghij")
    assert principles[0]["name"] == "People-centred"


@pytest.mark.parametrize(
    ("url", "codes"),
    [
        ("/api/v1/cross-cutting-approaches", {"gender-responsive", "child-sensitive"}),
        ("/api/v1/solidarity-types", {"preventive", "reactive", "international-cooperation"}),
    ],
)
def test_coded_concepts_carry_definitions_and_sources(
    anonymous: Client, url: str, codes: set[str]
) -> None:
    concepts = get_json(anonymous, url)
    assert isinstance(concepts, list)
    assert codes <= {c["code"] for c in concepts}
    for concept in concepts:
        assert set(concept) == {
            "code",
            "name",
            "name_fr",
            "name_es",
            "definition",
            "definition_fr",
            "definition_es",
            "source",
        }
        assert concept["name"]
        assert concept["source"]


def test_population_groups_are_listed(anonymous: Client) -> None:
    groups = get_json(anonymous, "/api/v1/population-groups")
    assert isinstance(groups, list)
    assert len(groups) >= 4
    assert all(g["name"] for g in groups)


# --- Places ---------------------------------------------------------------------------------------


def test_regions_carry_their_parent(anonymous: Client) -> None:
    regions = get_json(anonymous, "/api/v1/regions")
    assert isinstance(regions, list)
    by_code = {r["m49"]: r for r in regions}
    assert by_code["001"]["parent"] is None
    assert by_code["014"] == {
        "m49": "014",
        "name": "Eastern Africa",
        "name_fr": by_code["014"]["name_fr"],
        "name_es": by_code["014"]["name_es"],
        "level": "intermediate",
        "parent": {"m49": "202", "name": "Sub-Saharan Africa"},
    }


def test_regions_filter_by_level(anonymous: Client) -> None:
    regions = get_json(anonymous, "/api/v1/regions?level=region")
    assert isinstance(regions, list)
    assert {r["name"] for r in regions} == {"Africa", "Americas", "Asia", "Europe", "Oceania"}


def test_an_unknown_region_level_is_a_400_naming_it(anonymous: Client) -> None:
    assert get_json(anonymous, "/api/v1/regions?level=continent", status=400) == {
        "detail": "Unknown region level: 'continent'; "
        "expected one of world, region, subregion, intermediate."
    }


def test_countries_are_every_country_and_area(anonymous: Client) -> None:
    countries = get_json(anonymous, "/api/v1/countries")
    assert isinstance(countries, list)
    assert len(countries) == Country.objects.count() == 249
    kenya = next(c for c in countries if c["iso3"] == "KEN")
    assert kenya == {
        "iso3": "KEN",
        "iso2": "KE",
        "m49": "404",
        "name": "Kenya",
        "name_fr": "Kenya",
        "name_es": "Kenia",
        "region": {"m49": "002", "name": "Africa"},
        "subregion": {"m49": "202", "name": "Sub-Saharan Africa"},
        "intermediate_region": {"m49": "014", "name": "Eastern Africa"},
        "un_member": True,
        "ldc": False,
        "lldc": False,
        "sids": False,
        "developing": True,
    }
    mexico = next(c for c in countries if c["iso3"] == "MEX")
    assert mexico["intermediate_region"] == {"m49": "013", "name": "Central America"}
    antarctica = next(c for c in countries if c["iso3"] == "ATA")
    assert antarctica["region"] is None


def test_un_member_true_gives_exactly_the_193_member_states(anonymous: Client) -> None:
    members = get_json(anonymous, "/api/v1/countries?un_member=true")
    assert isinstance(members, list)
    assert len(members) == 193
    assert all(c["un_member"] for c in members)
    codes = {c["iso3"] for c in members}
    assert {"KEN", "MEX", "SSD"} <= codes
    assert not {"PSE", "VAT", "TWN", "HKG"} & codes


def test_un_member_false_gives_the_other_countries_and_areas(anonymous: Client) -> None:
    others = get_json(anonymous, "/api/v1/countries?un_member=false")
    assert isinstance(others, list)
    assert len(others) == 249 - 193
    assert not any(c["un_member"] for c in others)


@pytest.mark.parametrize(
    ("region", "field"),
    [("002", "region"), ("202", "subregion"), ("014", "intermediate_region")],
)
def test_region_filter_works_at_every_level(anonymous: Client, region: str, field: str) -> None:
    countries = get_json(anonymous, f"/api/v1/countries?region={region}")
    assert isinstance(countries, list)
    assert countries
    assert all(c[field]["m49"] == region for c in countries)
    assert "KEN" in {c["iso3"] for c in countries}


def test_region_002_gives_only_and_all_african_countries(anonymous: Client) -> None:
    countries = get_json(anonymous, "/api/v1/countries?region=002")
    assert isinstance(countries, list)
    assert len(countries) == Country.objects.filter(region_id="002").count() == 60
    assert {c["region"]["name"] for c in countries} == {"Africa"}
    assert "MEX" not in {c["iso3"] for c in countries}


def test_grouping_ldc_gives_the_least_developed_countries(anonymous: Client) -> None:
    countries = get_json(anonymous, "/api/v1/countries?grouping=ldc")
    assert isinstance(countries, list)
    assert len(countries) == 44
    assert all(c["ldc"] for c in countries)
    assert {"AFG", "HTI", "SSD"} <= {c["iso3"] for c in countries}


def test_grouping_developed_is_the_complement_of_developing(anonymous: Client) -> None:
    developed = get_json(anonymous, "/api/v1/countries?grouping=developed")
    assert isinstance(developed, list)
    assert developed
    assert not any(c["developing"] for c in developed)
    assert "DEU" in {c["iso3"] for c in developed}


def test_filters_combine(anonymous: Client) -> None:
    countries = get_json(anonymous, "/api/v1/countries?region=002&grouping=ldc&un_member=true")
    assert isinstance(countries, list)
    assert countries
    assert all(c["region"]["m49"] == "002" and c["ldc"] and c["un_member"] for c in countries)


@pytest.mark.parametrize(
    ("query", "expected"),
    [("kenya", {"KEN"}), ("Mexique", {"MEX"}), ("méxico", {"MEX"}), ("ke", {"KEN"})],
)
def test_search_by_name_in_any_language_or_by_code(
    anonymous: Client, query: str, expected: set[str]
) -> None:
    countries = get_json(anonymous, f"/api/v1/countries?q={query}")
    assert isinstance(countries, list)
    assert expected <= {c["iso3"] for c in countries}


def test_an_unknown_region_is_a_400_naming_the_value(anonymous: Client) -> None:
    assert get_json(anonymous, "/api/v1/countries?region=999", status=400) == {
        "detail": "Unknown M49 region code: '999'."
    }


def test_an_unknown_grouping_is_a_400_naming_the_value(anonymous: Client) -> None:
    assert get_json(anonymous, "/api/v1/countries?grouping=rich", status=400) == {
        "detail": "Unknown grouping: 'rich'; "
        "expected one of ldc, lldc, sids, developing, developed."
    }


def test_a_malformed_boolean_is_refused(anonymous: Client) -> None:
    body = get_json(anonymous, "/api/v1/countries?un_member=perhaps", status=422)
    assert isinstance(body, dict)
    assert body["detail"][0]["loc"] == ["query", "un_member"]


@pytest.mark.parametrize("code", ["KEN", "ken"])
def test_one_country_by_code_in_either_case(anonymous: Client, code: str) -> None:
    country = get_json(anonymous, f"/api/v1/countries/{code}")
    assert isinstance(country, dict)
    assert country["iso3"] == "KEN"
    assert country["region"] == {"m49": "002", "name": "Africa"}


def test_an_unknown_country_is_a_json_404(anonymous: Client) -> None:
    assert get_json(anonymous, "/api/v1/countries/XYZ", status=404) == {
        "detail": "No country or area with the ISO 3166-1 alpha-3 code 'XYZ'."
    }


# --- SDG ------------------------------------------------------------------------------------------


def test_sdg_goals_are_the_17(anonymous: Client) -> None:
    goals = get_json(anonymous, "/api/v1/sdg/goals")
    assert isinstance(goals, list)
    assert [g["number"] for g in goals] == list(range(1, 18))
    assert set(goals[0]) == {"number", "name", "name_fr", "name_es"}


def test_indicators_carry_target_goal_series_and_framework(anonymous: Client) -> None:
    indicators = get_json(anonymous, "/api/v1/sdg/indicators")
    assert isinstance(indicators, list)
    assert len(indicators) == SdgIndicator.objects.count()
    remittances = next(i for i in indicators if i["code"] == "10.c.1")
    assert remittances["framework"] == "SDG"
    assert remittances["target"] == "10.c"
    assert remittances["goal"] == 10
    assert remittances["migration_relevant"] is True
    assert remittances["series"]
    assert set(remittances) == {
        "framework",
        "code",
        "target",
        "goal",
        "description",
        "tier",
        "migration_relevant",
        "series",
    }
    goals = [i["goal"] for i in indicators]
    assert goals == sorted(goals)


def test_indicators_filter_migration_relevant(anonymous: Client) -> None:
    indicators = get_json(anonymous, "/api/v1/sdg/indicators?migration_relevant=true")
    assert isinstance(indicators, list)
    codes = {i["code"] for i in indicators}
    assert len(codes) == SdgIndicator.objects.filter(migration_relevant=True).count()
    assert {"10.7.1", "10.7.2", "10.7.3", "10.7.4", "10.c.1", "8.8.2"} <= codes
    assert all(i["migration_relevant"] for i in indicators)


# --- Treaties -------------------------------------------------------------------------------------


def test_treaties_carry_parent_dates_and_body(anonymous: Client) -> None:
    treaties = get_json(anonymous, "/api/v1/treaties")
    assert isinstance(treaties, list)
    by_code = {t["code"]: t for t in treaties}
    assert by_code["ICMW"]["kind"] == "core"
    assert by_code["ICMW"]["monitoring_body"] == "CMW"
    assert by_code["ICMW"]["adopted"] == "1990-12-18"
    assert by_code["ICMW"]["parent"] is None
    assert by_code["OP-CAT"]["parent"] == "CAT"
    assert by_code["ICESCR"]["entry_into_force"] == "1976-01-03"
    assert by_code["ICESCR"]["source"].startswith("https://treaties.un.org/")


@pytest.mark.parametrize(
    ("kind", "some"), [("core", {"ICMW", "CEDAW"}), ("protocol", {"OP-CAT"}), ("ilo", {"C189"})]
)
def test_treaties_filter_by_kind(anonymous: Client, kind: str, some: set[str]) -> None:
    treaties = get_json(anonymous, f"/api/v1/treaties?kind={kind}")
    assert isinstance(treaties, list)
    assert {t["kind"] for t in treaties} == {kind}
    assert some <= {t["code"] for t in treaties}


def test_the_nine_core_treaties(anonymous: Client) -> None:
    treaties = get_json(anonymous, "/api/v1/treaties?kind=core")
    assert isinstance(treaties, list)
    assert len(treaties) == 9


def test_an_unknown_treaty_kind_is_a_400_naming_it(anonymous: Client) -> None:
    assert get_json(anonymous, "/api/v1/treaties?kind=regional", status=400) == {
        "detail": "Unknown treaty kind: 'regional'; expected one of core, protocol, ilo."
    }


# --- Cost -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        ("/api/v1/objectives", 1),
        ("/api/v1/guiding-principles", 1),
        ("/api/v1/cross-cutting-approaches", 1),
        ("/api/v1/population-groups", 1),
        ("/api/v1/solidarity-types", 1),
        ("/api/v1/regions", 1),
        ("/api/v1/regions?level=subregion", 1),
        ("/api/v1/countries", 1),
        # The region filter first checks that the code names a region.
        ("/api/v1/countries?region=002&grouping=ldc&un_member=true&q=a", 2),
        ("/api/v1/countries/KEN", 1),
        ("/api/v1/sdg/goals", 1),
        # Indicators with their targets, then all their series in one prefetch.
        ("/api/v1/sdg/indicators", 2),
        ("/api/v1/sdg/indicators?migration_relevant=true", 2),
        ("/api/v1/treaties", 1),
    ],
)
def test_each_list_costs_a_fixed_number_of_queries(
    anonymous: Client, django_assert_max_num_queries: object, url: str, queries: int
) -> None:
    with django_assert_max_num_queries(queries):  # type: ignore[operator]
        response = anonymous.get(url)
    assert response.status_code == 200
