"""Human-rights recommendations over the JSON API: mechanisms, recommendations with their
labels, statuses and assessments, ratifications; and the three writes — the State's
implementation status, an assessment, a decision on a label — through the same actions as the
pages. Reading is public; writing needs a session sign-in with the rights the pages ask for.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.security import django_auth

from solidarity.accounts.models import User
from solidarity.api.schemas import Problem
from solidarity.reference import selectors as reference
from solidarity.reference.models import Country
from solidarity.rights import selectors
from solidarity.rights.actions import assessment_add, implementation_status_record, label_decide
from solidarity.rights.models import (
    Assessment,
    ImplementationStatus,
    Mechanism,
    ObjectiveLabel,
    Position,
    Ratification,
    Recommendation,
    Status,
)
from solidarity.rights.selectors import RecommendationFilters

router = Router(tags=["Human rights"])


def _country_exists(iso3: str) -> bool:
    try:
        reference.country_get(iso3=iso3)
    except Country.DoesNotExist:
        return False
    return True


MAX_LIMIT = 500


class MechanismOut(Schema):
    code: str
    name: str
    kind: str = Field(description="upr, treaty_body, special_procedure or regional.")


class LabelOut(Schema):
    objective: int
    provenance: str = Field(description="official (the source's tags), model or person.")
    official_source: str
    score: float | None = Field(description="The classifier's score, for model labels.")
    model_version: str
    decision: str = Field(description="unreviewed, confirmed or rejected.")
    decided_at: datetime.datetime | None

    @staticmethod
    def resolve_objective(obj: ObjectiveLabel) -> int:
        return obj.objective_id


class StatusOut(Schema):
    status: str
    responsible_institution: str
    evidence: str
    evidence_url: str
    evidence_date: datetime.date
    recorded_at: datetime.datetime


class AssessmentOut(Schema):
    assessor_kind: str
    assessor_label: str
    grade: str
    comment: str
    evidence_url: str
    assessed_on: datetime.date


class RecommendationOut(Schema):
    id: int
    country: str = Field(description="ISO3 code of the State concerned.")
    mechanism: str
    kind: str
    document: str | None = Field(description="Symbol of the document, if known.")
    published_on: datetime.date | None
    session: str
    cycle: str
    recommending_state: str = Field(description="As the source writes it (UPR).")
    text: str
    themes: list[str]
    affected_persons: list[str]
    sdg_targets: list[str]
    groups: list[str] = Field(description="Codes of the groups in vulnerable situations named.")
    position: str = Field(description="supported, noted or empty.")
    position_source: str
    status: str = Field(description="The State's latest implementation status, or empty.")
    cluster: int | None = Field(description="Cluster of near-duplicate recommendations.")
    migration_relevant: bool | None
    labels: list[LabelOut] = Field(description="Objective labels, rejected ones left out.")

    @staticmethod
    def resolve_country(obj: Recommendation) -> str:
        return obj.country_id

    @staticmethod
    def resolve_mechanism(obj: Recommendation) -> str:
        return obj.mechanism_id

    @staticmethod
    def resolve_document(obj: Recommendation) -> str | None:
        return obj.document.symbol if obj.document else None

    @staticmethod
    def resolve_recommending_state(obj: Recommendation) -> str:
        return obj.recommending_label

    @staticmethod
    def resolve_groups(obj: Recommendation) -> list[str]:
        return [group.code for group in obj.population_groups.all()]

    @staticmethod
    def resolve_labels(obj: Recommendation) -> list[ObjectiveLabel]:
        standing = getattr(obj, "standing_labels", None)
        if standing is not None:
            return list(standing)
        return [label for label in obj.objective_labels.all() if label.counts]


class RecommendationDetailOut(RecommendationOut):
    status_history: list[StatusOut]
    assessments: list[AssessmentOut]

    @staticmethod
    def resolve_status_history(obj: Recommendation) -> list[ImplementationStatus]:
        return list(obj.status_history.all())

    @staticmethod
    def resolve_assessments(obj: Recommendation) -> list[Assessment]:
        return list(obj.assessments.all())


class RecommendationFilter(Schema):
    country: str | None = Field(None, description="ISO3 code of the State concerned.")
    objective: int | None = Field(None, description="GCM objective (0: mapped to none).")
    mechanism: str | None = None
    position: str | None = Field(None, description="supported or noted.")
    status: str | None = Field(None, description="planned, in_progress, completed or none.")
    group: str | None = Field(None, description="Code of a group in a vulnerable situation.")
    q: str = Field("", description="Words in the text.")
    limit: int = Field(100, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0)


class RatificationOut(Schema):
    country: str
    treaty: str
    status: str = Field(description="party, signatory or none.")
    year: int | None
    source: str
    as_of: str

    @staticmethod
    def resolve_country(obj: Ratification) -> str:
        return obj.country_id

    @staticmethod
    def resolve_treaty(obj: Ratification) -> str:
        return obj.treaty_id


@router.get(
    "/rights/mechanisms",
    response=list[MechanismOut],
    summary="List the human-rights mechanisms",
    description="The UPR, the treaty bodies, special procedures and regional mechanisms whose "
    "recommendations are kept, with their kind.",
)
def rights_mechanism_list(request: HttpRequest) -> list[Mechanism]:
    return list(selectors.mechanism_list())


def _check(value: str | None, choices: list[str], what: str) -> None:
    if value and value not in choices:
        raise HttpError(400, f"Unknown {what}: {value!r}.")


@router.get(
    "/rights/recommendations",
    response={200: list[RecommendationOut], 400: Problem},
    summary="List recommendations",
    description="Recommendations and observations to States, newest first, filtered; "
    "`limit` (at most 500) and `offset` page through them.",
)
def rights_recommendation_list(
    request: HttpRequest, filters: Query[RecommendationFilter]
) -> list[Recommendation]:
    _check(filters.position, list(Position.values), "position")
    _check(filters.status, [*Status.values, "none"], "status")
    if filters.country and not _country_exists(filters.country):
        raise HttpError(400, f"Unknown country: {filters.country!r}.")
    if filters.mechanism and not selectors.mechanism_list().filter(code=filters.mechanism).exists():
        raise HttpError(400, f"Unknown mechanism: {filters.mechanism!r}.")
    if filters.group and not reference.population_group_list().filter(code=filters.group).exists():
        raise HttpError(400, f"Unknown group: {filters.group!r}.")
    if filters.objective is not None and not 0 <= filters.objective <= 23:
        raise HttpError(400, f"Unknown objective: {filters.objective}.")
    rows = selectors.recommendation_list(
        RecommendationFilters(
            country=filters.country.upper() if filters.country else None,
            objective=filters.objective,
            mechanism=filters.mechanism,
            position=filters.position,
            status=filters.status,
            group=filters.group,
            q=filters.q,
        )
    )
    return list(rows[filters.offset : filters.offset + filters.limit])


def _recommendation_or_404(recommendation_id: int) -> Recommendation:
    try:
        return selectors.recommendation_get(pk=recommendation_id)
    except Recommendation.DoesNotExist:
        raise HttpError(404, f"No recommendation {recommendation_id}.") from None


@router.get(
    "/rights/recommendations/{recommendation_id}",
    response={200: RecommendationDetailOut, 404: Problem},
    summary="Get a recommendation",
    description="With its labels, the State's status history and others' assessments.",
)
def rights_recommendation_detail(request: HttpRequest, recommendation_id: int) -> Recommendation:
    return _recommendation_or_404(recommendation_id)


class StatusIn(Schema):
    status: Status
    responsible_institution: str = Field(min_length=1, max_length=200)
    evidence: str = Field(min_length=1)
    evidence_url: str = ""
    evidence_date: datetime.date


def _validation_problem(error: ValidationError) -> HttpError:
    return HttpError(400, "; ".join(error.messages))


@router.post(
    "/rights/recommendations/{recommendation_id}/status",
    auth=django_auth,
    response={200: StatusOut, 400: Problem, 401: Problem, 403: Problem, 404: Problem},
    summary="Record the implementation status",
    description="Only the focal points of the State concerned (and administrators) may.",
)
def rights_status_record(
    request: HttpRequest, recommendation_id: int, payload: StatusIn
) -> ImplementationStatus:
    assert isinstance(request.user, User)
    recommendation = _recommendation_or_404(recommendation_id)
    try:
        return implementation_status_record(
            actor=request.user, recommendation=recommendation, **payload.dict()
        )
    except PermissionDenied:
        raise HttpError(403, "Only the State's focal points may record its status.") from None
    except ValidationError as error:
        raise _validation_problem(error) from None


class AssessmentIn(Schema):
    grade: Assessment.Grade
    comment: str = Field(min_length=1)
    assessed_on: datetime.date
    evidence_url: str = ""
    assessor_kind: str | None = Field(None, description="Reviewers: treaty_body or un.")
    assessor_label: str = ""


@router.post(
    "/rights/recommendations/{recommendation_id}/assessments",
    auth=django_auth,
    response={200: AssessmentOut, 400: Problem, 401: Problem, 403: Problem, 404: Problem},
    summary="Add an assessment",
    description="Members of an organisation assess in its name (fully, partially or "
    "not_implemented); reviewers record treaty bodies' follow-up grades (A to E).",
)
def rights_assessment_create(
    request: HttpRequest, recommendation_id: int, payload: AssessmentIn
) -> Assessment:
    assert isinstance(request.user, User)
    recommendation = _recommendation_or_404(recommendation_id)
    try:
        return assessment_add(actor=request.user, recommendation=recommendation, **payload.dict())
    except PermissionDenied:
        raise HttpError(403, "Only members of an organisation and reviewers may.") from None
    except ValidationError as error:
        raise _validation_problem(error) from None


class DecisionIn(Schema):
    decision: str = Field(description="confirmed or rejected.")


@router.post(
    "/rights/recommendations/{recommendation_id}/labels/{objective_number}",
    auth=django_auth,
    response={200: LabelOut, 400: Problem, 401: Problem, 403: Problem, 404: Problem},
    summary="Confirm or reject an objective label",
    description="Reviewers and administrators; the decision is kept for retraining.",
)
def rights_label_decision(
    request: HttpRequest, recommendation_id: int, objective_number: int, payload: DecisionIn
) -> ObjectiveLabel:
    assert isinstance(request.user, User)
    label = selectors.label_get(
        recommendation_id=recommendation_id, objective_number=objective_number
    )
    if label is None:
        raise HttpError(404, "No such label.")
    try:
        return label_decide(actor=request.user, label=label, decision=payload.decision)
    except PermissionDenied:
        raise HttpError(403, "Only reviewers may decide on labels.") from None
    except ValidationError as error:
        raise _validation_problem(error) from None


@router.get(
    "/rights/ratifications",
    response={200: list[RatificationOut], 400: Problem},
    summary="List ratifications",
    description="Where each State stands on each treaty and ILO convention, with the source.",
)
def rights_ratification_list(
    request: HttpRequest, country: str | None = None, treaty: str | None = None
) -> list[Ratification]:
    if country and not _country_exists(country):
        raise HttpError(400, f"Unknown country: {country!r}.")
    if treaty and not reference.treaty_list().filter(code=treaty).exists():
        raise HttpError(400, f"Unknown treaty: {treaty!r}.")
    return list(selectors.ratification_list(country=country, treaty=treaty))
