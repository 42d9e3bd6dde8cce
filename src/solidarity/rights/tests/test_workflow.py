"""The workflow through the pages and the actions: the State's focal point records a status,
civil society and reviewers assess, reviewers decide on labels; every change audited."""

from __future__ import annotations

import csv
import datetime
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook

from solidarity.audit.models import AuditEntry
from solidarity.rights.actions import (
    Prediction,
    assessment_add,
    clusters_assign,
    implementation_status_record,
    label_decide,
    predictions_apply,
    recommendations_import,
)
from solidarity.rights.models import Recommendation
from solidarity.rights.tests.conftest import UHRI_ANNOTATIONS
from solidarity.stats.recommendations import read_label_decisions

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 3, 1)


@pytest.fixture
def kenya_trafficking(uhri_json: Path) -> Recommendation:
    recommendations_import(actor="system:tests", path=uhri_json, file_format="uhri-json")
    return Recommendation.objects.get(source_key=UHRI_ANNOTATIONS[1]["AnnotationId"])


def status_form(**changes: str) -> dict[str, str]:
    return {
        "status": "in_progress",
        "responsible_institution": "State Department for Immigration",
        "evidence": "Counter-Trafficking in Persons (Amendment) Act adopted.",
        "evidence_url": "https://example.org/act",
        "evidence_date": "2024-11-05",
    } | changes


@pytest.mark.parametrize(
    ("role", "status", "saved"),
    [
        ("focal_point_kenya", 302, True),
        ("administrator", 302, True),
        ("focal_point_mexico", 403, False),
        ("migrant_org_member", 403, False),
        ("reviewer", 403, False),
        ("moderator", 403, False),
    ],
)
def test_only_the_states_focal_points_record_its_status(
    cast: Any, log_in: Any, kenya_trafficking: Recommendation, role: str, status: int, saved: bool
) -> None:
    client = log_in(cast.all_users()[role])
    address = f"/rights/recommendations/{kenya_trafficking.pk}/status/"
    assert client.get(address).status_code == (200 if saved else 403)
    response = client.post(address, status_form())
    assert response.status_code == status
    kenya_trafficking.refresh_from_db()
    assert (kenya_trafficking.status == "in_progress") is saved
    assert AuditEntry.objects.filter(action="implementation_status.record").exists() is saved


def test_a_status_keeps_its_history_and_audit(cast: Any, kenya_trafficking: Recommendation) -> None:
    implementation_status_record(
        actor=cast.focal_point_kenya,
        recommendation=kenya_trafficking,
        status="planned",
        responsible_institution="Ministry of Interior",
        evidence="National plan of action 2022-2026.",
        evidence_date=datetime.date(2022, 1, 10),
    )
    implementation_status_record(
        actor=cast.focal_point_kenya,
        recommendation=kenya_trafficking,
        status="completed",
        responsible_institution="Ministry of Interior",
        evidence="Act adopted and in force.",
        evidence_date=datetime.date(2024, 6, 1),
    )
    assert [s.status for s in kenya_trafficking.status_history.all()] == ["completed", "planned"]
    assert Recommendation.objects.get(pk=kenya_trafficking.pk).status == "completed"
    entry = AuditEntry.objects.filter(action="implementation_status.record").first()
    assert entry is not None
    assert entry.before == {"status": "planned"}
    assert entry.after is not None
    assert entry.after["evidence_date"] == "2024-06-01"


def test_a_status_needs_evidence_and_no_future_date(
    cast: Any, log_in: Any, kenya_trafficking: Recommendation
) -> None:
    client = log_in(cast.focal_point_kenya)
    address = f"/rights/recommendations/{kenya_trafficking.pk}/status/"
    response = client.post(address, status_form(evidence="", evidence_date="2999-01-01"))
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    response = client.post(address, status_form(evidence_date="2999-01-01"))
    assert "The evidence cannot be dated in the future." in response.content.decode()
    assert not kenya_trafficking.status_history.exists()


