"""The classifier and the clustering of ``solidarity.stats.recommendations`` on stored
recommendations: predictions stored as model labels, clusters within each State."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from solidarity.cli import main
from solidarity.rights.actions import label_decide, recommendations_import
from solidarity.rights.classification import recommendations_classify, recommendations_cluster
from solidarity.rights.models import ObjectiveLabel, Recommendation
from solidarity.rights.tests.conftest import UHRI_ANNOTATIONS, write_uhri_json
from solidarity.stats.recommendations import classify_texts, load_classifier

pytestmark = pytest.mark.django_db

SIMILAR = UHRI_ANNOTATIONS[2] | {
    "AnnotationId": "5f0c8a3e-1b2d-4c8e-9a41-0c6d2f1e7a04",
    "Symbol": "A/HRC/29/10",
    "PublicationDate": "2015-03-30",
    "UprCycle": "2",
    "UprSession": "21",
    "UprRecommendingCountry": "Philippines",
    "Text": "Ratify the International Convention on the Protection of the Rights of All Migrant "
    "Workers and Members of Their Families (ICRMW).",
}


@pytest.fixture
def stored(tmp_path: Path) -> list[Recommendation]:
    path = write_uhri_json(tmp_path / "uhri.json", [*UHRI_ANNOTATIONS, SIMILAR])
    recommendations_import(actor="system:tests", path=path, file_format="uhri-json")
    return list(Recommendation.objects.order_by("id"))


def test_predictions_are_stored_as_model_labels(cast: Any, stored: list[Recommendation]) -> None:
    classifier = load_classifier()
    expected = classify_texts([r.text for r in stored])
    result = recommendations_classify(actor="system:tests")
    assert result.recommendations == 4
    # The detention of migrant children (CMW) is objective 13 to the shipped model, and no
    # source tag says so: at least that label is the model's.
    assert result.labels_created >= 1
    for recommendation, prediction in zip(stored, expected, strict=True):
        recommendation.refresh_from_db()
        assert recommendation.migration_relevant == prediction.migration_relevant
        assert recommendation.relevance_score == pytest.approx(prediction.score)
        assert recommendation.relevance_model == classifier.version
        labels = {
            label.objective_id: label
            for label in recommendation.objective_labels.filter(provenance="model")
        }
        official = set(
            recommendation.objective_labels.filter(provenance="official").values_list(
                "objective", flat=True
            )
        )
        # Every predicted objective is a label: the model's, unless the source gave it already.
        assert set(prediction.objectives) == set(labels) | (set(prediction.objectives) & official)
        for number, label in labels.items():
            assert label.score == pytest.approx(prediction.objective_scores[number])
            assert label.model_version == classifier.version
    first = ObjectiveLabel.objects.filter(provenance="model").first()
    assert first is not None
    decided = label_decide(actor=cast.reviewer, label=first, decision="rejected")
    again = recommendations_classify(actor="system:tests")
    assert (again.labels_created, again.labels_withdrawn) == (0, 0)
    decided.refresh_from_db()
    assert decided.decision == "rejected"


def test_the_commands_predict_and_cluster(stored: list[Recommendation]) -> None:
    result = CliRunner().invoke(main, ["rights", "predict", "--country", "KEN"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("3 recommendations classified: ")
    result = CliRunner().invoke(main, ["rights", "cluster"])
    assert result.exit_code == 0, result.output
    assert result.output == "4 recommendations changed cluster.\n"


def test_near_duplicates_to_one_state_share_a_cluster(stored: list[Recommendation]) -> None:
    recommendations_cluster(actor="system:tests")
    by_key = {r.source_key: r for r in Recommendation.objects.all()}
    ratify = by_key[UHRI_ANNOTATIONS[2]["AnnotationId"]]
    similar = by_key[SIMILAR["AnnotationId"]]
    trafficking = by_key[UHRI_ANNOTATIONS[1]["AnnotationId"]]
    cmw = by_key[UHRI_ANNOTATIONS[0]["AnnotationId"]]
    assert ratify.cluster == similar.cluster == ratify.pk
    assert trafficking.cluster == trafficking.pk
    assert cmw.cluster == cmw.pk
    assert ratify.cluster_method.startswith("solidarity.stats.recommendations.cluster_texts@")
    assert recommendations_cluster(actor="system:tests") == 0
