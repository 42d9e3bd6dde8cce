"""Reads of the data hub's catalogue. Indicators, dimensions and codes are public; a provider's
mappings are read only by those who may manage them (the views check, through
:mod:`solidarity.accounts.permissions`)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from solidarity.accounts.models import Organisation
from solidarity.accounts.permissions import (
    AnyUser,
    can_read_dataset_drafts,
    is_administrator,
    is_reviewer,
    organisations_user_provides_data_for,
    states_user_speaks_for,
)
from solidarity.indicators.models import (
    PUBLISHABLE_CONF_STATUSES,
    Code,
    Dataset,
    DatasetVersion,
    Dimension,
    Indicator,
    IndicatorDimension,
    LabelMapping,
    Observation,
    key_order,
)
from solidarity.reference.models import Country, Objective, SdgGoal
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


def dataset_list_for_user(*, user: AnyUser) -> QuerySet[Dataset]:
    """The datasets ``user`` may follow: their organisations' as a data provider, every one for
    reviewers and administrators, their State's for a focal point."""
    datasets = Dataset.objects.select_related("indicator", "provider", "ref_area").order_by(
        "indicator__order", "indicator__code", "provider__name", "ref_area__code"
    )
    if is_reviewer(user):
        return datasets
    return datasets.filter(
        Q(provider__in=organisations_user_provides_data_for(user))
        | Q(provider__country__in=states_user_speaks_for(user))
    )


def _is_public(version: DatasetVersion) -> bool:
    return version.status == DatasetVersion.Status.PUBLISHED and (
        version.embargo_until is None or version.embargo_until <= timezone.now()
    )


def can_read_version(user: AnyUser, version: DatasetVersion) -> bool:
    """A published version past its embargo is public; any other is read by its provider's data
    providers, reviewers, administrators and the focal points of the provider's State."""
    return _is_public(version) or can_read_dataset_drafts(
        user, provider=version.dataset.provider, country=None
    )


def dataset_version_get(*, user: AnyUser, dataset_id: int, number: int) -> DatasetVersion:
    """Raises ``DatasetVersion.DoesNotExist`` for none, ``PermissionDenied`` when ``user`` may not
    read it."""
    version = DatasetVersion.objects.select_related(
        "dataset__indicator", "dataset__provider", "dataset__ref_area"
    ).get(dataset_id=dataset_id, number=number)
    if not can_read_version(user, version):
        raise PermissionDenied
    return version


def observation_list(*, user: AnyUser, version: DatasetVersion) -> QuerySet[Observation]:
    """The observations of ``version``. Whoever may read its drafts sees every cell; everyone else
    (the public) never sees a confidential one."""
    observations = version.observations.order_by(*key_order(connection.vendor))
    if can_read_dataset_drafts(user, provider=version.dataset.provider, country=None):
        return observations
    return observations.filter(conf_status__in=PUBLISHABLE_CONF_STATUSES)


def published_observation_list(*, version: DatasetVersion) -> QuerySet[Observation]:
    """What the public may see of a version: nothing unless it is published and past its embargo,
    and never a confidential cell."""
    if not _is_public(version):
        return Observation.objects.none()
    return version.observations.filter(conf_status__in=PUBLISHABLE_CONF_STATUSES).order_by(
        *key_order(connection.vendor)
    )


@dataclass(frozen=True)
class ObservationChange:
    series: str
    series_key: str
    time_period: str
    old_value: Decimal | None
    new_value: Decimal | None
    old_status: str
    new_status: str
    old_footnote: str = ""
    new_footnote: str = ""


@dataclass(frozen=True)
class VersionDiff:
    added: list[ObservationChange]
    removed: list[ObservationChange]
    changed: list[ObservationChange]


def _change(
    key: tuple[str, str, str],
    before: tuple[Decimal | None, str, str],
    after: tuple[Decimal | None, str, str],
) -> ObservationChange:
    (old_value, old_status, old_footnote), (new_value, new_status, new_footnote) = before, after
    return ObservationChange(
        *key, old_value, new_value, old_status, new_status, old_footnote, new_footnote
    )


def dataset_version_diff(*, old: DatasetVersion, new: DatasetVersion) -> VersionDiff:
    """What changed from ``old`` to ``new``: observations added, removed, and changed (value,
    observation status, confidentiality or footnote), keyed by series, series key and period.
    The caller checks that the reader may read both versions."""

    def cells(
        version: DatasetVersion,
    ) -> dict[tuple[str, str, str], tuple[Decimal | None, str, str]]:
        rows = version.observations.values_list(
            "series", "series_key", "time_period", "value", "obs_status", "conf_status", "footnote"
        )
        return {
            (series, key, period): (value, f"{obs}/{conf}".strip("/"), footnote)
            for series, key, period, value, obs, conf, footnote in rows
        }

    before, after = cells(old), cells(new)
    added = [
        ObservationChange(*key, None, after[key][0], "", after[key][1], "", after[key][2])
        for key in sorted(after.keys() - before.keys())
    ]
    removed = [
        ObservationChange(*key, before[key][0], None, before[key][1], "", before[key][2], "")
        for key in sorted(before.keys() - after.keys())
    ]
    changed = [
        _change(key, before[key], after[key])
        for key in sorted(before.keys() & after.keys())
        if before[key] != after[key]
    ]
    return VersionDiff(added=added, removed=removed, changed=changed)


def indicator_choices() -> QuerySet[Indicator]:
    return Indicator.objects.order_by("order", "code")


def ref_area_get(*, iso3_or_m49: str) -> Code:
    """A reference area by a country's ISO 3166 alpha-3 code or an M49 code. Raises
    ``Code.DoesNotExist``."""
    text = iso3_or_m49.strip().upper()
    if len(text) == 3 and text.isalpha():
        country = Country.objects.filter(iso3=text).first()
        if country is None:
            raise Code.DoesNotExist
        text = country.m49
    return Code.objects.get(dimension="REF_AREA", provider__isnull=True, code=text)


def organisations_for_submissions(*, user: AnyUser) -> QuerySet[Organisation]:
    """The organisations ``user`` submits data for: those they are a data provider of."""
    return Organisation.objects.filter(pk__in=organisations_user_provides_data_for(user)).order_by(
        "name"
    )
