"""Facts the shipped catalogue must get right. Each assertion is a public fact checked against its
source (see reference/data/PROVENANCE.md), not an echo of the data file."""

from __future__ import annotations

import csv
import datetime
from pathlib import Path

import pytest
from django.contrib import admin

from solidarity.reference.models import (
    Country,
    CrossCuttingApproach,
    GuidingPrinciple,
    Objective,
    PopulationGroup,
    Region,
    SdgGoal,
    SdgIndicator,
    SdgSeries,
    SolidarityType,
    Treaty,
)

pytestmark = pytest.mark.django_db


def test_23_objectives_in_paragraphs_17_to_39() -> None:
    objectives = list(Objective.objects.order_by("number"))
    assert [objective.number for objective in objectives] == list(range(1, 24))
    assert [objective.paragraph for objective in objectives] == list(range(17, 40))
    assert all(o.short_label_fr and o.short_label_es for o in objectives)


def test_objective_titles_in_three_languages() -> None:
    first = Objective.objects.get(number=1)
    assert first.title.startswith("Collect and utilize accurate and disaggregated data")
    assert first.title_fr.startswith("Collecter et utiliser des données précises et ventilées")
    assert first.title_es.startswith("Recopilar y utilizar datos exactos y desglosados")
    assert first.localized("short_label", "fr") == "Données"
    assert first.localized("short_label", "es") == "Datos"
    last = Objective.objects.get(number=23)
    assert last.short_label_fr == "Coopération internationale"
    assert last.short_label_es == "Cooperación internacional"


def test_missing_translation_falls_back_to_english() -> None:
    objective = Objective.objects.exclude(title_es="").first()
    assert objective is not None
    objective.title_es = ""
    assert objective.localized("title", "es") == objective.title


def test_ten_guiding_principles() -> None:
    principles = list(GuidingPrinciple.objects.order_by("code"))
    assert [p.code for p in principles] == list("abcdefghij")
    assert principles[0].name == "People-centred"
    assert principles[0].name_fr == "Priorité à la dimension humaine"
    assert principles[0].name_es == "Centrada en las personas"
    assert principles[6].paragraph == "15(g)"
    assert principles[6].name == "Gender-responsive"


def test_cross_cutting_approaches_population_groups_and_kinds_of_solidarity() -> None:
    assert set(CrossCuttingApproach.objects.values_list("code", flat=True)) == {
        "gender-responsive",
        "child-sensitive",
        "age-sensitive",
    }
    assert "older-persons" in set(PopulationGroup.objects.values_list("code", flat=True))
    assert PopulationGroup.objects.count() == 4
    kinds = list(SolidarityType.objects.order_by("order"))
    assert [kind.code for kind in kinds] == ["preventive", "reactive", "international-cooperation"]
    for concept in [*kinds, *CrossCuttingApproach.objects.all(), *PopulationGroup.objects.all()]:
        assert concept.name_fr
        assert concept.name_es
        assert concept.source


def test_all_iso_countries_and_193_member_states() -> None:
    assert Country.objects.count() == 249
    members = Country.objects.filter(un_member=True)
    assert members.count() == 193
    # Observer States and areas that are not members.
    for iso3 in ("PSE", "VAT", "TWN", "PRI", "GRL"):
        assert not Country.objects.get(iso3=iso3).un_member
    assert not Country.objects.filter(iso3="XKX").exists()  # Kosovo has no ISO 3166-1 code
    assert members.filter(iso3__in=["SSD", "MNE", "CHE", "TLS"]).count() == 4  # latest members


def test_groupings_counts() -> None:
    assert Country.objects.filter(ldc=True).count() == 44
    assert Country.objects.filter(lldc=True).count() == 32
    assert Country.objects.filter(sids=True, un_member=True).count() == 38
    assert Country.objects.filter(sids=True).count() == 58
    assert not Country.objects.filter(ldc=True, un_member=False).exists()
    assert not Country.objects.filter(lldc=True, un_member=False).exists()


@pytest.mark.parametrize(
    ("iso3", "ldc", "lldc", "sids"),
    [
        ("NPL", True, True, False),
        ("FJI", False, False, True),
        ("BTN", False, True, False),  # graduated from LDC in December 2023
        ("STP", False, False, True),  # graduated from LDC in December 2024
        ("VUT", False, False, True),  # graduated in 2020
        ("HTI", True, False, True),
        ("KEN", False, False, False),
    ],
)
def test_country_groupings(iso3: str, ldc: bool, lldc: bool, sids: bool) -> None:
    country = Country.objects.get(iso3=iso3)
    assert (country.ldc, country.lldc, country.sids) == (ldc, lldc, sids)


def test_kenya() -> None:
    kenya = Country.objects.select_related("region", "subregion", "intermediate_region").get(
        iso3="KEN"
    )
    assert (kenya.iso2, kenya.m49) == ("KE", "404")
    assert kenya.region is not None
    assert kenya.region.name == "Africa"
    assert kenya.subregion is not None
    assert kenya.subregion.name == "Sub-Saharan Africa"
    assert kenya.intermediate_region is not None
    assert kenya.intermediate_region.name == "Eastern Africa"
    assert kenya.un_member
    assert kenya.developing
    assert not kenya.ldc


