"""Reads of the data hub's catalogue. Indicators, dimensions and codes are public; a provider's
mappings are read only by those who may manage them (the views check, through
:mod:`solidarity.accounts.permissions`)."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from solidarity.accounts.models import Organisation
from solidarity.accounts.permissions import (
    AnyUser,
    is_administrator,
    organisations_user_provides_data_for,
)
from solidarity.indicators.models import (
    Code,
    Dimension,
    Indicator,
    IndicatorDimension,
    LabelMapping,
)
from solidarity.reference.models import Objective, SdgGoal
from solidarity.reference.selectors import UnknownFilter


def _with_links(indicators: QuerySet[Indicator]) -> QuerySet[Indicator]:
    return indicators.select_related("sdg_indicator").prefetch_related(
        Prefetch("objectives", queryset=Objective.objects.order_by("number")),
        "sdg_series",
        Prefetch(
            "indicatordimension_set",
            queryset=IndicatorDimension.objects.select_related("dimension").order_by("order"),
        ),
    )


def indicator_list(
    *,
    objective: int | None = None,
    goal: int | None = None,
    dimension: str | None = None,
    q: str = "",
) -> QuerySet[Indicator]:
    """The catalogue, filtered. An objective, goal or dimension that does not exist raises
    :class:`~solidarity.reference.selectors.UnknownFilter`."""
    indicators = Indicator.objects.order_by("order", "code")
    if objective is not None:
        if not Objective.objects.filter(number=objective).exists():
            raise UnknownFilter(
                f"Unknown GCM objective: {objective!r}; objectives run from 1 to 23."
            )
        indicators = indicators.filter(objectives=objective)
    if goal is not None:
        if not SdgGoal.objects.filter(number=goal).exists():
            raise UnknownFilter(f"Unknown SDG goal: {goal!r}; goals run from 1 to 17.")
        indicators = indicators.filter(sdg_indicator__target__goal=goal)
    if dimension:
        if not Dimension.objects.filter(code=dimension).exists():
            raise UnknownFilter(f"Unknown dimension: {dimension!r}.")
        indicators = indicators.filter(dimensions=dimension)
    q = q.strip()
    if q:
        indicators = indicators.filter(
            Q(code__icontains=q)
            | Q(name__icontains=q)
            | Q(name_fr__icontains=q)
            | Q(name_es__icontains=q)
            | Q(definition__icontains=q)
        )
    return _with_links(indicators.distinct())


def indicator_get(*, code: str) -> Indicator:
    """Raises ``Indicator.DoesNotExist`` for an unknown code."""
    return _with_links(Indicator.objects.all()).get(code=code)


def indicators_for_objective(*, objective: Objective) -> QuerySet[Indicator]:
    return Indicator.objects.filter(objectives=objective).order_by("order", "code")


def dimension_list() -> QuerySet[Dimension]:
    return Dimension.objects.order_by("order", "code")


def dimension_get(*, code: str) -> Dimension:
    """Raises ``Dimension.DoesNotExist`` for an unknown code."""
    return Dimension.objects.get(code=code)


def code_list(*, dimension: Dimension, provider: Organisation | None = None) -> QuerySet[Code]:
    """The common codelist of ``dimension``, with ``provider``'s own codes when one is given."""
    scope = Q(provider__isnull=True)
    if provider is not None:
        scope |= Q(provider=provider)
    return (
        Code.objects.filter(scope, dimension=dimension)
        .select_related("parent", "provider")
        .order_by("provider", "order", "code")
    )


def label_mapping_list(*, provider: Organisation | None) -> QuerySet[LabelMapping]:
    """A provider's own mappings, or the common defaults with ``provider=None``."""
    mappings = LabelMapping.objects.select_related("dimension", "code")
    if provider is None:
        mappings = mappings.filter(provider__isnull=True)
    else:
        mappings = mappings.filter(provider=provider)
    return mappings.order_by("kind", "dimension__order", "normalised_label")


def organisations_for_mappings(*, user: AnyUser) -> QuerySet[Organisation]:
    """The organisations whose mappings ``user`` may manage: every one for administrators, the
    ones they provide data for otherwise."""
    if is_administrator(user):
        return Organisation.objects.order_by("name")
    return Organisation.objects.filter(pk__in=organisations_user_provides_data_for(user)).order_by(
        "name"
    )
