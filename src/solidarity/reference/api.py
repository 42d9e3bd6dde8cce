"""The reference catalogue over the JSON API: GCM objectives and principles, places, SDG indicators
and treaties.

Everything here is public and read-only. Each operation parses its filters, calls one selector from
:mod:`solidarity.reference.selectors` and returns a typed schema; a filter value that names nothing
raises :class:`~solidarity.reference.selectors.UnknownFilter`, which the API turns into a 400 with
the selector's message. Lists are small and bounded (249 countries at most), so they are returned
whole as plain JSON lists, without pagination.

Every text is given in English, French and Spanish side by side (``name``, ``name_fr``,
``name_es``) rather than negotiated by language: a client picks the field it needs, and a cached
response is the same for everyone.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from solidarity.api.schemas import Problem
from solidarity.reference import selectors
from solidarity.reference.models import (
    Country,
    CrossCuttingApproach,
    GuidingPrinciple,
    Objective,
    PopulationGroup,
    Region,
    SdgGoal,
    SdgIndicator,
    SolidarityType,
    Treaty,
)

router = Router()


# --- GCM ------------------------------------------------------------------------------------------


class ObjectiveOut(Schema):
    number: int = Field(description="1 to 23, as numbered in A/RES/73/195, para 16.")
    title: str
    title_fr: str
    title_es: str
    short_label: str
    short_label_fr: str
    short_label_es: str
    paragraph: int = Field(description="Paragraph of A/RES/73/195 that sets out the objective.")
    url: str = Field(description="Address of the objective's page on this site, in English.")

    @staticmethod
    def resolve_url(obj: Objective, context: dict[str, Any]) -> str:
        # The page's address in the default language (no /fr/ or /es/ prefix): the API gives every
        # language side by side, so its links should not depend on the request's language.
        request: HttpRequest = context["request"]
        with translation.override(settings.LANGUAGE_CODE):
            path = reverse("web:objective", kwargs={"number": obj.number})
        return request.build_absolute_uri(path)


class GuidingPrincipleOut(Schema):
    code: str = Field(description="Letter of the principle in para 15, a to j.")
    paragraph: str
    name: str
    name_fr: str
    name_es: str


class ConceptOut(Schema):
    code: str
    name: str
    name_fr: str
    name_es: str
    definition: str
    definition_fr: str
    definition_es: str
    source: str


@router.get(
    "/objectives",
    response=list[ObjectiveOut],
    tags=["GCM"],
    summary="List the 23 GCM objectives",
    description="The 23 objectives of the Global Compact for Safe, Orderly and Regular "
    "Migration (A/RES/73/195, para 16), in order, with titles and short labels in English, French "
    "and Spanish.",
)
def objective_list(request: HttpRequest) -> QuerySet[Objective]:
    return selectors.objective_list()


@router.get(
    "/objectives/{number}",
    response={200: ObjectiveOut, 404: Problem},
    tags=["GCM"],
    summary="Get one GCM objective",
    description="One objective by its number, 1 to 23. Any other number gives a 404.",
)
def objective_get(request: HttpRequest, number: int) -> Objective:
    try:
        return selectors.objective_get(number=number)
    except Objective.DoesNotExist:
        raise HttpError(
            404, f"No GCM objective number {number}; objectives run from 1 to 23."
        ) from None


@router.get(
    "/guiding-principles",
    response=list[GuidingPrincipleOut],
    tags=["GCM"],
    summary="List the 10 guiding principles",
    description="The guiding principles of the Global Compact (A/RES/73/195, para 15 (a) to (j)).",
)
def guiding_principle_list(request: HttpRequest) -> QuerySet[GuidingPrinciple]:
    return selectors.guiding_principle_list()


@router.get(
    "/cross-cutting-approaches",
    response=list[ConceptOut],
    tags=["GCM"],
    summary="List the cross-cutting approaches",
    description="Gender-responsive and child-sensitive approaches from the Global Compact, and the "
    "older-persons approach the seed submission asks for, with definitions and sources.",
)
def cross_cutting_approach_list(request: HttpRequest) -> QuerySet[CrossCuttingApproach]:
    return selectors.cross_cutting_approach_list()


@router.get(
    "/population-groups",
    response=list[ConceptOut],
    tags=["GCM"],
    summary="List the population groups",
    description="Groups in vulnerable situations used to tag contributions (women and girls, "
    "children, older persons, persons with disabilities, …).",
)
def population_group_list(request: HttpRequest) -> QuerySet[PopulationGroup]:
    return selectors.population_group_list()


@router.get(
    "/solidarity-types",
    response=list[ConceptOut],
    tags=["GCM"],
    summary="List the kinds of international solidarity",
    description="Preventive, reactive and international cooperation, as in the Draft "
    "Declaration on the right to international solidarity.",
)
def solidarity_type_list(request: HttpRequest) -> QuerySet[SolidarityType]:
    return selectors.solidarity_type_list()


# --- Places ---------------------------------------------------------------------------------------


class RegionRef(Schema):
    m49: str = Field(description="UN M49 code, three digits.")
    name: str


class RegionOut(Schema):
    m49: str = Field(description="UN M49 code, three digits.")
    name: str
    name_fr: str
    name_es: str
    level: str = Field(description="world, region, subregion or intermediate.")
    parent: RegionRef | None


class RegionFilters(Schema):
    level: str | None = Field(
        None,
        description="Only regions of this level: world, region, subregion or intermediate.",
        json_schema_extra={"enum": list(Region.Level.values)},
    )


class CountryOut(Schema):
    iso3: str = Field(description="ISO 3166-1 alpha-3 code.")
    iso2: str = Field(description="ISO 3166-1 alpha-2 code.")
    m49: str = Field(description="UN M49 code, three digits.")
    name: str
    name_fr: str
    name_es: str
    region: RegionRef | None
    subregion: RegionRef | None
    intermediate_region: RegionRef | None
    un_member: bool = Field(description="Member State of the United Nations.")
    ldc: bool = Field(description="Least developed country.")
    lldc: bool = Field(description="Landlocked developing country.")
    sids: bool = Field(description="Small island developing State.")
    developing: bool = Field(description="Developing economy (M49); false means developed.")


class CountryFilters(Schema):
    region: str | None = Field(
        None,
        description="M49 code of a region, sub-region or intermediate region, e.g. 002 (Africa).",
        examples=["002"],
    )
    grouping: str | None = Field(
        None,
        description="Only countries in this grouping.",
        json_schema_extra={"enum": list(selectors.GROUPINGS)},
    )
    un_member: bool | None = Field(
        None, description="true: only UN member States; false: only other countries and areas."
    )
    q: str | None = Field(
        None,
        description="Search in the names in all three languages, or an exact ISO code.",
        max_length=100,
    )


@router.get(
    "/regions",
    response={200: list[RegionOut], 400: Problem},
    tags=["Places"],
    summary="List the UN M49 regions",
    description="The world, its regions, sub-regions and intermediate regions (UN M49), each with "
    "its parent.",
)
def region_list(request: HttpRequest, filters: Query[RegionFilters]) -> QuerySet[Region]:
    return selectors.region_list(level=filters.level)


@router.get(
    "/countries",
    response={200: list[CountryOut], 400: Problem},
    tags=["Places"],
    summary="List countries and areas",
    description="Countries and areas (ISO 3166-1, UN M49) with their regions and groupings, "
    "ordered by English name. Filters combine: `?region=002&grouping=ldc&un_member=true` gives the "
    "least developed UN member States of Africa. An unknown region or grouping gives a 400.",
)
def country_list(request: HttpRequest, filters: Query[CountryFilters]) -> QuerySet[Country]:
    return selectors.country_list(
        region=filters.region,
        grouping=filters.grouping,
        un_member=filters.un_member,
        search=filters.q,
    )


@router.get(
    "/countries/{iso3}",
    response={200: CountryOut, 404: Problem},
    tags=["Places"],
    summary="Get one country or area",
    description="One country or area by its ISO 3166-1 alpha-3 code, in either case.",
)
def country_get(request: HttpRequest, iso3: str) -> Country:
    try:
        return selectors.country_get(iso3=iso3)
    except Country.DoesNotExist:
        raise HttpError(
            404, f"No country or area with the ISO 3166-1 alpha-3 code {iso3!r}."
        ) from None


# --- SDG ------------------------------------------------------------------------------------------


class SdgGoalOut(Schema):
    number: int
    name: str
    name_fr: str
    name_es: str


class IndicatorOut(Schema):
    framework: Literal["SDG"] = Field(
        "SDG", description="The indicator framework: always SDG here."
    )
    code: str = Field(description="Indicator code, e.g. 10.7.2.")
    target: str = Field(description="Code of the SDG target, e.g. 10.7.")
    goal: int = Field(description="Number of the SDG goal.")
    description: str
    tier: str
    migration_relevant: bool
    series: list[str] = Field(description="Codes of the SDG data series that measure it.")

    @staticmethod
    def resolve_target(obj: SdgIndicator) -> str:
        return obj.target_id

    @staticmethod
    def resolve_goal(obj: SdgIndicator) -> int:
        return obj.target.goal_id

    @staticmethod
    def resolve_series(obj: SdgIndicator) -> list[str]:
        # Reads the prefetched series, so a list costs one query for all indicators.
        return [series.code for series in obj.series.all()]


class IndicatorFilters(Schema):
    migration_relevant: bool | None = Field(
        None, description="true: only the indicators relevant to migration."
    )


@router.get(
    "/sdg/goals",
    response=list[SdgGoalOut],
    tags=["SDG"],
    summary="List the 17 SDG goals",
    description="The Sustainable Development Goals of the 2030 Agenda.",
)
def sdg_goal_list(request: HttpRequest) -> QuerySet[SdgGoal]:
    return selectors.sdg_goal_list()


@router.get(
    "/sdg/indicators",
    response=list[IndicatorOut],
    tags=["SDG"],
    summary="List the SDG indicators",
    description="The indicators of the global SDG framework with their targets, goals and data "
    "series. The data hub's catalogue (SDG indicators followed for the GCM and GCM-specific "
    "ones, with their dimensions) is at `/api/v1/indicators`.",
)
def sdg_indicator_list(
    request: HttpRequest, filters: Query[IndicatorFilters]
) -> QuerySet[SdgIndicator]:
    return selectors.sdg_indicator_list(migration_relevant=filters.migration_relevant)


# --- Treaties -------------------------------------------------------------------------------------


class TreatyOut(Schema):
    code: str
    name: str
    name_fr: str
    name_es: str
    kind: str = Field(description="core, protocol or ilo.")
    parent: str | None = Field(description="Code of the treaty an optional protocol belongs to.")
    monitoring_body: str
    adopted: date
    entry_into_force: date | None
    source: str = Field(description="Address of the authoritative text.")

    @staticmethod
    def resolve_parent(obj: Treaty) -> str | None:
        return obj.parent_id


class TreatyFilters(Schema):
    kind: str | None = Field(
        None,
        description="Only treaties of this kind: core human-rights treaties, optional protocols or "
        "ILO conventions.",
        json_schema_extra={"enum": list(Treaty.Kind.values)},
    )


@router.get(
    "/treaties",
    response={200: list[TreatyOut], 400: Problem},
    tags=["Treaties"],
    summary="List the treaties",
    description="The core UN human-rights treaties, their optional protocols and the ILO "
    "conventions on migrant workers, with dates and monitoring bodies.",
)
def treaty_list(request: HttpRequest, filters: Query[TreatyFilters]) -> QuerySet[Treaty]:
    return selectors.treaty_list(kind=filters.kind)
