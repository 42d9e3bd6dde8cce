"""Pledges and their money over the JSON API.

Reads apply the same visibility as the pages (published pledges for everyone, drafts for their
pledger and administrators); ``POST /pledges`` records a draft through the same action as the
web form. Money is in US dollars, converted at each transaction's value date; transactions
without a known rate are counted in ``not_converted``, never as zero.
"""

from __future__ import annotations

import datetime
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import Field, File, Form, Query, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.responses import Status
from ninja.security import django_auth

from solidarity.accounts.models import User
from solidarity.accounts.selectors import organisation_get
from solidarity.api.schemas import Problem
from solidarity.commitments import actions, selectors
from solidarity.commitments.models import FinancialCommitment, Pledge, ProgressUpdate, Transaction
from solidarity.commitments.permissions import can_import_iati, can_link_activities
from solidarity.commitments.selectors import PledgeFilters
from solidarity.commitments.uploads import store_upload, upload_limit
from solidarity.reference import selectors as reference_selectors

router = Router(tags=["Commitments"])


class PledgeOut(Schema):
    id: int
    reference: str = Field(description="The pledge's public reference, e.g. P-12.")
    title: str
    state: str | None = Field(description="ISO3 code of the pledging State, if a State pledges.")
    organisation: str | None = Field(description="Name of the pledging organisation, if any.")
    partner_states: list[str]
    partner_organisations: list[str]
    answers: int | None = Field(description="The pledge this one matches, if it is a matching one.")
    what: str
    by_when: date | None
    measured_how: str
    form: str = Field(description="financial, human_resources, process or policy.")
    objectives: list[int]
    solidarity_types: list[str]
    south_south: bool
    triangular: bool
    stage: str = Field(description="planning, in_progress, fulfilled or withdrawn.")
    status: str = Field(description="draft or published.")
    pledged_usd: Decimal | None
    committed_usd: Decimal | None
    disbursed_usd: Decimal | None
    not_converted: int = Field(description="Transactions left out of the sums: no exchange rate.")

    @staticmethod
    def resolve_state(obj: Pledge) -> str | None:
        return obj.state_id

    @staticmethod
    def resolve_organisation(obj: Pledge) -> str | None:
        return obj.organisation.name if obj.organisation else None

    @staticmethod
    def resolve_partner_states(obj: Pledge) -> list[str]:
        return [c.iso3 for c in obj.partner_states.all()]

    @staticmethod
    def resolve_partner_organisations(obj: Pledge) -> list[str]:
        return [o.name for o in obj.partner_organisations.all()]

    @staticmethod
    def resolve_answers(obj: Pledge) -> int | None:
        return obj.answers_id

    @staticmethod
    def resolve_objectives(obj: Pledge) -> list[int]:
        return [o.number for o in obj.objectives.all()]

    @staticmethod
    def resolve_solidarity_types(obj: Pledge) -> list[str]:
        return [t.code for t in obj.solidarity_types.all()]


class PledgeQuery(Schema):
    q: str = Field("", description="Words in the title or text.")
    state: str = Field("", description="ISO3 code of a State, as pledger or partner.")
    objective: int | None = Field(None, description="GCM objective number, 1 to 23.")
    form: str = ""
    solidarity_type: str = Field(
        "", description="preventive, reactive or international-cooperation."
    )
    stage: str = ""
    south_south: bool = Field(False, description="Only South-South or triangular cooperation.")


@router.get(
    "/pledges",
    response=list[PledgeOut],
    summary="List the pledges",
    description="The pledge registry with money totals in US dollars, newest first, at most "
    "1,000 (narrow it with the filters; the CSV download at /pledges/pledges.csv has them all). "
    "Drafts appear only to their pledger and administrators.",
)
def pledge_list(request: HttpRequest, filters: Query[PledgeQuery]) -> list[Pledge]:
    return list(
        selectors.pledge_list(user=request.user, filters=PledgeFilters(**filters.dict()))[:1000]
    )


def _pledge(request: HttpRequest, pledge_id: int) -> Pledge:
    try:
        return selectors.pledge_get(user=request.user, pk=pledge_id)
    except (Pledge.DoesNotExist, PermissionDenied):
        # A draft is not acknowledged to those who may not see it.
        raise HttpError(404, f"No pledge P-{pledge_id}.") from None


@router.get(
    "/pledges/{pledge_id}",
    response={200: PledgeOut, 404: Problem},
    summary="Get one pledge",
    description="One pledge by its number (P-12 is 12), with its money totals in US dollars.",
)
def pledge_get(request: HttpRequest, pledge_id: int) -> Pledge:
    return _pledge(request, pledge_id)