def test_civil_society_assesses_beside_the_state(
    cast: Any, log_in: Any, kenya_trafficking: Recommendation
) -> None:
    implementation_status_record(
        actor=cast.focal_point_kenya,
        recommendation=kenya_trafficking,
        status="completed",
        responsible_institution="Ministry of Interior",
        evidence="Act adopted.",
        evidence_date=datetime.date(2024, 6, 1),
    )
    client = log_in(cast.migrant_org_member)
    response = client.post(
        f"/rights/recommendations/{kenya_trafficking.pk}/assessments/",
        {
            "grade": "partially",
            "comment": "The act is not applied at the borders.",
            "assessed_on": "2025-01-15",
        },
    )
    assert response.status_code == 302
    assessment = kenya_trafficking.assessments.get()
    assert (assessment.assessor_kind, assessment.assessor_label) == (
        "civil_society",
        "Migrant Workers' Voice",
    )
    page = log_in(None).get(f"/rights/recommendations/{kenya_trafficking.pk}/").content.decode()
    # Two voices, both visible.
    assert "Act adopted." in page
    assert "The act is not applied at the borders." in page
    assert "Partially implemented" in page
    assert AuditEntry.objects.filter(action="assessment.add").count() == 1


def test_who_may_assess_and_with_which_grades(cast: Any, kenya_trafficking: Recommendation) -> None:
    for user in (cast.focal_point_kenya, cast.data_provider, cast.moderator):
        with pytest.raises(PermissionDenied):
            assessment_add(
                actor=user,
                recommendation=kenya_trafficking,
                grade="fully",
                comment="x",
                assessed_on=TODAY,
            )
    with pytest.raises(ValidationError) as error:
        assessment_add(
            actor=cast.migrant_org_member,
            recommendation=kenya_trafficking,
            grade="B",
            comment="x",
            assessed_on=TODAY,
        )
    assert error.value.message_dict == {
        "grade": ["This grade is not used for this kind of assessment."]
    }
    graded = assessment_add(
        actor=cast.reviewer,
        recommendation=kenya_trafficking,
        grade="B",
        comment="Follow-up: partially satisfactory.",
        assessed_on=TODAY,
        assessor_kind="treaty_body",
        assessor_label="CEDAW follow-up",
    )
    assert (graded.assessor_kind, graded.assessor_label, graded.organisation) == (
        "treaty_body",
        "CEDAW follow-up",
        None,
    )


def test_reviewers_confirm_and_reject_labels_and_decisions_are_exported(
    cast: Any, log_in: Any, kenya_trafficking: Recommendation
) -> None:
    label = kenya_trafficking.objective_labels.get()
    address = f"/rights/recommendations/{kenya_trafficking.pk}/labels/10/"
    assert log_in(cast.focal_point_kenya).post(address, {"decision": "rejected"}).status_code == 403
    client = log_in(cast.reviewer)
    assert client.post(address, {"decision": "rejected"}).status_code == 302
    label.refresh_from_db()
    assert (label.decision, label.decided_by) == ("rejected", cast.reviewer)
    assert label.decided_at is not None
    # Who decided is named to reviewers (and in the audit trail), not to the public.
    detail = f"/rights/recommendations/{kenya_trafficking.pk}/"
    assert "(rita, " in client.get(detail).content.decode()
    public = log_in(cast.migrant_org_member).get(detail).content.decode()
    assert "(by a reviewer, " in public
    assert "rita" not in public
    client = log_in(cast.reviewer)
    # A rejected label no longer counts: the recommendation is now unmapped.
    page = client.get("/rights/objectives/10/").content.decode()
    assert "0 recommendations." in page
    client.post(f"/rights/recommendations/{kenya_trafficking.pk}/labels/", {"objective": "7"})
    added = kenya_trafficking.objective_labels.get(objective=7)
    assert (added.provenance, added.decision) == ("person", "confirmed")
    export = client.get("/rights/labels/decisions.csv").content.decode()
    rows = list(csv.DictReader(io.StringIO(export)))
    assert [(r["objective"], r["decision"], r["provenance"]) for r in rows] == [
        ("7", "confirmed", "person"),
        ("10", "rejected", "official"),
    ]
    assert rows[0]["text"].startswith("Strengthen measures to combat trafficking")
    # The classifier's training reads the export as it is.
    decisions = read_label_decisions(io.BytesIO(export.encode()), file_name="decisions.csv")
    assert [(d.objective, d.confirmed) for d in decisions] == [(7, True), (10, False)]
    assert set(AuditEntry.objects.values_list("action", flat=True)) >= {
        "objective_label.rejected",
        "objective_label.add",
    }


