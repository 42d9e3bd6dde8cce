"""Review cycles over the JSON API: cycles and their phases, State reviews and their versions,
comments, stakeholder inputs, moderation and follow-up — through the same selectors and actions
as the pages, so the same rules and the same messages apply. Reading what is public needs no
sign-in; every write needs a session sign-in with the rights the pages ask for.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.security import django_auth

from solidarity.accounts.models import Organisation, User
from solidarity.accounts.selectors import organisation_get
from solidarity.api.schemas import Problem
from solidarity.reference import selectors as reference
from solidarity.reference.models import Country, Objective
from solidarity.reviews import actions, selectors
from solidarity.reviews.models import (
    CyclePhase,
    FollowUpRecommendation,
    FollowUpStatusUpdate,
    ReviewCitation,
    ReviewComment,
    ReviewCycle,
    ReviewSection,
    StakeholderInput,
    StateReview,
    StateReviewVersion,
)
from solidarity.reviews.permissions import can_moderate_reviews, stakeholder_organisations

router = Router(tags=["Reviews"])

ERRORS: dict[int, Any] = {400: Problem, 401: Problem, 403: Problem, 404: Problem}


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _cycle(code: str) -> ReviewCycle:
    try:
        return selectors.cycle_get(code=code)
    except ReviewCycle.DoesNotExist:
        raise HttpError(404, f"No review cycle {code!r}.") from None


def _country(iso3: str) -> Country:
    try:
        return reference.country_get(iso3=iso3)
    except Country.DoesNotExist:
        raise HttpError(404, f"No country or area {iso3!r}.") from None


def _objective(number: int | None) -> Objective | None:
    if number is None:
        return None
    try:
        return reference.objective_get(number=number)
    except Objective.DoesNotExist:
        raise HttpError(
            400, f"Unknown GCM objective: {number}; objectives run from 1 to 23."
        ) from None


def _review(cycle: ReviewCycle, country: Country) -> StateReview:
    review = selectors.review_get(cycle=cycle, state=country)
    if review is None:
        raise HttpError(404, f"{country.iso3} has no review in {cycle.code}.")
    return review


def _act(call: Any, forbidden: str) -> Any:
    """Run an action; its refusals become 403 (with ``forbidden``) or 400 (with its message)."""
    try:
        return call()
    except PermissionDenied:
        raise HttpError(403, forbidden) from None
    except ValidationError as error:
        raise HttpError(400, "; ".join(error.messages)) from None


# ---------------------------------------------------------------------------------------------
# Schemas


class PhaseOut(Schema):
    kind: str = Field(
        description="call_for_inputs, state_reviews, stakeholder_inputs, forum or follow_up."
    )
    starts_on: datetime.date | None = Field(description="Empty when no source gives it.")
    ends_on: datetime.date | None
    open_today: bool = Field(description="Whether the phase is open today.")
    note: str
    source: str

    @staticmethod
    def resolve_open_today(obj: CyclePhase) -> bool:
        return obj.cycle.is_open and obj.is_open_on(timezone.localdate())


class CycleOut(Schema):
    code: str
    kind: str = Field(description="imrf or regional.")
    commission: str = Field(description="ECA, ECE, ECLAC, ESCAP or ESCWA (regional reviews).")
    title: str
    year: int
    description: str
    source: str
    opened_at: datetime.datetime | None = Field(description="When the secretariat opened it.")
    phases: list[PhaseOut]

    @staticmethod
    def resolve_phases(obj: ReviewCycle) -> list[CyclePhase]:
        return selectors.cycle_phases(cycle=obj)


class CycleDetailOut(CycleOut):
    states: list[str] = Field(description="ISO3 codes of the participating States.")
    organisations: list[str] = Field(description="Stakeholder organisations that took part.")

    @staticmethod
    def resolve_states(obj: ReviewCycle) -> list[str]:
        return list(obj.states.order_by("iso3").values_list("iso3", flat=True))

    @staticmethod
    def resolve_organisations(obj: ReviewCycle) -> list[str]:
        return list(obj.organisations.order_by("name").values_list("name", flat=True))


class CycleIn(Schema):
    code: str = Field(description="Such as IMRF-2030 or RR-2028-ECE.")
    kind: ReviewCycle.Kind
    commission: str = Field("", description="For a regional review: ECA, ECE, ECLAC, ESCAP, ESCWA.")
    year: int
    title: str
    description: str = ""


class PhaseIn(Schema):
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None
    note: str = ""


class StatesIn(Schema):
    states: list[str] = Field(description="ISO3 codes of the participating States.")


class CitationOut(Schema):
    kind: str = Field(description="indicator, pledge or recommendation.")
    reference: str = Field(description="An indicator's code, a pledge's or recommendation's id.")


class SectionOut(Schema):
    part: str = Field(
        description="summary, objective, principles, gender, child or age (older persons)."
    )
    objective: int | None
    what_was_done: str
    measures: str
    challenges: str
    support_needed: str
    partnerships: str
    body: str = Field(description="The text of a part that is not an objective.")
    citations: list[CitationOut]

    @staticmethod
    def resolve_objective(obj: ReviewSection) -> int | None:
        return obj.objective_id

    @staticmethod
    def resolve_citations(obj: ReviewSection) -> list[ReviewCitation]:
        return list(obj.citations.all())


class VersionOut(Schema):
    number: int
    note: str
    created_at: datetime.datetime
    published: bool = Field(description="Whether this is the published version.")

    @staticmethod
    def resolve_published(obj: StateReviewVersion) -> bool:
        return obj.review.published_version_id == obj.pk


class VersionDetailOut(VersionOut):
    sections: list[SectionOut]


class ReviewOut(Schema):
    cycle: str
    state: str
    status: str = Field(description="draft, submitted or published.")
    submitted_at: datetime.datetime | None
    published_at: datetime.datetime | None
    version: VersionDetailOut | None = Field(
        description="The version shown: published for everyone, the latest for those entitled."
    )

    @staticmethod
    def resolve_cycle(obj: StateReview) -> str:
        return obj.cycle.code

    @staticmethod
    def resolve_state(obj: StateReview) -> str:
        return obj.country_id

    @staticmethod
    def resolve_version(obj: StateReview) -> StateReviewVersion | None:
        return obj.shown_version


class CitationIn(Schema):
    kind: ReviewCitation.Kind
    reference: str


class SectionIn(Schema):
    part: ReviewSection.Part
    objective: int | None = Field(None, description="For an objective's part: 1 to 23.")
    what_was_done: str = ""
    measures: str = ""
    challenges: str = ""
    support_needed: str = ""
    partnerships: str = ""
    body: str = ""
    citations: list[CitationIn] = []


class ReviewIn(Schema):
    sections: list[SectionIn] = Field(description="Every part written; empty ones are left out.")
    note: str = Field("", description="What changed in this version.")


class ReasonIn(Schema):
    reason: str


class CommentOut(Schema):
    id: int
    kind: str = Field(description="draft (internal) or stakeholder (moderated).")
    section: str = Field(description="objective-N, summary, principles, gender, child or age.")
    field: str
    paragraph: int
    text: str
    organisation: str | None
    moderation: str = Field(description="pending, approved or refused.")
    refusal_reason: str
    created_at: datetime.datetime

    @staticmethod
    def resolve_section(obj: ReviewComment) -> str:
        return obj.section_key

    @staticmethod
    def resolve_organisation(obj: ReviewComment) -> str | None:
        return obj.organisation.name if obj.organisation else None


class CommentIn(Schema):
    section: str
    field: str = Field(description="what_was_done, measures, … or body.")
    paragraph: int = Field(description="Paragraphs are separated by blank lines; the first is 1.")
    text: str
    organisation: int | None = Field(
        None, description="On a published review: the organisation commenting (its id)."
    )


class InputOut(Schema):
    id: int
    cycle: str
    organisation: str
    organisation_kind: str
    state: str | None
    objective: int | None
    title: str
    body: str
    submitted_at: datetime.datetime
    moderation: str = Field(description="pending, approved or refused.")
    refusal_reason: str

    @staticmethod
    def resolve_cycle(obj: StakeholderInput) -> str:
        return obj.cycle.code

    @staticmethod
    def resolve_organisation(obj: StakeholderInput) -> str:
        return obj.organisation.name

    @staticmethod
    def resolve_organisation_kind(obj: StakeholderInput) -> str:
        return obj.organisation.kind

    @staticmethod
    def resolve_state(obj: StakeholderInput) -> str | None:
        return obj.country_id

    @staticmethod
    def resolve_objective(obj: StakeholderInput) -> int | None:
        return obj.objective_id


class InputIn(Schema):
    organisation: int = Field(description="The id of the organisation it speaks for.")
    state: str | None = Field(None, description="ISO3 code of the State assessed.")
    objective: int | None = Field(None, description="The objective assessed, 1 to 23.")
    title: str
    body: str


class ModerationIn(Schema):
    approve: bool
    reason: str = Field("", description="Required to refuse; the author sees it.")


class ModerationQueueOut(Schema):
    inputs: list[InputOut]
    comments: list[CommentOut]


class StatusUpdateOut(Schema):
    status: str
    note: str
    evidence_url: str
    as_of: datetime.date
    recorded_at: datetime.datetime


class FollowUpOut(Schema):
    id: int
    cycle: str
    state: str
    objective: int | None
    source: str = Field(description="forum or review.")
    text: str
    status: str = Field(description="not_started, planned, in_progress or completed (latest).")
    status_history: list[StatusUpdateOut]

    @staticmethod
    def resolve_cycle(obj: FollowUpRecommendation) -> str:
        return obj.cycle.code

    @staticmethod
    def resolve_state(obj: FollowUpRecommendation) -> str:
        return obj.country_id

    @staticmethod
    def resolve_objective(obj: FollowUpRecommendation) -> int | None:
        return obj.objective_id

    @staticmethod
    def resolve_status_history(obj: FollowUpRecommendation) -> list[FollowUpStatusUpdate]:
        return list(obj.status_history.all())


class FollowUpIn(Schema):
    source: FollowUpRecommendation.Source
    objective: int | None = None
    text: str


class StatusUpdateIn(Schema):
    status: str = Field(description="not_started, planned, in_progress or completed.")
    note: str
    as_of: datetime.date
    evidence_url: str = ""


# ---------------------------------------------------------------------------------------------
# Cycles


@router.get(
    "/reviews/cycles",
    response=list[CycleOut],
    summary="List the review cycles",
    description="IMRFs and regional reviews, newest first, with their phases and what is open.",
)
def reviews_cycle_list(request: HttpRequest) -> list[ReviewCycle]:
    return list(selectors.cycle_list())


@router.post(
    "/reviews/cycles",
    auth=django_auth,
    response={200: CycleDetailOut, **ERRORS},
    summary="Create a review cycle",
    description="The secretariat (reviewers) and administrators; its five phases start undated.",
)
def reviews_cycle_create(request: HttpRequest, payload: CycleIn) -> ReviewCycle:
    cycle = _act(
        lambda: actions.cycle_create(actor=_user(request), **payload.dict()),
        "Only the secretariat creates cycles.",
    )
    return selectors.cycle_get(code=cycle.code)


@router.get(
    "/reviews/cycles/{cycle_code}",
    response={200: CycleDetailOut, 404: Problem},
    summary="Get a review cycle",
    description="With its phases, participating States and stakeholder organisations.",
)
def reviews_cycle_detail(request: HttpRequest, cycle_code: str) -> ReviewCycle:
    return _cycle(cycle_code)


@router.post(
    "/reviews/cycles/{cycle_code}/open",
    auth=django_auth,
    response={200: CycleDetailOut, **ERRORS},
    summary="Open a review cycle",
    description="The secretariat opens a cycle; from then on its phases' dates decide what is "
    "open.",
)
def reviews_cycle_open(request: HttpRequest, cycle_code: str) -> ReviewCycle:
    cycle = _cycle(cycle_code)
    _act(
        lambda: actions.cycle_open(actor=_user(request), cycle=cycle),
        "Only the secretariat opens cycles.",
    )
    return selectors.cycle_get(code=cycle.code)


@router.put(
    "/reviews/cycles/{cycle_code}/phases/{phase}",
    auth=django_auth,
    response={200: PhaseOut, **ERRORS},
    summary="Set a phase's dates",
    description="The secretariat sets or corrects a phase's dates (inclusive) and note; the "
    "shipped file then leaves them alone. Audited.",
)
def reviews_phase_set(
    request: HttpRequest, cycle_code: str, phase: str, payload: PhaseIn
) -> CyclePhase:
    cycle = _cycle(cycle_code)
    return _act(  # type: ignore[no-any-return]
        lambda: actions.phase_set(actor=_user(request), cycle=cycle, kind=phase, **payload.dict()),
        "Only the secretariat sets phases.",
    )


@router.put(
    "/reviews/cycles/{cycle_code}/states",
    auth=django_auth,
    response={200: CycleDetailOut, **ERRORS},
    summary="Set the participating States",
    description="The secretariat sets which States take part (their focal points may write).",
)
def reviews_cycle_states(request: HttpRequest, cycle_code: str, payload: StatesIn) -> ReviewCycle:
    cycle = _cycle(cycle_code)
    codes = [code.upper() for code in payload.states]
    states = list(reference.country_list().filter(iso3__in=codes))
    unknown = sorted(set(codes) - {state.iso3 for state in states})
    if unknown:
        raise HttpError(400, f"Unknown country codes: {', '.join(unknown)}.")
    _act(
        lambda: actions.cycle_states_set(actor=_user(request), cycle=cycle, states=states),
        "Only the secretariat sets participants.",
    )
    return selectors.cycle_get(code=cycle.code)


# ---------------------------------------------------------------------------------------------
# State reviews


@router.get(
    "/reviews/cycles/{cycle_code}/states/{iso3}",
    response={200: ReviewOut, 404: Problem},
    summary="Get a State's review",
    description="The published version for everyone; the latest draft for the State's focal "
    "points, reviewers and administrators. 404 when there is nothing the caller may see.",
)
def reviews_review_detail(request: HttpRequest, cycle_code: str, iso3: str) -> StateReview:
    cycle, country = _cycle(cycle_code), _country(iso3)
    review = selectors.review_for_dossier(user=request.user, state=country, cycle=cycle)
    if review is None:
        raise HttpError(404, f"No review of {country.iso3} in {cycle.code} to show.")
    return review


@router.get(
    "/reviews/cycles/{cycle_code}/states/{iso3}/versions",
    response={200: list[VersionOut], 404: Problem},
    summary="List a State review's versions",
    description="Newest first: every version for those entitled to drafts, the published one "
    "for everyone else.",
)
def reviews_version_list(
    request: HttpRequest, cycle_code: str, iso3: str
) -> list[StateReviewVersion]:
    review = _review(_cycle(cycle_code), _country(iso3))
    return selectors.review_versions(user=request.user, review=review)


@router.get(
    "/reviews/cycles/{cycle_code}/states/{iso3}/versions/{version_number}",
    response={200: VersionDetailOut, 404: Problem},
    summary="Get a version of a State review",
    description="With its sections and citations; a draft only for those entitled to it.",
)
def reviews_version_detail(
    request: HttpRequest, cycle_code: str, iso3: str, version_number: int
) -> StateReviewVersion:
    review = _review(_cycle(cycle_code), _country(iso3))
    try:
        return selectors.version_get(user=request.user, review=review, number=version_number)
    except StateReviewVersion.DoesNotExist:
        raise HttpError(404, f"No version {version_number} to show.") from None


@router.post(
    "/reviews/cycles/{cycle_code}/states/{iso3}/versions",
    auth=django_auth,
    response={200: VersionDetailOut, **ERRORS},
    summary="Save a new version of a State review",
    description="The State's focal points only, from the cycle's opening until the State "
    "reviews' deadline, while the review is a draft. Every save is a new version.",
)
def reviews_review_save(
    request: HttpRequest, cycle_code: str, iso3: str, payload: ReviewIn
) -> StateReviewVersion:
    cycle, country = _cycle(cycle_code), _country(iso3)
    sections = [
        actions.SectionText(
            part=s.part,
            objective=s.objective,
            what_was_done=s.what_was_done,
            measures=s.measures,
            challenges=s.challenges,
            support_needed=s.support_needed,
            partnerships=s.partnerships,
            body=s.body,
            citations=[(c.kind, c.reference) for c in s.citations],
        )
        for s in payload.sections
    ]
    version = _act(
        lambda: actions.review_save(
            actor=_user(request), cycle=cycle, country=country, sections=sections, note=payload.note
        ),
        "Only the State's focal points write its review.",
    )
    return selectors.version_with_sections(pk=version.pk)


def _review_action(request: HttpRequest, cycle_code: str, iso3: str, action: Any, who: str) -> Any:
    cycle, country = _cycle(cycle_code), _country(iso3)
    review = _review(cycle, country)
    _act(lambda: action(review), who)
    shown = selectors.review_for_dossier(user=request.user, state=country, cycle=cycle)
    return shown


@router.post(
    "/reviews/cycles/{cycle_code}/states/{iso3}/submit",
    auth=django_auth,
    response={200: ReviewOut, **ERRORS},
    summary="Submit a State review",
    description="The State's focal points, only while the phase “State reviews due” is open; "
    "after the deadline the answer is 400 with the reason.",
)
def reviews_review_submit(request: HttpRequest, cycle_code: str, iso3: str) -> Any:
    return _review_action(
        request,
        cycle_code,
        iso3,
        lambda review: actions.review_submit(actor=_user(request), review=review),
        "Only the State's focal points submit its review.",
    )


@router.post(
    "/reviews/cycles/{cycle_code}/states/{iso3}/publish",
    auth=django_auth,
    response={200: ReviewOut, **ERRORS},
    summary="Publish a State review",
    description="The secretariat publishes the submitted version: everyone can then read it.",
)
def reviews_review_publish(request: HttpRequest, cycle_code: str, iso3: str) -> Any:
    return _review_action(
        request,
        cycle_code,
        iso3,
        lambda review: actions.review_publish(actor=_user(request), review=review),
        "Only the secretariat publishes reviews.",
    )


@router.post(
    "/reviews/cycles/{cycle_code}/states/{iso3}/return",
    auth=django_auth,
    response={200: ReviewOut, **ERRORS},
    summary="Return a State review to its authors",
    description="The secretariat sends a submitted review back to draft, with a reason.",
)
def reviews_review_return(
    request: HttpRequest, cycle_code: str, iso3: str, payload: ReasonIn
) -> Any:
    return _review_action(
        request,
        cycle_code,
        iso3,
        lambda review: actions.review_return(
            actor=_user(request), review=review, reason=payload.reason
        ),
        "Only the secretariat returns reviews.",
    )


def _version(request: HttpRequest, cycle_code: str, iso3: str, number: int) -> StateReviewVersion:
    review = _review(_cycle(cycle_code), _country(iso3))
    try:
        version = selectors.version_get(user=request.user, review=review, number=number)
    except StateReviewVersion.DoesNotExist:
        raise HttpError(404, f"No version {number} to show.") from None
    return version


@router.get(
    "/reviews/cycles/{cycle_code}/states/{iso3}/versions/{version_number}/comments",
    response={200: list[CommentOut], 404: Problem},
    summary="List the comments on a version",
    description="Approved stakeholder comments for everyone; comments on drafts for those "
    "entitled; pending and refused ones for their organisation and moderators.",
)
def reviews_comment_list(
    request: HttpRequest, cycle_code: str, iso3: str, version_number: int
) -> list[ReviewComment]:
    version = _version(request, cycle_code, iso3, version_number)
    return selectors.comments_for_version(user=request.user, version=version)


@router.post(
    "/reviews/cycles/{cycle_code}/states/{iso3}/versions/{version_number}/comments",
    auth=django_auth,
    response={200: CommentOut, **ERRORS},
    summary="Comment on a paragraph",
    description="On a draft: the State's focal points and reviewers. On the published version: "
    "members of a stakeholder organisation, in its name, while stakeholder inputs are open; "
    "the comment waits for a moderator.",
)
def reviews_comment_create(
    request: HttpRequest, cycle_code: str, iso3: str, version_number: int, payload: CommentIn
) -> ReviewComment:
    version = _version(request, cycle_code, iso3, version_number)
    organisation: Organisation | None = None
    if payload.organisation is not None:
        organisation = next(
            (o for o in stakeholder_organisations(request.user) if o.pk == payload.organisation),
            None,
        )
        if organisation is None:
            raise HttpError(403, "You do not speak for this organisation.")
    return _act(  # type: ignore[no-any-return]
        lambda: actions.review_comment_add(
            actor=_user(request),
            version=version,
            section_key=payload.section,
            field_name=payload.field,
            paragraph=payload.paragraph,
            text=payload.text,
            organisation=organisation,
        ),
        "You may not comment on this version.",
    )


@router.get(
    "/reviews/states/{iso3}/history",
    response={200: list[CycleOut], 404: Problem},
    summary="List the cycles of a State's reviews",
    description="Every cycle the State took part in or wrote a review in, newest first.",
)
def reviews_state_history(request: HttpRequest, iso3: str) -> list[ReviewCycle]:
    country = _country(iso3)
    return [
        cycle for cycle, _review in selectors.reviews_of_state(user=request.user, state=country)
    ]


# ---------------------------------------------------------------------------------------------
# Stakeholder inputs and moderation


@router.get(
    "/reviews/cycles/{cycle_code}/inputs",
    response={200: list[InputOut], 400: Problem, 404: Problem},
    summary="List stakeholder inputs",
    description="Approved inputs of a cycle for everyone; with their own pending and refused "
    "ones for an organisation's members, and all for moderators. Filter by State.",
)
def reviews_input_list(
    request: HttpRequest, cycle_code: str, state: str | None = None
) -> list[StakeholderInput]:
    cycle = _cycle(cycle_code)
    country = _country(state) if state else None
    return list(selectors.stakeholder_input_list(user=request.user, cycle=cycle, state=country))


@router.post(
    "/reviews/cycles/{cycle_code}/inputs",
    auth=django_auth,
    response={200: InputOut, **ERRORS},
    summary="Submit a stakeholder input",
    description="Members of a stakeholder organisation, in its name, while stakeholder inputs "
    "are open. It waits for a moderator.",
)
def reviews_input_create(
    request: HttpRequest, cycle_code: str, payload: InputIn
) -> StakeholderInput:
    cycle = _cycle(cycle_code)
    organisation = organisation_get(pk=payload.organisation)
    if organisation is None:
        raise HttpError(400, f"No organisation {payload.organisation}.")
    country = _country(payload.state) if payload.state else None
    objective = _objective(payload.objective)
    return _act(  # type: ignore[no-any-return]
        lambda: actions.stakeholder_input_submit(
            actor=_user(request),
            cycle=cycle,
            organisation=organisation,
            country=country,
            objective=objective,
            title=payload.title,
            body=payload.body,
        ),
        "Only members of a stakeholder organisation submit inputs in its name.",
    )


@router.get(
    "/reviews/moderation",
    auth=django_auth,
    response={200: ModerationQueueOut, 401: Problem, 403: Problem},
    summary="Get the moderation queue",
    description="Moderators and administrators: inputs and comments waiting, oldest first.",
)
def reviews_moderation_queue(request: HttpRequest) -> dict[str, Any]:
    if not can_moderate_reviews(request.user):
        raise HttpError(403, "Only moderators see the queue.")
    queue = selectors.moderation_queue()
    return {"inputs": queue.inputs, "comments": queue.comments}


@router.post(
    "/reviews/inputs/{input_id}/moderation",
    auth=django_auth,
    response={200: InputOut, **ERRORS},
    summary="Moderate a stakeholder input",
    description="Moderators approve, or refuse with a reason; a refused input is kept.",
)
def reviews_input_moderate(
    request: HttpRequest, input_id: int, payload: ModerationIn
) -> StakeholderInput:
    return _moderate(  # type: ignore[no-any-return]
        request,
        lambda: selectors.input_to_moderate(pk=input_id),
        f"No input {input_id}.",
        lambda item: actions.stakeholder_input_moderate(
            actor=_user(request), item=item, approve=payload.approve, reason=payload.reason
        ),
    )


@router.post(
    "/reviews/comments/{comment_id}/moderation",
    auth=django_auth,
    response={200: CommentOut, **ERRORS},
    summary="Moderate a stakeholder comment",
    description="Moderators approve, or refuse with a reason; a refused comment is kept.",
)
def reviews_comment_moderate(
    request: HttpRequest, comment_id: int, payload: ModerationIn
) -> ReviewComment:
    return _moderate(  # type: ignore[no-any-return]
        request,
        lambda: selectors.comment_to_moderate(pk=comment_id),
        f"No comment {comment_id}.",
        lambda comment: actions.review_comment_moderate(
            actor=_user(request), comment=comment, approve=payload.approve, reason=payload.reason
        ),
    )


def _moderate(request: HttpRequest, find: Any, missing: str, decide: Any) -> Any:
    """A moderator's decision on an input or a comment: 403 for anyone else (before saying
    whether the row exists), 404 for a row that is not waiting, else the action's answer."""
    if not can_moderate_reviews(request.user):
        raise HttpError(403, "Only moderators decide.")
    found = find()
    if found is None:
        raise HttpError(404, missing)
    return _act(lambda: decide(found), "Only moderators decide.")