class ProgressOut(Schema):
    id: int
    as_of: date
    text: str
    evidence_url: str
    stage: str
    status: str = Field(description="draft, pending, returned or approved.")


@router.get(
    "/pledges/{pledge_id}/progress",
    response={200: list[ProgressOut], 404: Problem},
    summary="A pledge's progress updates",
    description="Approved updates; the pledger and reviewers also see drafts and pending ones.",
)
def pledge_progress(request: HttpRequest, pledge_id: int) -> list[ProgressUpdate]:
    return selectors.progress_list(user=request.user, pledge=_pledge(request, pledge_id))


class AssessmentOut(Schema):
    id: int
    as_of: date
    rating: str
    text: str
    evidence_url: str
    organisation: str | None

    @staticmethod
    def resolve_organisation(obj: object) -> str | None:
        organisation = getattr(obj, "organisation", None)
        return organisation.name if organisation else None


@router.get(
    "/pledges/{pledge_id}/assessments",
    response={200: list[AssessmentOut], 404: Problem},
    summary="Independent assessments of a pledge",
    description="Stakeholders' views of the pledge's progress, shown beside the pledger's own.",
)
def pledge_assessments(request: HttpRequest, pledge_id: int) -> list[object]:
    return list(selectors.assessment_list(pledge=_pledge(request, pledge_id)))


class TransactionOut(Schema):
    iati_identifier: str = Field(description="The IATI activity the transaction belongs to.")
    type: str = Field(description="IATI TransactionType code: 12 pledge, 2 commitment, 3 …")
    date: datetime.date | None
    value: Decimal
    currency: str
    value_date: datetime.date | None
    value_usd: Decimal | None
    receiver: str
    recipient_country: str = Field(description="ISO 3166-1 alpha-2, as IATI has it.")

    @staticmethod
    def resolve_iati_identifier(obj: Transaction) -> str:
        return obj.commitment.iati_identifier

    @staticmethod
    def resolve_currency(obj: Transaction) -> str:
        return obj.currency or obj.commitment.default_currency

    @staticmethod
    def resolve_receiver(obj: Transaction) -> str:
        return obj.receiver_name


@router.get(
    "/pledges/{pledge_id}/transactions",
    response={200: list[TransactionOut], 404: Problem},
    summary="A pledge's money, transaction by transaction",
    description="IATI transactions in their own currency, with the US-dollar value at the "
    "value date (null when the exchange-rate table has no rate).",
)
def pledge_transactions(request: HttpRequest, pledge_id: int) -> list[Transaction]:
    return selectors.transaction_list(pledge=_pledge(request, pledge_id))


class YearOut(Schema):
    year: int
    pledged_usd: Decimal
    committed_usd: Decimal
    disbursed_usd: Decimal


class ShareOut(Schema):
    code: str
    disbursed_usd: Decimal


class FlowOut(Schema):
    pledger: str
    recipient: str
    disbursed_usd: Decimal
    south_south: bool


class SummaryOut(Schema):
    by_year: list[YearOut]
    by_objective: list[ShareOut]
    by_solidarity_type: list[ShareOut]
    flows: list[FlowOut]
    south_south_usd: Decimal
    total_disbursed_usd: Decimal
    not_converted: int


@router.get(
    "/pledges-summary",
    response=SummaryOut,
    summary="The money of the pledges, summed",
    description="What the dashboard shows: by year, by objective, by kind of solidarity, and "
    "from pledger to recipient. Takes the registry's filters.",
)
def pledge_summary(request: HttpRequest, filters: Query[PledgeQuery]) -> dict[str, object]:
    board = selectors.dashboard(user=request.user, filters=PledgeFilters(**filters.dict()))
    return {
        "by_year": [
            {"year": y, "pledged_usd": p, "committed_usd": c, "disbursed_usd": d}
            for y, p, c, d in board.by_year
        ],
        "by_objective": [
            {"code": str(o.number), "disbursed_usd": t} for o, t in board.by_objective
        ],
        "by_solidarity_type": [
            {"code": k.code, "disbursed_usd": t} for k, t in board.by_solidarity_type
        ],
        "flows": [
            {"pledger": g, "recipient": r, "disbursed_usd": t, "south_south": s}
            for g, r, t, s in board.flows
        ],
        "south_south_usd": board.south_south_usd,
        "total_disbursed_usd": board.total_disbursed_usd,
        "not_converted": board.not_converted,
    }


