"""Reads of recommendations, their labels, statuses and assessments, and of ratifications.

All of it is public (see :mod:`solidarity.rights.permissions`); the selectors fetch related rows
in a fixed number of queries whatever the length of a list.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from solidarity.reference.models import Country, Objective, PopulationGroup, Treaty
from solidarity.rights.models import (
    Assessment,
    ImplementationStatus,
    Mechanism,
    ObjectiveLabel,
    Ratification,
    Recommendation,
)

UNMAPPED = 0  # the group of recommendations no standing label maps to an objective


@dataclass(frozen=True)
class RecommendationFilters:
    """The filters of the recommendation lists; ``None`` or empty means any."""

    country: str | None = None
    objective: int | None = None
    mechanism: str | None = None
    position: str | None = None
    status: str | None = None
    group: str | None = None
    relevant: bool | None = None
    q: str = ""


def _standing_labels() -> Prefetch[Any]:
    return Prefetch(
        "objective_labels",
        queryset=ObjectiveLabel.objects.exclude(decision=ObjectiveLabel.Decision.REJECTED)
        .select_related("objective")
        .order_by("objective"),
        to_attr="standing_labels",
    )


def recommendation_list(filters: RecommendationFilters) -> QuerySet[Recommendation]:
    recommendations = Recommendation.objects.select_related(
        "country", "mechanism", "document", "recommending_country"
    ).prefetch_related(
        _standing_labels(),
        Prefetch("population_groups", queryset=PopulationGroup.objects.order_by("order")),
    )
    if filters.country:
        recommendations = recommendations.filter(country_id=filters.country)
    if filters.objective is not None:
        if filters.objective == UNMAPPED:
            recommendations = recommendations.exclude(
                objective_labels__in=ObjectiveLabel.objects.exclude(
                    decision=ObjectiveLabel.Decision.REJECTED
                )
            )
        else:
            recommendations = recommendations.filter(
                Q(objective_labels__objective_id=filters.objective)
                & ~Q(objective_labels__decision=ObjectiveLabel.Decision.REJECTED)
            )
    if filters.mechanism:
        recommendations = recommendations.filter(mechanism_id=filters.mechanism)
    if filters.position:
        recommendations = recommendations.filter(position=filters.position)
    if filters.status:
        if filters.status == "none":
            recommendations = recommendations.filter(status="")
        else:
            recommendations = recommendations.filter(status=filters.status)
    if filters.group:
        recommendations = recommendations.filter(population_groups__code=filters.group)
    if filters.relevant is not None:
        recommendations = recommendations.filter(migration_relevant=filters.relevant)
    if filters.q:
        recommendations = recommendations.filter(text__icontains=filters.q)
    return recommendations.order_by("-published_on", "-session", "mechanism__order", "id")


@dataclass
class Cluster:
    """Near-duplicate recommendations shown together, newest first, with their history."""

    key: str
    recommendations: list[Recommendation]

    @property
    def first(self) -> Recommendation:
        return self.recommendations[0]

    @property
    def history(self) -> list[Recommendation]:
        return self.recommendations[1:]


@dataclass
class ObjectiveGroup:
    objective: Objective | None
    clusters: list[Cluster] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(cluster.recommendations) for cluster in self.clusters)


def recommendations_by_objective(
    recommendations: QuerySet[Recommendation],
) -> list[ObjectiveGroup]:
    """Group a list by objective (a recommendation appears under each objective it bears on;
    those with none under "no objective", last) and, inside, by cluster of near-duplicates."""
    groups: dict[int, ObjectiveGroup] = {}
    members: dict[int, dict[str, list[Recommendation]]] = defaultdict(dict)
    for recommendation in recommendations:
        labels = getattr(recommendation, "standing_labels", [])
        keys = [(label.objective_id, label.objective) for label in labels] or [(UNMAPPED, None)]
        cluster_key = (
            f"c{recommendation.cluster}"
            if recommendation.cluster is not None
            else f"r{recommendation.pk}"
        )
        for number, objective in keys:
            if number not in groups:
                groups[number] = ObjectiveGroup(objective=objective)
            members[number].setdefault(cluster_key, []).append(recommendation)
    ordered = sorted(groups, key=lambda number: (number == UNMAPPED, number))
    result = []
    for number in ordered:
        group = groups[number]
        group.clusters = [
            Cluster(key=key, recommendations=rows) for key, rows in members[number].items()
        ]
        result.append(group)
    return result


def recommendation_get(*, pk: int) -> Recommendation:
    return (
        Recommendation.objects.select_related(
            "country", "mechanism", "document", "recommending_country"
        )
        .prefetch_related(
            Prefetch(
                "objective_labels",
                queryset=ObjectiveLabel.objects.select_related("objective", "decided_by"),
            ),
            Prefetch(
                "status_history",
                queryset=ImplementationStatus.objects.select_related("recorded_by"),
            ),
            Prefetch("assessments", queryset=Assessment.objects.select_related("organisation")),
            "population_groups",
        )
        .get(pk=pk)
    )


def cluster_members(*, recommendation: Recommendation) -> list[Recommendation]:
    """The other recommendations in the same cluster of near-duplicates, across mechanisms and
    cycles, newest first."""
    if recommendation.cluster is None:
        return []
    return list(
        Recommendation.objects.filter(cluster=recommendation.cluster)
        .exclude(pk=recommendation.pk)
        .select_related("mechanism", "country")
        .order_by("-published_on", "-session", "id")
    )


def mechanism_list() -> QuerySet[Mechanism]:
    return Mechanism.objects.order_by("order", "code")


def states_with_recommendations() -> list[dict[str, Any]]:
    """Each State with recommendations, with how many it has and how many bear on the GCM
    (a standing objective label). Two grouped queries: a join of the two counts is far slower."""
    mapped = dict(
        ObjectiveLabel.objects.exclude(decision=ObjectiveLabel.Decision.REJECTED)
        .order_by()
        .values("recommendation__country_id")
        .annotate(n=Count("recommendation", distinct=True))
        .values_list("recommendation__country_id", "n")
    )
    rows = list(
        Recommendation.objects.order_by()
        .values("country_id", "country__name")
        .annotate(total=Count("id"))
        .order_by("country__name")
    )
    for row in rows:
        row["mapped"] = mapped.get(row["country_id"], 0)
    return rows


def objective_counts() -> dict[int, int]:
    """How many recommendations each objective has a standing label on."""
    return dict(
        ObjectiveLabel.objects.exclude(decision=ObjectiveLabel.Decision.REJECTED)
        .values("objective_id")
        .annotate(n=Count("recommendation", distinct=True))
        .values_list("objective_id", "n")
    )


def label_decisions() -> Iterator[ObjectiveLabel]:
    """Every label a person confirmed or rejected, for retraining the classifier."""
    return (
        ObjectiveLabel.objects.exclude(decision=ObjectiveLabel.Decision.UNREVIEWED)
        .select_related("recommendation")
        .order_by("recommendation_id", "objective_id")
        .iterator(chunk_size=2000)
    )


# ---------------------------------------------------------------------------------------------
# Ratifications


def treaty_list() -> QuerySet[Treaty]:
    return Treaty.objects.order_by("order", "code")


@dataclass
class RatificationRow:
    country: Country
    cells: list[Ratification | None]

    @property
    def parties(self) -> int:
        return sum(1 for cell in self.cells if cell is not None and cell.status == "party")


def ratification_table(
    *, treaties: list[Treaty], un_members_only: bool = True
) -> list[RatificationRow]:
    """One row per State, one cell per treaty (``None`` when nothing is recorded)."""
    countries = Country.objects.order_by("name")
    if un_members_only:
        countries = countries.filter(un_member=True)
    cells: dict[tuple[str, str], Ratification] = {
        (r.country_id, r.treaty_id): r for r in Ratification.objects.filter(treaty__in=treaties)
    }
    return [
        RatificationRow(
            country=country,
            cells=[cells.get((country.iso3, treaty.code)) for treaty in treaties],
        )
        for country in countries
    ]


def ratification_counts(*, treaties: list[Treaty]) -> dict[str, dict[str, int]]:
    """Per treaty, how many States are parties, signatories, or took no action."""
    counts: dict[str, dict[str, int]] = {
        t.code: {"party": 0, "signatory": 0, "none": 0} for t in treaties
    }
    for code, status, n in (
        Ratification.objects.filter(treaty__in=treaties)
        .values("treaty_id", "status")
        .annotate(n=Count("id"))
        .values_list("treaty_id", "status", "n")
    ):
        counts[code][status] = n
    return counts


def country_ratifications(*, country: Country) -> list[tuple[Treaty, Ratification | None]]:
    """Where ``country`` stands on every treaty and ILO convention of the catalogue."""
    rows = {r.treaty_id: r for r in Ratification.objects.filter(country=country)}
    return [(treaty, rows.get(treaty.code)) for treaty in treaty_list()]


def ratification_list(
    *, country: str | None = None, treaty: str | None = None
) -> QuerySet[Ratification]:
    """Every recorded ratification, by State then treaty order; ``country`` is an ISO3 code."""
    rows = Ratification.objects.order_by("country_id", "treaty__order")
    if country:
        rows = rows.filter(country_id=country.upper())
    if treaty:
        rows = rows.filter(treaty_id=treaty)
    return rows


def ratification_get(*, country: Country, treaty: Treaty) -> Ratification | None:
    return Ratification.objects.filter(country=country, treaty=treaty).first()


def label_get(*, recommendation_id: int, objective_number: int) -> ObjectiveLabel | None:
    """The GCM-objective label of one recommendation, if it has one for that objective."""
    return ObjectiveLabel.objects.filter(
        recommendation_id=recommendation_id, objective_id=objective_number
    ).first()


def country_recommendation_count(*, country: Country) -> int:
    return Recommendation.objects.filter(country=country).count()
