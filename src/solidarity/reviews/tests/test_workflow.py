"""Every action of a cycle: who may, when (the phases' deadlines) and the audit row each writes."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import formats, timezone

from conftest import make_user
from solidarity.accounts.models import Role
from solidarity.audit.models import AuditEntry
from solidarity.reference.models import Country, Objective
from solidarity.reviews import actions, selectors
from solidarity.reviews.actions import SectionText
from solidarity.reviews.models import (
    CyclePhase,
    FollowUpRecommendation,
    FollowUpStatus,
    Moderation,
    ReviewComment,
    ReviewCycle,
    StakeholderInput,
    StateReview,
)
from solidarity.reviews.tests.conftest import set_phase

pytestmark = pytest.mark.django_db

TEXT = SectionText(
    part="objective",
    objective=1,
    what_was_done=(
        "A national migration data strategy was adopted.\n\n"
        "Census questions on migration were added."
    ),
    measures="Budget line for the statistics office.",
    citations=[("indicator", "10.7.2")],
)


def last_audit(action: str) -> AuditEntry:
    entry = AuditEntry.objects.filter(action=action).first()
    assert entry is not None, action
    return entry


def audit_after(action: str) -> dict[str, Any]:
    after = last_audit(action).after
    assert isinstance(after, dict)
    return after


def shown(day: datetime.date | None) -> str:
    assert day is not None
    return formats.date_format(day, "DATE_FORMAT")


def draft(cast: Any, cycle: ReviewCycle, *, country: Country | None = None) -> StateReview:
    user = cast.focal_point_kenya if country in (None, cast.kenya) else cast.focal_point_mexico
    version = actions.review_save(
        actor=user,
        cycle=cycle,
        country=country or cast.kenya,
        sections=[TEXT, SectionText(part="gender", body="Women migrant workers first.")],
        note="First draft",
    )
    return version.review


def published(cast: Any, cycle: ReviewCycle) -> StateReview:
    review = draft(cast, cycle)
    actions.review_submit(actor=cast.focal_point_kenya, review=review)
    return actions.review_publish(actor=cast.reviewer, review=review)


# --- cycles --------------------------------------------------------------------------------


def test_the_secretariat_creates_opens_and_dates_a_cycle(cast: Any) -> None:
    cycle = actions.cycle_create(
        actor=cast.reviewer,
        code="rr-2028-ece",
        kind="regional",
        commission="ECE",
        year=2028,
        title="Regional review 2028-29 — ECE",
    )
    assert cycle.code == "RR-2028-ECE"
    assert cycle.phases.count() == 5
    assert last_audit("reviews.cycle_create").object_id == str(cycle.pk)
    actions.cycle_open(actor=cast.reviewer, cycle=cycle)
    cycle.refresh_from_db()
    assert cycle.is_open
    assert last_audit("reviews.cycle_open").actor == cast.reviewer
    today = timezone.localdate()
    phase = actions.phase_set(
        actor=cast.administrator,
        cycle=cycle,
        kind="state_reviews",
        starts_on=today,
        ends_on=today,
    )
    assert phase.edited_by == cast.administrator
    assert last_audit("reviews.phase_set").before == {
        "starts_on": None,
        "ends_on": None,
        "note": "",
    }
    assert audit_after("reviews.phase_set")["ends_on"] == today.isoformat()
    actions.cycle_states_set(actor=cast.reviewer, cycle=cycle, states=[cast.kenya])
    assert audit_after("reviews.cycle_states_set") == {"states": ["KEN"]}
    with pytest.raises(ValidationError) as error:
        actions.cycle_open(actor=cast.reviewer, cycle=cycle)
    assert error.value.messages == ["The cycle RR-2028-ECE is already open."]


@pytest.mark.parametrize(
    "role", ["focal_point_kenya", "data_provider", "migrant_org_member", "moderator"]
)
def test_only_the_secretariat_manages_cycles(cast: Any, cycle: ReviewCycle, role: str) -> None:
    user = cast.all_users()[role]
    with pytest.raises(PermissionDenied):
        actions.cycle_create(actor=user, code="X", kind="imrf", year=2030, title="X")
    with pytest.raises(PermissionDenied):
        actions.cycle_open(actor=user, cycle=cycle)
    with pytest.raises(PermissionDenied):
        actions.phase_set(actor=user, cycle=cycle, kind="forum", starts_on=None, ends_on=None)
    with pytest.raises(PermissionDenied):
        actions.cycle_states_set(actor=user, cycle=cycle, states=[])


def test_a_phase_cannot_end_before_it_starts(cast: Any, cycle: ReviewCycle) -> None:
    today = timezone.localdate()
    with pytest.raises(ValidationError) as error:
        actions.phase_set(
            actor=cast.reviewer,
            cycle=cycle,
            kind="forum",
            starts_on=today,
            ends_on=today - datetime.timedelta(days=1),
        )
    assert error.value.messages == ["A phase cannot end before it starts."]


# --- State reviews -------------------------------------------------------------------------


def test_a_focal_point_drafts_and_every_save_is_a_version(cast: Any, cycle: ReviewCycle) -> None:
    review = draft(cast, cycle)
    assert review.status == StateReview.Status.DRAFT
    assert audit_after("reviews.review_create") == {
        "version": 1,
        "sections": 2,
        "note": "First draft",
    }
    changed = SectionText(
        part="objective",
        objective=1,
        what_was_done="A national migration data strategy was adopted in 2029.",
        citations=[("indicator", "10.7.2"), ("indicator", "10.7.2")],
    )
    second = actions.review_save(
        actor=cast.focal_point_kenya, cycle=cycle, country=cast.kenya, sections=[changed]
    )
    assert second.number == 2
    assert audit_after("reviews.review_save")["version"] == 2
    first = review.versions.get(number=1)
    # Versions are snapshots: the first still holds its text.
    assert first.sections.get(part="gender").body == "Women migrant workers first."
    diff = selectors.version_diff(
        old=selectors.version_with_sections(pk=first.pk),
        new=selectors.version_with_sections(pk=second.pk),
    )
    changed_fields = {(d.section, d.field) for d in diff}
    assert ("objective-1", "what_was_done") in changed_fields
    assert ("gender", "body") in changed_fields
    assert ("objective-1", "citations") not in changed_fields  # cited once, as before


def test_a_focal_point_of_state_a_never_writes_state_b(cast: Any, cycle: ReviewCycle) -> None:
    with pytest.raises(PermissionDenied):
        actions.review_save(
            actor=cast.focal_point_mexico, cycle=cycle, country=cast.kenya, sections=[TEXT]
        )


@pytest.mark.parametrize(
    "role", ["migrant_org_member", "reviewer", "administrator", "moderator", "data_provider"]
)
def test_nobody_else_edits_a_states_text(cast: Any, cycle: ReviewCycle, role: str) -> None:
    review = draft(cast, cycle)
    with pytest.raises(PermissionDenied):
        actions.review_save(
            actor=cast.all_users()[role], cycle=cycle, country=cast.kenya, sections=[TEXT]
        )
    with pytest.raises(PermissionDenied):
        actions.review_submit(actor=cast.all_users()[role], review=review)


def test_citations_are_checked(cast: Any, cycle: ReviewCycle) -> None:
    bad = SectionText(part="summary", body="x", citations=[("indicator", "99.9.9")])
    with pytest.raises(ValidationError) as error:
        actions.review_save(
            actor=cast.focal_point_kenya, cycle=cycle, country=cast.kenya, sections=[bad]
        )
    assert error.value.messages == ["summary: no indicator has the code 99.9.9."]
    bad = SectionText(part="summary", body="x", citations=[("pledge", "12345")])
    with pytest.raises(ValidationError) as error:
        actions.review_save(
            actor=cast.focal_point_kenya, cycle=cycle, country=cast.kenya, sections=[bad]
        )
    assert error.value.messages == ["summary: there is no pledge number 12345 you can see."]


def test_a_state_outside_the_cycle_cannot_write(cast: Any, cycle: ReviewCycle) -> None:
    cycle.states.remove(cast.mexico)
    with pytest.raises(ValidationError) as error:
        draft(cast, cycle, country=cast.mexico)
    assert error.value.messages == ["Mexico does not take part in IMRF-2030."]


def test_submit_publish_and_return(cast: Any, cycle: ReviewCycle) -> None:
    review = draft(cast, cycle)
    actions.review_submit(actor=cast.focal_point_kenya, review=review)
    review.refresh_from_db()
    assert review.status == StateReview.Status.SUBMITTED
    assert audit_after("reviews.review_submit")["status"] == "submitted"
    # Submitted: the authors can no longer change it.
    with pytest.raises(ValidationError) as error:
        actions.review_save(
            actor=cast.focal_point_kenya, cycle=cycle, country=cast.kenya, sections=[TEXT]
        )
    assert error.value.messages == ["This review is submitted: it can no longer be changed."]
    with pytest.raises(ValidationError):
        actions.review_return(actor=cast.reviewer, review=review, reason=" ")
    actions.review_return(actor=cast.reviewer, review=review, reason="Objective 1 lacks data.")
    assert audit_after("reviews.review_return")["reason"] == "Objective 1 lacks data."
    actions.review_submit(actor=cast.focal_point_kenya, review=review)
    with pytest.raises(PermissionDenied):
        actions.review_publish(actor=cast.focal_point_kenya, review=review)
    with pytest.raises(PermissionDenied):
        actions.review_publish(actor=cast.moderator, review=review)
    actions.review_publish(actor=cast.reviewer, review=review)
    review.refresh_from_db()
    assert review.published_version_id == review.latest_version_id
    assert last_audit("reviews.review_publish").actor == cast.reviewer
    assert selectors.review_is_published(state=cast.kenya, cycle=cycle)


def test_submitting_after_the_deadline_is_refused_with_a_clear_message(
    cast: Any, cycle: ReviewCycle
) -> None:
    review = draft(cast, cycle)
    phase = set_phase(cycle, CyclePhase.Kind.STATE_REVIEWS, -20, -1)
    with pytest.raises(ValidationError) as error:
        actions.review_submit(actor=cast.focal_point_kenya, review=review)
    end = shown(phase.ends_on)
    assert error.value.messages == [
        "Submitting the review: the deadline has passed; the phase “State reviews due” of "
        f"IMRF-2030 closed on {end}."
    ]
    with pytest.raises(ValidationError) as error:
        draft(cast, cycle)
    assert error.value.messages == [
        f"The deadline for State reviews in IMRF-2030 was {end}: the review can no longer be "
        "changed."
    ]
    assert StateReview.objects.get(pk=review.pk).status == StateReview.Status.DRAFT


def test_submitting_before_the_phase_opens_or_without_dates(cast: Any, cycle: ReviewCycle) -> None:
    review = draft(cast, cycle)
    phase = set_phase(cycle, CyclePhase.Kind.STATE_REVIEWS, 2, 9)
    start = shown(phase.starts_on)
    with pytest.raises(ValidationError) as error:
        actions.review_submit(actor=cast.focal_point_kenya, review=review)
    assert error.value.messages == [
        f"Submitting the review: the phase “State reviews due” of IMRF-2030 opens on {start}."
    ]
    set_phase(cycle, CyclePhase.Kind.STATE_REVIEWS, None, None)
    with pytest.raises(ValidationError) as error:
        actions.review_submit(actor=cast.focal_point_kenya, review=review)
    assert error.value.messages == [
        "Submitting the review: the dates of the phase “State reviews due” of IMRF-2030 are "
        "not set yet."
    ]


def test_nothing_is_written_in_a_cycle_not_yet_opened(cast: Any, cycle: ReviewCycle) -> None:
    cycle.opened_at = None
    cycle.save()
    with pytest.raises(ValidationError) as error:
        draft(cast, cycle)
    assert error.value.messages == ["The cycle IMRF-2030 has not been opened by the secretariat."]
    with pytest.raises(ValidationError) as error:
        actions.stakeholder_input_submit(
            actor=cast.migrant_org_member,
            cycle=cycle,
            organisation=cast.migrant_org,
            country=cast.kenya,
            title="T",
            body="B",
        )
    assert error.value.messages == [
        "Submitting an input: the cycle IMRF-2030 has not been opened by the secretariat."
    ]


# --- who sees drafts -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("anonymous", None),
        ("focal_point_kenya", 1),
        ("focal_point_mexico", None),
        ("data_provider", None),
        ("migrant_org_member", None),
        ("moderator", None),
        ("reviewer", 1),
        ("administrator", 1),
    ],
)
def test_who_sees_a_draft(cast: Any, cycle: ReviewCycle, role: str, sees: int | None) -> None:
    draft(cast, cycle)
    user = None if role == "anonymous" else cast.all_users()[role]
    review = selectors.review_for_dossier(user=user, state=cast.kenya, cycle=cycle)
    shown = None if review is None or review.shown_version is None else review.shown_version.number
    assert shown == sees


def test_everybody_sees_the_published_version_and_the_authors_their_new_draft(
    cast: Any, cycle: ReviewCycle
) -> None:
    review = published(cast, cycle)
    # Returned and edited after publication? No: a published review is closed; a later draft
    # exists only if the secretariat publishes anew. The published version is what all read.
    for user in [None, *cast.all_users().values()]:
        seen = selectors.review_for_dossier(user=user, state=cast.kenya, cycle=cycle)
        assert seen is not None
        assert seen.shown_version is not None
        assert seen.shown_version.pk == review.published_version_id


def test_the_dossier_reads_a_review_in_a_bounded_number_of_queries(
    cast: Any, cycle: ReviewCycle, django_assert_num_queries: Any
) -> None:
    sections = [
        SectionText(
            part="objective",
            objective=n,
            what_was_done=f"Done {n}",
            citations=[("indicator", "10.7.2")],
        )
        for n in range(1, 24)
    ]
    actions.review_save(
        actor=cast.focal_point_kenya, cycle=cycle, country=cast.kenya, sections=sections
    )
    user = cast.focal_point_kenya
    from solidarity.accounts.permissions import role_assignments

    role_assignments(user)
    with django_assert_num_queries(4):
        review = selectors.review_for_dossier(user=user, state=cast.kenya, cycle=cycle)
        assert review is not None
        assert review.shown_version is not None
        assert sum(len(s.citations.all()) for s in review.shown_version.sections.all()) == 23


# --- comments ------------------------------------------------------------------------------


def test_comments_on_a_draft_by_co_authors_and_reviewers(cast: Any, cycle: ReviewCycle) -> None:
    review = draft(cast, cycle)
    version = review.versions.get()
    comment = actions.review_comment_add(
        actor=cast.reviewer,
        version=version,
        section_key="objective-1",
        field_name="what_was_done",
        paragraph=2,
        text="Which census?",
    )
    assert comment.kind == ReviewComment.Kind.DRAFT
    assert comment.moderation == Moderation.APPROVED
    assert audit_after("reviews.comment_add")["paragraph"] == 2
    for role in ("focal_point_mexico", "migrant_org_member", "moderator"):
        with pytest.raises(PermissionDenied):
            actions.review_comment_add(
                actor=cast.all_users()[role],
                version=version,
                section_key="objective-1",
                field_name="what_was_done",
                paragraph=1,
                text="x",
            )
    with pytest.raises(ValidationError) as error:
        actions.review_comment_add(
            actor=cast.focal_point_kenya,
            version=version,
            section_key="objective-1",
            field_name="what_was_done",
            paragraph=3,
            text="x",
        )
    assert error.value.messages == ["This paragraph is not in the review."]
    assert selectors.comments_for_version(user=cast.focal_point_mexico, version=version) == []
    assert selectors.comments_for_version(user=cast.focal_point_kenya, version=version) == [comment]


def test_stakeholders_comment_on_a_published_review_and_moderators_decide(
    cast: Any, cycle: ReviewCycle
) -> None:
    review = published(cast, cycle)
    version = review.versions.get()
    comment = actions.review_comment_add(
        actor=cast.migrant_org_member,
        version=version,
        section_key="objective-1",
        field_name="what_was_done",
        paragraph=1,
        text="The strategy ignores women.",
        organisation=cast.migrant_org,
    )
    assert comment.moderation == Moderation.PENDING
    # Pending: its organisation and moderators see it, the public does not.
    assert selectors.comments_for_version(user=None, version=version) == []
    assert selectors.comments_for_version(user=cast.migrant_org_member, version=version) == [
        comment
    ]
    assert selectors.moderation_queue().comments == [comment]
    with pytest.raises(PermissionDenied):
        actions.review_comment_moderate(actor=cast.reviewer, comment=comment, approve=True)
    with pytest.raises(ValidationError) as error:
        actions.review_comment_moderate(actor=cast.moderator, comment=comment, approve=False)
    assert error.value.messages == ["Give the reason for refusing it: its author sees it."]
    actions.review_comment_moderate(actor=cast.moderator, comment=comment, approve=True)
    assert audit_after("reviews.moderate") == {"moderation": "approved", "refusal_reason": ""}
    assert selectors.comments_for_version(user=None, version=version) == [comment]
    # A focal point never comments on the published text as a stakeholder.
    with pytest.raises(PermissionDenied):
        actions.review_comment_add(
            actor=cast.focal_point_kenya,
            version=version,
            section_key="objective-1",
            field_name="what_was_done",
            paragraph=1,
            text="x",
            organisation=cast.migrant_org,
        )


def test_commenting_after_the_stakeholder_deadline_is_refused(
    cast: Any, cycle: ReviewCycle
) -> None:
    review = published(cast, cycle)
    phase = set_phase(cycle, CyclePhase.Kind.STAKEHOLDER_INPUTS, -20, -1)
    end = shown(phase.ends_on)
    with pytest.raises(ValidationError) as error:
        actions.review_comment_add(
            actor=cast.migrant_org_member,
            version=review.versions.get(),
            section_key="gender",
            field_name="body",
            paragraph=1,
            text="x",
            organisation=cast.migrant_org,
        )
    assert error.value.messages == [
        "Commenting on the review: the deadline has passed; the phase “Stakeholder inputs "
        f"due” of IMRF-2030 closed on {end}."
    ]


# --- stakeholder inputs ----------------------------------------------------------------------


def test_an_organisation_submits_an_input_and_a_refusal_keeps_it(
    cast: Any, cycle: ReviewCycle
) -> None:
    item = actions.stakeholder_input_submit(
        actor=cast.migrant_org_member,
        cycle=cycle,
        organisation=cast.migrant_org,
        country=cast.kenya,
        objective=Objective.objects.get(number=6),
        title="Recruitment fees",
        body="Fees are still charged to workers.",
    )
    assert item.moderation == Moderation.PENDING
    assert cycle.organisations.filter(pk=cast.migrant_org.pk).exists()
    assert audit_after("reviews.input_submit")["title"] == "Recruitment fees"
    assert selectors.stakeholder_views_for_dossier(state=cast.kenya, cycle=cycle) == []
    actions.stakeholder_input_moderate(
        actor=cast.moderator, item=item, approve=False, reason="Names a private person."
    )
    item.refresh_from_db()
    assert item.moderation == Moderation.REFUSED
    assert item.refusal_reason == "Names a private person."
    # Refused, never removed: the organisation and moderators still see it, with the reason.
    assert list(selectors.stakeholder_input_list(user=cast.migrant_org_member)) == [item]
    assert list(selectors.stakeholder_input_list(user=cast.moderator)) == [item]
    assert list(selectors.stakeholder_input_list(user=None)) == []
    assert list(selectors.stakeholder_input_list(user=cast.focal_point_kenya)) == []
    assert selectors.moderation_queue().refused_inputs == [item]
    actions.stakeholder_input_moderate(actor=cast.administrator, item=item, approve=True)
    assert selectors.stakeholder_views_for_dossier(state=cast.kenya, cycle=cycle) == [item]


@pytest.mark.parametrize(
    "role", ["focal_point_kenya", "data_provider", "reviewer", "moderator", "administrator"]
)
def test_only_members_of_a_stakeholder_organisation_submit_inputs(
    cast: Any, cycle: ReviewCycle, role: str
) -> None:
    with pytest.raises(PermissionDenied):
        actions.stakeholder_input_submit(
            actor=cast.all_users()[role],
            cycle=cycle,
            organisation=cast.migrant_org,
            country=cast.kenya,
            title="T",
            body="B",
        )


def test_a_statistics_office_is_not_a_stakeholder(cast: Any, cycle: ReviewCycle) -> None:
    member = make_user("otieno", role=Role.MEMBER, organisation=cast.statistics_office)
    with pytest.raises(PermissionDenied):
        actions.stakeholder_input_submit(
            actor=member,
            cycle=cycle,
            organisation=cast.statistics_office,
            country=cast.kenya,
            title="T",
            body="B",
        )


def test_inputs_after_the_deadline_are_refused(cast: Any, cycle: ReviewCycle) -> None:
    phase = set_phase(cycle, CyclePhase.Kind.STAKEHOLDER_INPUTS, -20, -1)
    end = shown(phase.ends_on)
    with pytest.raises(ValidationError) as error:
        actions.stakeholder_input_submit(
            actor=cast.migrant_org_member,
            cycle=cycle,
            organisation=cast.migrant_org,
            country=cast.kenya,
            title="T",
            body="B",
        )
    assert error.value.messages == [
        "Submitting an input: the deadline has passed; the phase “Stakeholder inputs due” of "
        f"IMRF-2030 closed on {end}."
    ]
    assert not StakeholderInput.objects.exists()


def test_an_input_is_about_a_state_or_an_objective(cast: Any, cycle: ReviewCycle) -> None:
    with pytest.raises(ValidationError) as error:
        actions.stakeholder_input_submit(
            actor=cast.migrant_org_member,
            cycle=cycle,
            organisation=cast.migrant_org,
            title="T",
            body="B",
        )
    assert error.value.messages == ["Say which State or which objective the input is about."]


# --- follow-up -----------------------------------------------------------------------------


def test_follow_up_recommendations_and_their_dated_status(cast: Any, cycle: ReviewCycle) -> None:
    with pytest.raises(PermissionDenied):
        actions.follow_up_add(
            actor=cast.focal_point_kenya,
            cycle=cycle,
            country=cast.kenya,
            source="forum",
            text="x",
        )
    recommendation = actions.follow_up_add(
        actor=cast.reviewer,
        cycle=cycle,
        country=cast.kenya,
        source="forum",
        objective=Objective.objects.get(number=6),
        text="End recruitment fees charged to workers.",
    )
    assert audit_after("reviews.follow_up_add")["source"] == "forum"
    today = timezone.localdate()
    with pytest.raises(PermissionDenied):
        actions.follow_up_status_add(
            actor=cast.focal_point_mexico,
            recommendation=recommendation,
            status="planned",
            note="x",
            as_of=today,
        )
    with pytest.raises(ValidationError) as error:
        actions.follow_up_status_add(
            actor=cast.focal_point_kenya,
            recommendation=recommendation,
            status="planned",
            note="x",
            as_of=today + datetime.timedelta(days=1),
        )
    assert error.value.messages == ["A status cannot be dated in the future."]
    actions.follow_up_status_add(
        actor=cast.focal_point_kenya,
        recommendation=recommendation,
        status=FollowUpStatus.IN_PROGRESS,
        note="Bill in parliament.",
        as_of=today,
    )
    # An older update recorded later does not hide the newer one.
    actions.follow_up_status_add(
        actor=cast.focal_point_kenya,
        recommendation=recommendation,
        status=FollowUpStatus.PLANNED,
        note="Planned.",
        as_of=today - datetime.timedelta(days=90),
    )
    assert audit_after("reviews.follow_up_status_add")["status"] == "in_progress"
    (row,) = selectors.follow_up_for_dossier(state=cast.kenya, cycle=cycle)
    assert row.status == FollowUpStatus.IN_PROGRESS
    assert [u.status for u in row.status_history.all()] == ["in_progress", "planned"]
    assert FollowUpRecommendation.objects.count() == 1


# --- every role in every phase -------------------------------------------------------------

WINDOWS = {"not yet open": (2, 9), "open": (-5, 5), "closed": (-20, -1)}
ALL_ROLES = [
    "focal_point_kenya",
    "focal_point_mexico",
    "data_provider",
    "migrant_org_member",
    "moderator",
    "reviewer",
    "administrator",
]


@pytest.mark.parametrize("window", sorted(WINDOWS))
@pytest.mark.parametrize("role", ALL_ROLES)
def test_who_submits_a_review_in_each_phase(
    cast: Any, cycle: ReviewCycle, role: str, window: str
) -> None:
    review = draft(cast, cycle)
    set_phase(cycle, CyclePhase.Kind.STATE_REVIEWS, *WINDOWS[window])
    user = cast.all_users()[role]
    if role != "focal_point_kenya":
        with pytest.raises(PermissionDenied):
            actions.review_submit(actor=user, review=review)
    elif window != "open":
        with pytest.raises(ValidationError) as error:
            actions.review_submit(actor=user, review=review)
        assert error.value.messages[0].startswith("Submitting the review: ")
    else:
        actions.review_submit(actor=user, review=review)
    expected = "submitted" if (role, window) == ("focal_point_kenya", "open") else "draft"
    assert StateReview.objects.get(pk=review.pk).status == expected


@pytest.mark.parametrize("window", sorted(WINDOWS))
@pytest.mark.parametrize("role", ALL_ROLES)
def test_who_submits_an_input_in_each_phase(
    cast: Any, cycle: ReviewCycle, role: str, window: str
) -> None:
    set_phase(cycle, CyclePhase.Kind.STAKEHOLDER_INPUTS, *WINDOWS[window])
    user = cast.all_users()[role]

    def submit() -> StakeholderInput:
        return actions.stakeholder_input_submit(
            actor=user,
            cycle=cycle,
            organisation=cast.migrant_org,
            country=cast.kenya,
            title="Shadow report",
            body="Our assessment.",
        )

    if role != "migrant_org_member":
        with pytest.raises(PermissionDenied):
            submit()
    elif window != "open":
        with pytest.raises(ValidationError) as error:
            submit()
        assert error.value.messages[0].startswith("Submitting an input: ")
    else:
        submit()
    assert StakeholderInput.objects.exists() == ((role, window) == ("migrant_org_member", "open"))