def test_predictions_become_model_labels_and_never_override_people(
    cast: Any, kenya_trafficking: Recommendation
) -> None:
    others = Recommendation.objects.exclude(pk=kenya_trafficking.pk).order_by("pk")
    cmw, ratify = others
    official = kenya_trafficking.objective_labels.get()
    label_decide(actor=cast.reviewer, label=official, decision="rejected")
    result = predictions_apply(
        actor="system:tests",
        model_version="minilm-lr-1",
        predictions=[
            Prediction(kenya_trafficking.pk, True, 0.97, {10: 0.96}),
            Prediction(cmw.pk, True, 0.91, {13: 0.88, 15: 0.55}),
            Prediction(ratify.pk, True, 0.8, {}),
        ],
    )
    assert (result.labels_created, result.labels_updated) == (2, 0)
    official.refresh_from_db()
    assert (official.provenance, official.decision) == ("official", "rejected")
    detention = cmw.objective_labels.get(objective=13)
    assert (detention.provenance, detention.score, detention.model_version) == (
        "model",
        0.88,
        "minilm-lr-1",
    )
    label_decide(actor=cast.reviewer, label=detention, decision="confirmed")
    again = predictions_apply(
        actor="system:tests",
        model_version="minilm-lr-2",
        predictions=[Prediction(cmw.pk, True, 0.9, {})],
    )
    # The confirmed label stays; the unreviewed one the new version drops is withdrawn.
    assert again.labels_withdrawn == 1
    assert list(cmw.objective_labels.values_list("objective", "decision")) == [(13, "confirmed")]
    cmw.refresh_from_db()
    assert (cmw.migration_relevant, cmw.relevance_model) == (True, "minilm-lr-2")


def test_the_state_page_groups_by_objective_and_cluster_and_filters(
    cast: Any, client: Any, kenya_trafficking: Recommendation
) -> None:
    ratify = Recommendation.objects.get(source_key=UHRI_ANNOTATIONS[2]["AnnotationId"])
    cmw = Recommendation.objects.get(mechanism="CMW")
    clusters_assign(
        actor="system:tests",
        clusters={ratify.pk: 7, cmw.pk: 7, kenya_trafficking.pk: 8},
        method="t",
    )
    page = client.get("/rights/states/KEN/").content.decode()
    assert "Objective 10:" in page
    assert "Not mapped to an objective" in page
    assert "2 recommendations." in page
    noted = client.get("/rights/states/KEN/?position=noted").content.decode()
    assert "1 recommendation." in noted
    assert "Ratify the International Convention" in noted
    assert client.get("/rights/states/KEN/?position=maybe").status_code == 400
    detail = client.get(f"/rights/recommendations/{ratify.pk}/").content.decode()
    assert "The same ask elsewhere" in detail
    assert "end the detention of migrant children" in detail


def test_exports_follow_the_filters(client: Any, kenya_trafficking: Recommendation) -> None:
    response = client.get("/rights/states/KEN/recommendations.csv?position=supported")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["state"], r["mechanism"], r["position"], r["objectives"]) for r in rows] == [
        ("KEN", "UPR", "supported", "10:official")
    ]
    response = client.get("/rights/states/KEN/recommendations.xlsx")
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:3] == ("id", "state", "mechanism")
    assert len(values) == 3


def test_list_pages_take_a_fixed_number_of_queries(
    client: Any, django_assert_max_num_queries: Any, upr_info_csv: Path
) -> None:
    recommendations_import(actor="system:tests", path=upr_info_csv, file_format="upr-info-csv")
    with django_assert_max_num_queries(12):
        response = client.get("/rights/states/MEX/")
    assert response.status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/rights/objectives/10/").status_code == 200


def test_the_state_page_shows_the_first_clusters_of_each_objective(
    client: Any, upr_info_csv: Path
) -> None:
    recommendations_import(actor="system:tests", path=upr_info_csv, file_format="upr-info-csv")
    mexico = Recommendation.objects.filter(country="MEX")
    trafficking = mexico.filter(objective_labels__objective=10).count()
    unmapped = mexico.exclude(objective_labels__isnull=False).count()
    assert 0 < trafficking < 20 < unmapped
    page = client.get("/rights/states/MEX/").content.decode()
    # No clusters computed here: each recommendation is its own.
    assert page.count('<article class="recommendation"') == trafficking + 20
    assert f"All {unmapped} recommendations on this objective" in page
    everything = client.get("/rights/states/MEX/?objective=0").content.decode()
    assert everything.count('<article class="recommendation"') == unmapped
    assert "on this objective</a>" not in everything