class DisbursedQuery(Schema):
    year: int = Field(description="Calendar year of the disbursements.")


@router.get(
    "/pledges-disbursed-by-state",
    response=dict[str, Decimal],
    summary="US dollars disbursed by each State in a year",
    description="By ISO3 code; what the fair-share calculator reads as its disbursed-usd "
    "measure. A State with nothing recorded is absent.",
)
def disbursed_by_state(request: HttpRequest, query: Query[DisbursedQuery]) -> dict[str, Decimal]:
    return selectors.disbursed_usd_by_state(year=query.year)


class PledgeIn(Schema):
    state: str | None = Field(None, description="ISO3 code of the pledging State…")
    organisation: int | None = Field(None, description="…or id of the pledging organisation.")
    title: str
    what: str
    form: str
    objectives: list[int]
    by_when: date | None = None
    measured_how: str = ""
    principles: list[str] = []
    solidarity_types: list[str] = []
    target_groups: list[str] = []
    partner_states: list[str] = []
    partner_organisations: list[int] = Field([], description="Ids of partner organisations.")
    answers: int | None = None
    south_south: bool = False
    triangular: bool = False


@router.post(
    "/pledges",
    response={200: PledgeOut, 400: Problem, 403: Problem},
    auth=django_auth,
    summary="Record a pledge (as a draft)",
    description="By a focal point for their State, a member for their organisation, or an "
    "administrator. Publish it on the site.",
)
def pledge_create(request: HttpRequest, payload: PledgeIn) -> Status[Pledge]:
    assert isinstance(request.user, User)
    state = reference_selectors.country_find(iso3=payload.state or "")
    organisation = organisation_get(pk=payload.organisation) if payload.organisation else None
    answers = selectors.pledge_find(pk=payload.answers) if payload.answers else None
    data = actions.PledgeInput(
        **{
            **payload.dict(),
            "state": state,
            "organisation": organisation,
            "answers": answers,
            "partner_states": [code.upper() for code in payload.partner_states],
        }
    )
    try:
        pledge = actions.pledge_create(actor=request.user, data=data)
    except PermissionDenied:
        raise HttpError(403, "You may not pledge for this pledger.") from None
    except ValidationError as error:
        raise HttpError(400, " ".join(error.messages)) from None
    return Status(200, selectors.pledge_get(user=request.user, pk=pledge.pk))


# --- IATI files and their activities --------------------------------------------------------


class IatiProblemOut(Schema):
    file: str
    line: int | None
    element: str = Field(description="The element or attribute, e.g. `transaction/value`.")
    rule: str = Field(description="`schema` for the official XSD, else Solidarity's rule.")
    message: str


class IatiImportOut(Schema):
    file_name: str
    imported: bool = Field(
        description="True when the file had no problem (and, unless a dry run, is stored)."
    )
    dry_run: bool
    schema_checked: bool = Field(description="Whether the IATI 2.03 XSD was applied.")
    legacy: bool = Field(description="An IATI 1.x file, read with the 1.x → 2.01 mapping.")
    activities: int
    created: int
    updated: int
    unchanged: int
    transactions: int
    not_converted: int = Field(description="Transactions with no US-dollar rate.")
    problems: list[IatiProblemOut] = Field(description="Why nothing was stored (the first ones).")
    problems_left_out: int
    warnings: list[str]
    notices: list[IatiProblemOut] = Field(description="What a 1.x file could not map.")
    notices_left_out: int


@router.post(
    "/iati/imports",
    auth=django_auth,
    response={200: IatiImportOut, 401: Problem, 403: Problem, 413: Problem, 422: IatiImportOut},
    summary="Import an IATI activity file",
    description="Multipart upload (session sign-in and CSRF token) of an IATI 2.01 to 2.03 or 1.x "
    "activity file, at most `SOLIDARITY_IATI_UPLOAD_MAX_MB`. With `dry_run` everything is "
    "checked and counted, then rolled back. One transaction: 200 when the file is imported (or "
    "would be), 422 with every problem (file, line, element, rule) when nothing was stored. "
    "Administrators, and a State's focal points for their State's pledges.",
)
def iati_import(
    request: HttpRequest, file: File[UploadedFile], dry_run: Form[bool] = False
) -> Status[object]:
    if not can_import_iati(request.user):
        raise HttpError(403, "Only administrators and States' focal points import IATI files.")
    assert isinstance(request.user, User)
    if (file.size or 0) > upload_limit():
        raise HttpError(
            413,
            f"The file is larger than {settings.IATI_UPLOAD_MAX_MB} MB, the largest that may be "
            "uploaded here.",
        )
    _token, path = store_upload(file)
    try:
        result = actions.iati_import(
            actor=request.user,
            path=path,
            schema_dir=settings.IATI_SCHEMA_DIR or None,
            file_name=Path(file.name or "upload.xml").name[:200],
            dry_run=dry_run,
        )
    finally:
        path.unlink(missing_ok=True)
    return Status(200 if result.imported else 422, result)


