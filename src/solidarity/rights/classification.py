"""The classifier and the clustering of ``solidarity.stats.recommendations`` applied to stored
recommendations: predictions become objective labels with provenance "model" (through
:func:`~solidarity.rights.actions.predictions_apply`, which never overrides a person), clusters
are stored with :func:`~solidarity.rights.actions.clusters_assign`.

The library is imported when these functions run, not when the app loads: it brings
scikit-learn and the model file, which no page needs.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from solidarity.accounts.models import User
from solidarity.rights.actions import (
    Prediction,
    PredictionResult,
    clusters_assign,
    predictions_apply,
)
from solidarity.rights.models import Recommendation

BATCH = 2048


def recommendations_classify(
    *, actor: User | str, model: Path | None = None, country: str | None = None
) -> PredictionResult:
    """Classify every stored recommendation (or one State's) from its text and store the
    relevance and the objectives as model labels, with the model's version and scores."""
    from solidarity.stats.recommendations import load_classifier

    classifier = load_classifier(model)
    recommendations = Recommendation.objects.order_by("id")
    if country:
        recommendations = recommendations.filter(country_id=country)

    def predictions() -> Iterator[Prediction]:
        batch: list[tuple[int, str]] = []
        for row in recommendations.values_list("id", "text").iterator(chunk_size=BATCH):
            batch.append(row)
            if len(batch) == BATCH:
                yield from _predict(classifier, batch)
                batch = []
        if batch:
            yield from _predict(classifier, batch)

    return predictions_apply(
        actor=actor, predictions=predictions(), model_version=classifier.version
    )


def _predict(classifier: object, batch: list[tuple[int, str]]) -> Iterator[Prediction]:
    results = classifier.predict([text for _, text in batch])  # type: ignore[attr-defined]
    for (pk, _), result in zip(batch, results, strict=True):
        yield Prediction(
            recommendation_id=pk,
            relevant=result.migration_relevant,
            score=float(result.score),
            objectives={n: float(result.objective_scores[n]) for n in result.objectives},
        )


def recommendations_cluster(*, actor: User | str, threshold: float | None = None) -> int:
    """Group each State's near-duplicate recommendations (the same ask from several mechanisms
    and cycles); a cluster is named by the id of its first member. Clusters never cross States:
    the same words to two States are two asks. Returns how many recommendations changed
    cluster."""
    from solidarity.stats.recommendations import THRESHOLD, cluster_texts

    clusters: dict[int, int] = {}
    countries = Recommendation.objects.order_by().values_list("country_id", flat=True).distinct()
    for country in sorted(countries):
        rows = list(
            Recommendation.objects.filter(country_id=country)
            .order_by("id")
            .values_list("id", "text")
        )
        ids = [pk for pk, _ in rows]
        named = cluster_texts(
            [text for _, text in rows],
            ids=ids,
            threshold=THRESHOLD if threshold is None else threshold,
        )
        clusters.update(zip(ids, named, strict=True))
    return clusters_assign(
        actor=actor,
        clusters=clusters,
        method=f"solidarity.stats.recommendations.cluster_texts@{threshold or THRESHOLD}",
    )
