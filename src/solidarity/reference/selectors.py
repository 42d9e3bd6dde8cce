"""Reads of the reference catalogue. The catalogue is public, so these apply no permission rule;
views, the API and commands all read through here so that filters mean the same everywhere."""

from __future__ import annotations

from django.db.models import Q, QuerySet

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

GROUPINGS = ("ldc", "lldc", "sids", "developing", "developed")


class UnknownFilter(ValueError):  # noqa: N818 (a public name other apps already import)
    """A filter value that names nothing in the catalogue (an unknown region or grouping)."""


def objective_list() -> QuerySet[Objective]:
    return Objective.objects.order_by("number")


def objective_get(*, number: int) -> Objective:
    """Raises ``Objective.DoesNotExist`` for a number outside 1 to 23."""
    return Objective.objects.get(number=number)


def guiding_principle_list() -> QuerySet[GuidingPrinciple]:
    return GuidingPrinciple.objects.order_by("code")


def cross_cutting_approach_list() -> QuerySet[CrossCuttingApproach]:
    return CrossCuttingApproach.objects.order_by("order", "code")


def population_group_list() -> QuerySet[PopulationGroup]:
    return PopulationGroup.objects.order_by("order", "code")


def solidarity_type_list() -> QuerySet[SolidarityType]:
    return SolidarityType.objects.order_by("order", "code")


def sdg_goal_list() -> QuerySet[SdgGoal]:
    return SdgGoal.objects.order_by("number")


def _check_choice(value: str, *, choices: list[str], what: str) -> None:
    if value not in choices:
        raise UnknownFilter(f"Unknown {what}: {value!r}; expected one of {', '.join(choices)}.")


def region_list(*, level: str | None = None) -> QuerySet[Region]:
    """M49 regions; ``level`` one of ``Region.Level`` (unknown values raise UnknownFilter)."""
    regions = Region.objects.select_related("parent").order_by("m49")
    if level is not None:
        _check_choice(level, choices=Region.Level.values, what="region level")
        regions = regions.filter(level=level)
    return regions


def country_list(
    *,
    region: str | None = None,
    grouping: str | None = None,
    un_member: bool | None = None,
    search: str | None = None,
) -> QuerySet[Country]:
    """Countries and areas, filtered.

    ``region`` is an M49 code at any level (region, sub-region, intermediate region);
    ``grouping`` one of :data:`GROUPINGS`. Unknown values raise :class:`UnknownFilter`.
    """
    countries = Country.objects.select_related("region", "subregion", "intermediate_region")
    if region:
        if not Region.objects.filter(m49=region).exists():
            raise UnknownFilter(f"Unknown M49 region code: {region!r}.")
        countries = countries.filter(
            Q(region_id=region) | Q(subregion_id=region) | Q(intermediate_region_id=region)
        )
    if grouping:
        _check_choice(grouping, choices=list(GROUPINGS), what="grouping")
        if grouping == "developed":
            countries = countries.filter(developing=False)
        else:
            countries = countries.filter(**{grouping: True})
    if un_member is not None:
        countries = countries.filter(un_member=un_member)
    if search:
        countries = countries.filter(
            Q(name__icontains=search)
            | Q(name_fr__icontains=search)
            | Q(name_es__icontains=search)
            | Q(iso3__iexact=search)
            | Q(iso2__iexact=search)
        )
    return countries.order_by("name")


def country_get(*, iso3: str) -> Country:
    """Raises ``Country.DoesNotExist`` for an unknown code. Codes are matched case-insensitively."""
    return Country.objects.select_related("region", "subregion", "intermediate_region").get(
        iso3=iso3.upper()
    )


def country_find(*, iso3: str) -> Country | None:
    """Like :func:`country_get`, but None for an unknown code."""
    return Country.objects.filter(iso3=iso3.upper()).first()


def sdg_indicator_list(*, migration_relevant: bool | None = None) -> QuerySet[SdgIndicator]:
    indicators = SdgIndicator.objects.select_related("target").prefetch_related("series")
    if migration_relevant is not None:
        indicators = indicators.filter(migration_relevant=migration_relevant)
    return indicators.order_by("target__goal_id", "code")


def treaty_list(*, kind: str | None = None) -> QuerySet[Treaty]:
    """Treaties; ``kind`` one of ``Treaty.Kind`` (unknown values raise UnknownFilter)."""
    treaties = Treaty.objects.select_related("parent")
    if kind is not None:
        _check_choice(kind, choices=Treaty.Kind.values, what="treaty kind")
        treaties = treaties.filter(kind=kind)
    return treaties.order_by("order", "code")