# ---------------------------------------------------------------------------------------------
# Follow-up


@router.get(
    "/reviews/cycles/{cycle_code}/follow-up",
    response={200: list[FollowUpOut], 404: Problem},
    summary="List follow-up recommendations",
    description="The forum's and the review's recommendations to States, with dated statuses. "
    "Filter by State.",
)
def reviews_follow_up_list(
    request: HttpRequest, cycle_code: str, state: str | None = None
) -> list[FollowUpRecommendation]:
    cycle = _cycle(cycle_code)
    country = _country(state) if state else None
    return list(selectors.follow_up_list(cycle=cycle, state=country))


@router.post(
    "/reviews/cycles/{cycle_code}/states/{iso3}/follow-up",
    auth=django_auth,
    response={200: FollowUpOut, **ERRORS},
    summary="Record a follow-up recommendation",
    description="The secretariat records a recommendation of the forum or the review to a State.",
)
def reviews_follow_up_create(
    request: HttpRequest, cycle_code: str, iso3: str, payload: FollowUpIn
) -> FollowUpRecommendation:
    cycle, country = _cycle(cycle_code), _country(iso3)
    objective = _objective(payload.objective)
    recommendation = _act(
        lambda: actions.follow_up_add(
            actor=_user(request),
            cycle=cycle,
            country=country,
            source=payload.source,
            text=payload.text,
            objective=objective,
        ),
        "Only the secretariat records follow-up recommendations.",
    )
    return selectors.follow_up_get(pk=recommendation.pk)


@router.post(
    "/reviews/follow-up/{follow_up_id}/status",
    auth=django_auth,
    response={200: FollowUpOut, **ERRORS},
    summary="Record a follow-up status",
    description="The State's focal points (and administrators) say what was done, dated; the "
    "newest date is the recommendation's status.",
)
def reviews_follow_up_status(
    request: HttpRequest, follow_up_id: int, payload: StatusUpdateIn
) -> FollowUpRecommendation:
    try:
        recommendation = selectors.follow_up_get(pk=follow_up_id)
    except FollowUpRecommendation.DoesNotExist:
        raise HttpError(404, f"No follow-up recommendation {follow_up_id}.") from None
    _act(
        lambda: actions.follow_up_status_add(
            actor=_user(request), recommendation=recommendation, **payload.dict()
        ),
        "Only the State's focal points record its follow-up.",
    )
    return selectors.follow_up_get(pk=follow_up_id)