class ActivityOut(Schema):
    id: int
    iati_identifier: str
    title: str
    reporting_org_ref: str
    reporting_org_name: str
    pledge: int | None = Field(description="The pledge it is linked to (P-12 is 12), if any.")
    transactions: int
    disbursed_usd: Decimal | None = Field(
        None, description="US dollars disbursed (only for activities linked to the pledge)."
    )

    @staticmethod
    def resolve_pledge(obj: FinancialCommitment) -> int | None:
        return obj.pledge_id

    @staticmethod
    def resolve_transactions(obj: FinancialCommitment) -> int:
        return int(getattr(obj, "tx_count", 0))


@router.get(
    "/pledges/{pledge_id}/activities",
    response={200: list[ActivityOut], 404: Problem},
    summary="The IATI activities linked to a pledge",
    description="Activities imported from IATI files whose money counts towards the pledge.",
)
def pledge_activities(request: HttpRequest, pledge_id: int) -> list[FinancialCommitment]:
    return selectors.linked_activities(pledge=_pledge(request, pledge_id))


def _linkable_pledge(request: HttpRequest, pledge_id: int) -> Pledge:
    pledge = _pledge(request, pledge_id)
    if not can_link_activities(request.user, pledge):
        raise HttpError(403, "Only those who keep the pledge link activities to it.")
    return pledge


class LinkableQuery(Schema):
    q: str = Field(
        description="Part of an identifier, title, reporting organisation or transaction provider."
    )


@router.get(
    "/pledges/{pledge_id}/activities/linkable",
    auth=django_auth,
    response={200: list[ActivityOut], 401: Problem, 403: Problem, 404: Problem},
    summary="Find imported activities to link to a pledge",
    description="Imported activities no pledge claims yet (at most 50), for those who keep "
    "the pledge.",
)
def pledge_activities_linkable(
    request: HttpRequest, pledge_id: int, query: Query[LinkableQuery]
) -> list[FinancialCommitment]:
    _linkable_pledge(request, pledge_id)
    return selectors.linkable_activities(q=query.q)


class LinkIn(Schema):
    activity: int = Field(description="The activity's `id`.")


def _activity(activity_id: int) -> FinancialCommitment:
    activity = selectors.activity_get(pk=activity_id)
    if activity is None:
        raise HttpError(404, f"No activity {activity_id}.")
    return activity


@router.post(
    "/pledges/{pledge_id}/activities",
    auth=django_auth,
    response={200: ActivityOut, 400: Problem, 401: Problem, 403: Problem, 404: Problem},
    summary="Link an imported activity to a pledge",
    description="Its transactions then count towards the pledge's money. Audited. Refused for "
    "money entered on the site and for an activity linked to another pledge.",
)
def pledge_activity_link(
    request: HttpRequest, pledge_id: int, payload: LinkIn
) -> FinancialCommitment:
    pledge = _linkable_pledge(request, pledge_id)
    assert isinstance(request.user, User)
    try:
        return actions.activity_link(
            actor=request.user, pledge=pledge, commitment=_activity(payload.activity)
        )
    except ValidationError as error:
        raise HttpError(400, " ".join(error.messages)) from None


@router.delete(
    "/pledges/{pledge_id}/activities/{activity_id}",
    auth=django_auth,
    response={200: ActivityOut, 400: Problem, 401: Problem, 403: Problem, 404: Problem},
    summary="Unlink an activity from a pledge",
    description="Its money no longer counts towards the pledge. Audited.",
)
def pledge_activity_unlink(
    request: HttpRequest, pledge_id: int, activity_id: int
) -> FinancialCommitment:
    pledge = _linkable_pledge(request, pledge_id)
    assert isinstance(request.user, User)
    activity = _activity(activity_id)
    if activity.pledge_id != pledge.pk:
        raise HttpError(404, f"Activity {activity_id} is not linked to pledge P-{pledge_id}.")
    try:
        return actions.activity_unlink(actor=request.user, commitment=activity)
    except ValidationError as error:
        raise HttpError(400, " ".join(error.messages)) from None
