"""The review pages with a real, open cycle: who may open and do what, in every phase."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from solidarity.reviews.actions import SectionText, review_publish, review_save, review_submit
from solidarity.reviews.models import (
    CyclePhase,
    Moderation,
    ReviewComment,
    ReviewCycle,
    StakeholderInput,
    StateReview,
)
from solidarity.reviews.tests.conftest import set_phase

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "migrant_org_member",
    "focal_point_kenya",
    "focal_point_mexico",
    "data_provider",
    "moderator",
    "reviewer",
    "administrator",
]
DRAFT_READERS = {"focal_point_kenya", "reviewer", "administrator"}
DRAFT_TEXT = "Kenya adopted a labour migration policy."


def kenya_draft(cast: Any, cycle: ReviewCycle) -> StateReview:
    return review_save(
        actor=cast.focal_point_kenya,
        cycle=cycle,
        country=cast.kenya,
        sections=[SectionText(part="objective", objective=6, what_was_done=DRAFT_TEXT)],
    ).review


def client_for(log_in: Any, cast: Any, role: str) -> Any:
    return log_in(None if role == "anonymous" else cast.all_users()[role])


@pytest.mark.parametrize("role", ROLES)
def test_cycle_pages_are_public(cast: Any, cycle: ReviewCycle, log_in: Any, role: str) -> None:
    client = client_for(log_in, cast, role)
    page = client.get("/reviews/").content.decode()
    assert "IMRF-2030" in page
    page = client.get("/reviews/IMRF-2030/").content.decode()
    assert 'id="phase-state_reviews"' in page
    assert ("Open the cycle" in page) is False  # already open
    assert ('id="edit-phases"' in page) == (role in {"reviewer", "administrator"})
    assert ('id="write-review-KEN"' in page) == (role == "focal_point_kenya")
    assert ('id="new-input"' in page) == (role == "migrant_org_member")


@pytest.mark.parametrize("role", ROLES)
def test_a_draft_is_shown_only_to_those_entitled(
    cast: Any, cycle: ReviewCycle, log_in: Any, role: str
) -> None:
    kenya_draft(cast, cycle)
    response = client_for(log_in, cast, role).get("/reviews/IMRF-2030/states/KEN/")
    assert response.status_code == 200
    assert (DRAFT_TEXT in response.content.decode()) == (role in DRAFT_READERS)
    response = client_for(log_in, cast, role).get("/reviews/IMRF-2030/states/KEN/edit/")
    expected = 200 if role == "focal_point_kenya" else 302 if role == "anonymous" else 403
    assert response.status_code == expected


@pytest.mark.parametrize("role", ROLES)
def test_only_the_states_focal_points_save_its_text(
    cast: Any, cycle: ReviewCycle, log_in: Any, role: str
) -> None:
    response = client_for(log_in, cast, role).post(
        "/reviews/IMRF-2030/states/KEN/edit/",
        {"objective-6-what_was_done": "Text from someone", "summary-body": ""},
    )
    saved = StateReview.objects.filter(cycle=cycle, country=cast.kenya).exists()
    assert saved == (role == "focal_point_kenya")
    if role not in ("focal_point_kenya", "anonymous"):
        assert response.status_code == 403


def test_the_editor_saves_versions_and_shows_the_changes(
    cast: Any, cycle: ReviewCycle, log_in: Any
) -> None:
    client = log_in(cast.focal_point_kenya)
    data = {
        "objective-6-what_was_done": "First paragraph.\n\nSecond paragraph.",
        "objective-6-cite-indicator": "10.7.2",
        "gender-body": "Women first.",
        "note": "First draft",
    }
    response = client.post("/reviews/IMRF-2030/states/KEN/edit/", data, follow=True)
    assert "Version 1 is saved." in response.content.decode()
    data["objective-6-what_was_done"] = "First paragraph, revised.\n\nSecond paragraph."
    client.post("/reviews/IMRF-2030/states/KEN/edit/", data)
    page = client.get("/reviews/IMRF-2030/states/KEN/").content.decode()
    assert 'id="p-objective-6-what_was_done-2"' in page
    assert "/indicators/10.7.2/" in page  # the citation, rendered live
    diff = client.get("/reviews/IMRF-2030/states/KEN/changes/?from=1&to=2").content.decode()
    assert "+First paragraph, revised." in diff
    # A bad citation is refused with its message, and nothing is saved.
    data["objective-6-cite-indicator"] = "nope"
    response = client.post("/reviews/IMRF-2030/states/KEN/edit/", data)
    assert "objective-6: no indicator has the code nope." in response.content.decode()
    assert StateReview.objects.get(country=cast.kenya).versions.count() == 2
    # Mexico's focal point sees none of it.
    other = log_in(cast.focal_point_mexico)
    assert other.get("/reviews/IMRF-2030/states/KEN/changes/").status_code == 403


def test_submit_after_the_deadline_shows_the_message(
    cast: Any, cycle: ReviewCycle, log_in: Any
) -> None:
    kenya_draft(cast, cycle)
    set_phase(cycle, CyclePhase.Kind.STATE_REVIEWS, -20, -1)
    response = log_in(cast.focal_point_kenya).post(
        "/reviews/IMRF-2030/states/KEN/submit/", follow=True
    )
    assert "Submitting the review: the deadline has passed" in response.content.decode()
    assert StateReview.objects.get().status == StateReview.Status.DRAFT


def test_the_whole_cycle_through_the_pages(cast: Any, cycle: ReviewCycle, log_in: Any) -> None:
    kenya_draft(cast, cycle)
    client = log_in(cast.focal_point_kenya)
    response = client.post("/reviews/IMRF-2030/states/KEN/submit/", follow=True)
    assert "The review is submitted to the secretariat." in response.content.decode()
    # Only the secretariat publishes.
    assert log_in(cast.moderator).post("/reviews/IMRF-2030/states/KEN/publish/").status_code == 403
    client = log_in(cast.reviewer)
    response = client.post("/reviews/IMRF-2030/states/KEN/publish/", follow=True)
    assert "The review is published." in response.content.decode()
    # Now public, with comment forms for a stakeholder.
    client = log_in(cast.migrant_org_member)
    page = client.get("/reviews/IMRF-2030/states/KEN/").content.decode()
    assert DRAFT_TEXT in page
    assert "Comment on paragraph 1" in page
    response = client.post(
        "/reviews/IMRF-2030/states/KEN/versions/1/comments/",
        {
            "section_key": "objective-6",
            "field": "what_was_done",
            "paragraph": 1,
            "text": "Domestic workers are left out.",
            "organisation": cast.migrant_org.pk,
        },
        follow=True,
    )
    assert "a moderator will review it" in response.content.decode()
    comment = ReviewComment.objects.get()
    assert (
        "Domestic workers are left out."
        not in Client().get("/reviews/IMRF-2030/states/KEN/").content.decode()
    )
    response = client.post(
        "/reviews/IMRF-2030/inputs/new/",
        {
            "organisation": cast.migrant_org.pk,
            "country": "KEN",
            "title": "Shadow report",
            "body": "Our assessment.",
        },
    )
    item = StakeholderInput.objects.get()
    assert response.status_code == 302
    # The moderator approves the comment and refuses the input, with a reason.
    client = log_in(cast.moderator)
    page = client.get("/reviews/moderation/").content.decode()
    assert "Shadow report" in page
    assert "Domestic workers are left out." in page
    client.post(f"/reviews/moderation/comments/{comment.pk}/", {"decision": "approve"})
    response = client.post(
        f"/reviews/moderation/inputs/{item.pk}/", {"decision": "refuse"}, follow=True
    )
    assert "Give the reason for refusing it: its author sees it." in response.content.decode()
    client.post(
        f"/reviews/moderation/inputs/{item.pk}/",
        {"decision": "refuse", "reason": "Off topic."},
    )
    item.refresh_from_db()
    comment.refresh_from_db()
    assert (comment.moderation, item.moderation) == (Moderation.APPROVED, Moderation.REFUSED)
    assert (
        "Domestic workers are left out."
        in Client().get("/reviews/IMRF-2030/states/KEN/").content.decode()
    )
    # The refused input stays visible to its organisation, with the reason; not to others.
    page = log_in(cast.migrant_org_member).get(f"/reviews/inputs/{item.pk}/").content.decode()
    assert "Off topic." in page
    assert Client().get(f"/reviews/inputs/{item.pk}/").status_code == 404
    # Follow-up: the secretariat records, the focal point updates.
    client = log_in(cast.reviewer)
    client.post(
        "/reviews/IMRF-2030/states/KEN/follow-up/new/",
        {"source": "forum", "objective": 6, "text": "Include domestic workers."},
    )
    recommendation = cycle.follow_up_recommendations.get()
    assert (
        log_in(cast.focal_point_mexico)
        .get(f"/reviews/follow-up/{recommendation.pk}/status/")
        .status_code
        == 403
    )
    client = log_in(cast.focal_point_kenya)
    client.post(
        f"/reviews/follow-up/{recommendation.pk}/status/",
        {"status": "in_progress", "note": "Bill drafted.", "as_of": "2020-01-01"},
    )
    recommendation.refresh_from_db()
    assert recommendation.status == "in_progress"
    history = Client().get("/reviews/states/KEN/").content.decode()
    assert "IMRF-2030" in history
    page = Client().get("/reviews/states/KEN/compare/?left=IMRF-2030&right=IMRF-2030")
    assert DRAFT_TEXT in page.content.decode()


def test_the_secretariat_opens_a_cycle_and_sets_its_phases(cast: Any, log_in: Any) -> None:
    client = log_in(cast.reviewer)
    response = client.post(
        "/reviews/new/",
        {
            "code": "RR-2028-ECA",
            "kind": "regional",
            "commission": "ECA",
            "year": 2028,
            "title": "Regional review 2028-29 — Africa",
        },
    )
    assert response["Location"] == "/reviews/RR-2028-ECA/phases/"
    response = client.post(
        "/reviews/RR-2028-ECA/phases/",
        {"state_reviews-starts_on": "2028-01-01", "state_reviews-ends_on": "2027-01-01"},
    )
    assert "A phase cannot end before it starts." in response.content.decode()
    client.post(
        "/reviews/RR-2028-ECA/phases/",
        {"state_reviews-starts_on": "2028-01-01", "state_reviews-ends_on": "2028-03-01"},
    )
    cycle = ReviewCycle.objects.get(code="RR-2028-ECA")
    phase = cycle.phase("state_reviews")
    assert phase is not None
    assert str(phase.ends_on) == "2028-03-01"
    client.post("/reviews/RR-2028-ECA/open/")
    cycle.refresh_from_db()
    assert cycle.is_open
    client.post("/reviews/RR-2028-ECA/participants/", {"states": "KEN, mex"})
    assert set(cycle.states.values_list("iso3", flat=True)) == {"KEN", "MEX"}
    response = client.post("/reviews/RR-2028-ECA/participants/", {"states": "KEN XXX"})
    assert "Unknown country codes: XXX." in response.content.decode()


def test_published_review_is_public_and_unpublished_says_so(
    cast: Any, cycle: ReviewCycle, log_in: Any
) -> None:
    review = kenya_draft(cast, cycle)
    page = Client().get("/reviews/IMRF-2030/states/KEN/").content.decode()
    assert "has not been published in this cycle" in page
    review_submit(actor=cast.focal_point_kenya, review=review)
    review_publish(actor=cast.reviewer, review=review)
    page = Client().get("/reviews/IMRF-2030/states/KEN/").content.decode()
    assert DRAFT_TEXT in page
    assert "Comment on paragraph" not in page


def test_the_cycle_list_answers_in_a_fixed_number_of_queries(
    cast: Any, cycle: ReviewCycle, django_assert_max_num_queries: Any
) -> None:
    from solidarity.reviews.loaders import cycles_load

    cycles_load(actor="system:tests")
    client = Client()
    client.get("/reviews/")  # warm the session and translation caches
    with django_assert_max_num_queries(2):
        response = client.get("/reviews/")
    assert response.content.decode().count('<th scope="row">') == 13


def test_a_full_review_page_answers_in_a_bounded_number_of_queries(
    cast: Any, cycle: ReviewCycle, django_assert_max_num_queries: Any
) -> None:
    sections = [
        SectionText(
            part="objective",
            objective=n,
            what_was_done=f"Done {n}.\n\nMore {n}.",
            challenges=f"Hard {n}.",
            citations=[("indicator", "10.7.2")],
        )
        for n in range(1, 24)
    ]
    review = review_save(
        actor=cast.focal_point_kenya, cycle=cycle, country=cast.kenya, sections=sections
    ).review
    review_submit(actor=cast.focal_point_kenya, review=review)
    review_publish(actor=cast.reviewer, review=review)
    client = Client()
    client.get("/reviews/IMRF-2030/states/KEN/")
    with django_assert_max_num_queries(14):
        response = client.get("/reviews/IMRF-2030/states/KEN/")
    assert response.content.decode().count('class="paragraph"') == 23 * 3
