"""The reviews API on a real, open cycle: the same rules and messages as the pages."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from solidarity.api.tests.conftest import signed_in_client
from solidarity.reviews.models import CyclePhase, ReviewCycle, StateReview
from solidarity.reviews.tests.conftest import set_phase

pytestmark = pytest.mark.django_db

BASE = "/api/v1/reviews/cycles/IMRF-2030"
REVIEW = {
    "sections": [
        {
            "part": "objective",
            "objective": 6,
            "what_was_done": "Recruitment fees banned.\n\nInspections doubled.",
            "citations": [{"kind": "indicator", "reference": "10.7.2"}],
        },
        {"part": "child", "body": "No child is detained."},
    ],
    "note": "First draft",
}


def post(client: Client, path: str, data: Any = None) -> Any:
    return client.post(path, json.dumps(data or {}), content_type="application/json")


def test_a_review_from_draft_to_publication(cast: Any, cycle: ReviewCycle) -> None:
    amina = signed_in_client(cast.focal_point_kenya)
    response = post(amina, f"{BASE}/states/KEN/versions", REVIEW)
    assert response.status_code == 200, response.content
    assert response.json()["number"] == 1
    assert response.json()["sections"][0]["citations"] == [
        {"kind": "indicator", "reference": "10.7.2"}
    ]
    # Mexico's focal point, a stakeholder and the public see no draft.
    for client in (signed_in_client(cast.focal_point_mexico), Client()):
        assert client.get(f"{BASE}/states/KEN").status_code == 404
        assert client.get(f"{BASE}/states/KEN/versions/1").status_code == 404
    response = post(
        signed_in_client(cast.focal_point_mexico), f"{BASE}/states/KEN/versions", REVIEW
    )
    assert response.status_code == 403
    response = post(signed_in_client(cast.reviewer), f"{BASE}/states/KEN/versions", REVIEW)
    assert response.status_code == 403
    assert post(amina, f"{BASE}/states/KEN/submit").json()["status"] == "submitted"
    rita = signed_in_client(cast.reviewer)
    assert post(rita, f"{BASE}/states/KEN/publish").json()["status"] == "published"
    public = Client().get(f"{BASE}/states/KEN").json()
    assert public["version"]["sections"][1]["body"] == "No child is detained."
    # A stakeholder comments; the moderator approves.
    lucia = signed_in_client(cast.migrant_org_member)
    response = post(
        lucia,
        f"{BASE}/states/KEN/versions/1/comments",
        {
            "section": "objective-6",
            "field": "what_was_done",
            "paragraph": 2,
            "text": "Only in the capital.",
            "organisation": cast.migrant_org.pk,
        },
    )
    assert response.status_code == 200, response.content
    comment = response.json()
    assert comment["moderation"] == "pending"
    assert Client().get(f"{BASE}/states/KEN/versions/1/comments").json() == []
    moses = signed_in_client(cast.moderator)
    assert [c["id"] for c in moses.get("/api/v1/reviews/moderation").json()["comments"]] == [
        comment["id"]
    ]
    response = post(
        moses, f"/api/v1/reviews/comments/{comment['id']}/moderation", {"approve": True}
    )
    assert response.json()["moderation"] == "approved"
    assert len(Client().get(f"{BASE}/states/KEN/versions/1/comments").json()) == 1


def test_submitting_after_the_deadline_is_a_400_with_the_reason(
    cast: Any, cycle: ReviewCycle
) -> None:
    amina = signed_in_client(cast.focal_point_kenya)
    post(amina, f"{BASE}/states/KEN/versions", REVIEW)
    set_phase(cycle, CyclePhase.Kind.STATE_REVIEWS, -20, -1)
    response = post(amina, f"{BASE}/states/KEN/submit")
    assert response.status_code == 400
    assert response.json()["detail"].startswith(
        "Submitting the review: the deadline has passed; the phase “State reviews due” of "
        "IMRF-2030 closed on "
    )
    assert StateReview.objects.get().status == StateReview.Status.DRAFT


def test_inputs_moderation_and_follow_up(cast: Any, cycle: ReviewCycle) -> None:
    lucia = signed_in_client(cast.migrant_org_member)
    response = post(
        lucia,
        f"{BASE}/inputs",
        {"organisation": cast.migrant_org.pk, "state": "KEN", "title": "Shadow", "body": "Text"},
    )
    assert response.status_code == 200, response.content
    item = response.json()
    assert Client().get(f"{BASE}/inputs").json() == []
    assert [i["id"] for i in lucia.get(f"{BASE}/inputs").json()] == [item["id"]]
    moses = signed_in_client(cast.moderator)
    response = post(moses, f"/api/v1/reviews/inputs/{item['id']}/moderation", {"approve": False})
    assert response.status_code == 400
    assert response.json() == {"detail": "Give the reason for refusing it: its author sees it."}
    response = post(
        moses,
        f"/api/v1/reviews/inputs/{item['id']}/moderation",
        {"approve": False, "reason": "Duplicate."},
    )
    assert response.json()["refusal_reason"] == "Duplicate."
    assert lucia.get(f"{BASE}/inputs").json()[0]["moderation"] == "refused"
    # Follow-up.
    rita = signed_in_client(cast.reviewer)
    response = post(
        rita, f"{BASE}/states/KEN/follow-up", {"source": "forum", "objective": 6, "text": "Act."}
    )
    assert response.status_code == 200, response.content
    follow_up = response.json()["id"]
    response = post(
        signed_in_client(cast.focal_point_kenya),
        f"/api/v1/reviews/follow-up/{follow_up}/status",
        {"status": "completed", "note": "Done.", "as_of": "2024-01-01"},
    )
    assert response.json()["status"] == "completed"
    assert Client().get(f"{BASE}/follow-up?state=KEN").json()[0]["status_history"][0]["note"] == (
        "Done."
    )


def test_the_secretariat_manages_cycles(cast: Any) -> None:
    rita = signed_in_client(cast.reviewer)
    response = post(
        rita,
        "/api/v1/reviews/cycles",
        {
            "code": "RR-2028-ECE",
            "kind": "regional",
            "commission": "ECE",
            "year": 2028,
            "title": "Regional review 2028-29 — ECE",
        },
    )
    assert response.status_code == 200, response.content
    response = rita.put(
        "/api/v1/reviews/cycles/RR-2028-ECE/phases/forum",
        json.dumps({"starts_on": "2029-03-10", "ends_on": "2029-03-11"}),
        content_type="application/json",
    )
    assert response.json()["ends_on"] == "2029-03-11"
    response = rita.put(
        "/api/v1/reviews/cycles/RR-2028-ECE/states",
        json.dumps({"states": ["KEN", "XXX"]}),
        content_type="application/json",
    )
    assert response.json() == {"detail": "Unknown country codes: XXX."}
    assert post(rita, "/api/v1/reviews/cycles/RR-2028-ECE/open").json()["opened_at"]
    lucia = signed_in_client(cast.migrant_org_member)
    assert post(lucia, "/api/v1/reviews/cycles/RR-2028-ECE/open").status_code == 403
    cycles = Client().get("/api/v1/reviews/cycles").json()
    assert [c["code"] for c in cycles] == ["RR-2028-ECE"]
    assert [p["kind"] for p in cycles[0]["phases"]] == [
        "call_for_inputs",
        "state_reviews",
        "stakeholder_inputs",
        "forum",
        "follow_up",
    ]