@pytest.mark.parametrize(
    ("iso3", "developing"),
    [
        ("CHE", False),
        ("USA", False),
        ("JPN", False),
        ("KOR", False),
        ("ISR", False),
        ("NZL", False),
        ("MEX", True),
        ("CHN", True),
        ("SGP", True),
        ("TUR", True),  # Western Asia in M49, so developing under the UNCTAD rule
    ],
)
def test_developing_per_unctad(iso3: str, developing: bool) -> None:
    assert Country.objects.get(iso3=iso3).developing is developing


def test_country_names_in_three_languages() -> None:
    france = Country.objects.get(iso3="FRA")
    assert (france.name, france.name_fr, france.name_es) == ("France", "France", "Francia")
    germany = Country.objects.get(iso3="DEU")
    assert (germany.name_fr, germany.name_es) == ("Allemagne", "Alemania")
    assert Country.objects.get(iso3="MEX").localized("name", "es") == "México"
    assert not Country.objects.filter(name_fr="").exists()
    assert not Country.objects.filter(name_es="").exists()


def test_m49_tree_is_consistent() -> None:
    world = Region.objects.get(m49="001")
    assert world.level == Region.Level.WORLD
    assert world.parent is None
    assert set(Region.objects.filter(level=Region.Level.REGION).values_list("name", flat=True)) == {
        "Africa",
        "Americas",
        "Asia",
        "Europe",
        "Oceania",
    }
    for country in Country.objects.select_related("subregion", "intermediate_region"):
        if country.intermediate_region is not None:
            assert country.intermediate_region.parent_id == country.subregion_id, country.iso3
        if country.subregion is not None:
            assert country.subregion.parent_id == country.region_id, country.iso3
        elif country.iso3 != "ATA":
            pytest.fail(f"{country.iso3} has no M49 sub-region")
    assert Country.objects.get(iso3="TWN").m49 == "158"
    assert Country.objects.get(iso3="GGY").intermediate_region_id == "830"


def test_sdg_framework() -> None:
    assert SdgGoal.objects.count() == 17
    assert SdgGoal.objects.get(number=10).name == "Reduce inequality within and among countries"
    assert SdgIndicator.objects.count() == 248
    relevant = set(
        SdgIndicator.objects.filter(migration_relevant=True).values_list("code", flat=True)
    )
    assert {"10.7.1", "10.7.2", "10.7.3", "10.7.4", "10.c.1", "8.8.1", "17.18.1"} <= relevant
    assert "1.1.1" not in relevant
    indicator = SdgIndicator.objects.select_related("target").get(code="10.7.2")
    assert indicator.target.code == "10.7"
    assert indicator.target.goal_id == 10
    assert SdgSeries.objects.get(code="SG_CPA_MIGRS").indicators.filter(code="10.7.2").exists()


def test_treaties() -> None:
    assert Treaty.objects.filter(kind=Treaty.Kind.CORE).count() == 9
    assert Treaty.objects.filter(kind=Treaty.Kind.PROTOCOL).count() == 9
    assert Treaty.objects.filter(kind=Treaty.Kind.ILO).count() == 3
    for protocol in Treaty.objects.filter(kind=Treaty.Kind.PROTOCOL).select_related("parent"):
        assert protocol.parent is not None
        assert protocol.parent.kind == Treaty.Kind.CORE
        assert protocol.adopted >= protocol.parent.adopted
    icmw = Treaty.objects.get(code="ICMW")
    assert icmw.monitoring_body == "CMW"
    assert (icmw.adopted, icmw.entry_into_force) == (
        datetime.date(1990, 12, 18),
        datetime.date(2003, 7, 1),
    )
    assert Treaty.objects.get(code="OP-CAT").monitoring_body == "SPT"
    assert Treaty.objects.get(code="C189").source.startswith("https://normlex.ilo.org/")
    assert not Treaty.objects.filter(name_fr="").exists()
    assert not Treaty.objects.filter(name_es="").exists()


# The ratification-status extract names six instruments differently from our codes.
RATIFICATION_FILE_CODES = {
    "CED": "CPED",
    "OP-CEDAW": "CEDAW-OP",
    "OP-CRC-AC": "CRC-OP-AC",
    "OP-CRC-SC": "CRC-OP-SC",
    "OP-CRC-IC": "CRC-OP-IC",
    "OP-CRPD": "CRPD-OP",
}


def test_every_instrument_of_the_ratification_extract_is_in_the_catalogue(
    shared_data: Path,
) -> None:
    path = shared_data / "reference" / "un_core_hr_treaties_ratification_status_2022.csv"
    with path.open(encoding="utf-8") as handle:
        instruments = {row["instrument"] for row in csv.DictReader(handle)}
    codes = {RATIFICATION_FILE_CODES.get(code, code) for code in instruments}
    assert len(codes) == 18
    assert codes == set(Treaty.objects.exclude(kind=Treaty.Kind.ILO).values_list("code", flat=True))


@pytest.mark.parametrize(
    "model", [Objective, GuidingPrinciple, Country, Region, SdgIndicator, Treaty, SolidarityType]
)
def test_admin_is_read_only(model: type, rf: pytest.FixtureRequest) -> None:
    model_admin = admin.site._registry[model]
    request = rf.get("/")  # type: ignore[attr-defined]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
