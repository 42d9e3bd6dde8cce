"""The commitments pages: the pledge registry (searchable, per State, per objective, with
CSV and XLSX downloads), the dashboard, each pledge with its money, progress and independent
assessments, and the forms that change them.

Each view parses the request, checks access through :mod:`solidarity.commitments.permissions`,
asks one selector or calls one action, and renders.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST
from openpyxl import Workbook

from solidarity.accounts.models import User
from solidarity.commitments import actions, selectors
from solidarity.commitments.flows import flow_diagram
from solidarity.commitments.forms import (
    AssessmentForm,
    IatiUploadForm,
    MoneyForm,
    PledgeFilterForm,
    PledgeForm,
    ProgressForm,
    ProgressReviewForm,
    pledger_from_value,
    pledger_value,
)
from solidarity.commitments.models import (
    Pledge,
    ProgressUpdate,
)
from solidarity.commitments.permissions import (
    can_assess_pledge,
    can_create_pledge,
    can_edit_assessment,
    can_edit_pledge,
    can_import_iati,
    can_link_activities,
    can_review_progress,
    can_view_progress,
)
from solidarity.commitments.selectors import PledgeFilters
from solidarity.commitments.uploads import store_upload as _store_upload
from solidarity.commitments.uploads import upload_limit as _upload_limit
from solidarity.indicators.charts import bar_chart
from solidarity.reference import selectors as reference
from solidarity.reference.models import Country, Objective

PLEDGES_PER_PAGE = 50


def _filter_form(request: HttpRequest) -> PledgeFilterForm:
    return PledgeFilterForm(
        request.GET,
        countries=reference.country_list(),
        objectives=reference.objective_list(),
        solidarity_types=reference.solidarity_type_list(),
    )


def _registry(
    request: HttpRequest,
    *,
    preset: dict[str, Any] | None = None,
    heading: str = "",
    template: str = "commitments/registry.html",
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    form = _filter_form(request)
    if not form.is_valid():
        return render(request, template, {"form": form, **(extra or {})}, status=400)
    filters = form.filters()
    if preset:
        filters = PledgeFilters(**{**filters.__dict__, **preset})
    pledges = selectors.pledge_list(user=request.user, filters=filters)
    page = Paginator(pledges, PLEDGES_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    # The downloads and the dashboard of a State's or an objective's page keep its scope.
    for name, value in (preset or {}).items():
        query[name] = str(value)
    return render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "heading": heading,
            "query": query.urlencode(),
            "can_create": can_create_pledge(request.user),
            "can_import": can_import_iati(request.user),
            **(extra or {}),
        },
    )


def registry(request: HttpRequest) -> HttpResponse:
    return _registry(request)


def state_pledges(request: HttpRequest, iso3: str) -> HttpResponse:
    try:
        country = reference.country_get(iso3=iso3)
    except Country.DoesNotExist:
        raise Http404(_("There is no country or area with this code.")) from None
    return _registry(
        request,
        preset={"state": country.iso3},
        heading=_("Pledges of %(state)s") % {"state": country.localized("name")},
        extra={"country": country},
    )


def objective_pledges(request: HttpRequest, number: int) -> HttpResponse:
    try:
        objective = reference.objective_get(number=number)
    except Objective.DoesNotExist:
        raise Http404(_("The Global Compact has no objective with this number.")) from None
    return _registry(
        request,
        preset={"objective": number},
        heading=_("Pledges for objective %(number)s: %(label)s")
        % {"number": number, "label": objective.localized("short_label")},
        extra={"objective": objective},
    )


EXPORT_COLUMNS = [
    "reference",
    "title",
    "pledger",
    "pledger_type",
    "partners",
    "answers",
    "form",
    "objectives",
    "solidarity_types",
    "south_south",
    "triangular",
    "stage",
    "status",
    "by_when",
    "pledged_usd",
    "committed_usd",
    "disbursed_usd",
    "transactions_not_converted",
    "what",
    "measured_how",
]


def _export_rows(request: HttpRequest) -> tuple[list[str], Iterator[list[Any]]]:
    form = _filter_form(request)
    if not form.is_valid():
        raise Http404(_("These filters cannot be used."))
    pledges = selectors.pledge_list(user=request.user, filters=form.filters())

    def rows() -> Iterator[list[Any]]:
        for pledge in pledges:
            yield [
                pledge.reference,
                pledge.title,
                pledge.state_id or (pledge.organisation.name if pledge.organisation else ""),
                "state" if pledge.state_id else "organisation",
                ";".join(
                    [c.iso3 for c in pledge.partner_states.all()]
                    + [o.name for o in pledge.partner_organisations.all()]
                ),
                pledge.answers.reference if pledge.answers else "",
                pledge.form,
                ";".join(str(o.number) for o in pledge.objectives.all()),
                ";".join(t.code for t in pledge.solidarity_types.all()),
                pledge.south_south,
                pledge.triangular,
                pledge.stage,
                pledge.status,
                pledge.by_when.isoformat() if pledge.by_when else "",
                pledge.pledged_usd,  # type: ignore[attr-defined]
                pledge.committed_usd,  # type: ignore[attr-defined]
                pledge.disbursed_usd,  # type: ignore[attr-defined]
                pledge.not_converted,  # type: ignore[attr-defined]
                pledge.what,
                pledge.measured_how,
            ]

    return EXPORT_COLUMNS, rows()


def registry_csv(request: HttpRequest) -> HttpResponse:
    """The registry as the filters select it, one row per pledge (money in US dollars)."""
    columns, rows = _export_rows(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="solidarity-pledges.csv"'
    writer = csv.writer(response)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(
            "" if cell is None else f"{cell:.2f}" if isinstance(cell, Decimal) else cell
            for cell in row
        )
    return response


def registry_xlsx(request: HttpRequest) -> HttpResponse:
    columns, rows = _export_rows(request)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="pledges")
    sheet.append(columns)
    for row in rows:
        sheet.append([float(cell) if isinstance(cell, Decimal) else cell for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="solidarity-pledges.xlsx"'
    return response


def _money_text(value: Decimal | None) -> str:
    return "" if value is None else f"{value:,.0f}"


def dashboard(request: HttpRequest) -> HttpResponse:
    """Pledged, committed and disbursed over time; money by objective and kind of solidarity;
    flows from pledger to recipient; South-South cooperation shown as such."""
    form = _filter_form(request)
    if not form.is_valid():
        return render(request, "commitments/dashboard.html", {"form": form}, status=400)
    board = selectors.dashboard(user=request.user, filters=form.filters())
    charts = {}
    for index, name in enumerate(("pledged", "committed", "disbursed"), start=1):
        points: list[tuple[str, Decimal | None]] = [
            (str(row[0]), Decimal(row[index])) for row in board.by_year
        ]
        charts[name] = bar_chart(points, value_text=[_money_text(v) for _k, v in points])
    objective_points: list[tuple[str, Decimal | None]] = [
        (str(o.number), total) for o, total in board.by_objective
    ]
    charts["objective"] = bar_chart(
        objective_points, value_text=[_money_text(v) for _k, v in objective_points]
    )
    return render(
        request,
        "commitments/dashboard.html",
        {
            "form": form,
            "board": board,
            "charts": charts,
            "flow_diagram": flow_diagram(board.flows),
        },
    )


def _pledge_or_refuse(request: HttpRequest, pk: int) -> Pledge:
    try:
        return selectors.pledge_get(user=request.user, pk=pk)
    except Pledge.DoesNotExist:
        raise Http404(_("There is no pledge with this number.")) from None


def _login_or_403(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied


def pledge_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        pledge = _pledge_or_refuse(request, pk)
    except PermissionDenied:
        return _login_or_403(request)
    user = request.user
    editor = can_edit_pledge(user, pledge)
    return render(
        request,
        "commitments/pledge_detail.html",
        {
            "pledge": pledge,
            "progress": selectors.progress_list(user=user, pledge=pledge),
            "assessments": selectors.assessment_list(pledge=pledge),
            "transactions": selectors.transaction_list(pledge=pledge),
            "matching": selectors.visible_pledges_matching(user=user, pledge=pledge),
            "can_edit": editor,
            "can_assess": can_assess_pledge(user, pledge),
            "user_id": user.pk,
        },
    )


def _pledger_choices(user: Any) -> list[tuple[str, str]]:
    states, organisations = selectors.pledger_choices(user=user)
    return [(f"state:{c.iso3}", c.localized("name")) for c in states] + [
        (f"org:{o.pk}", o.name) for o in organisations
    ]


def _pledge_input(form: PledgeForm) -> actions.PledgeInput:
    data = form.cleaned_data
    state, organisation = pledger_from_value(data["pledger"])
    answers = None
    if data["answers"]:
        answers = selectors.pledge_find(pk=data["answers"])
        if answers is None:
            raise ValidationError({"answers": _("There is no pledge with this number.")})
    return actions.PledgeInput(
        title=data["title"],
        what=data["what"],
        form=data["form"],
        objectives=[int(n) for n in data["objectives"]],
        state=state,
        organisation=organisation,
        by_when=data["by_when"],
        measured_how=data["measured_how"],
        principles=data["principles"],
        solidarity_types=data["solidarity_types"],
        target_groups=data["target_groups"],
        partner_states=data["partner_states"],
        partner_organisations=[int(pk) for pk in data["partner_organisations"]],
        answers=answers,
        south_south=data["south_south"],
        triangular=data["triangular"],
        stage=data["stage"],
    )


def _form_errors(form: Any, error: ValidationError) -> None:
    for field, errors in error.message_dict.items():
        for message in errors:
            form.add_error(field if field in form.fields else None, message)


@login_required
@require_http_methods(["GET", "POST"])
def pledge_new(request: HttpRequest) -> HttpResponse:
    if not can_create_pledge(request.user):
        raise PermissionDenied
    choices = _pledger_choices(request.user)
    form = PledgeForm(request.POST or None, pledgers=choices)
    if request.method == "POST" and form.is_valid():
        assert isinstance(request.user, User)
        try:
            pledge = actions.pledge_create(actor=request.user, data=_pledge_input(form))
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The pledge is saved as a draft."))
            return redirect("commitments:pledge", pk=pledge.pk)
    return render(
        request,
        "commitments/pledge_form.html",
        {"form": form, "pledge": None},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def pledge_edit(request: HttpRequest, pk: int) -> HttpResponse:
    pledge = _pledge_or_refuse(request, pk)
    if not can_edit_pledge(request.user, pledge):
        raise PermissionDenied
    choices = _pledger_choices(request.user)
    if pledger_value(pledge) not in dict(choices):
        choices.insert(0, (pledger_value(pledge), pledge.pledger_name))
    initial = {
        "pledger": pledger_value(pledge),
        "title": pledge.title,
        "what": pledge.what,
        "by_when": pledge.by_when,
        "measured_how": pledge.measured_how,
        "form": pledge.form,
        "objectives": [str(o.number) for o in pledge.objectives.all()],
        "principles": [p.code for p in pledge.principles.all()],
        "solidarity_types": [t.code for t in pledge.solidarity_types.all()],
        "target_groups": [g.code for g in pledge.target_groups.all()],
        "partner_states": ", ".join(c.iso3 for c in pledge.partner_states.all()),
        "partner_organisations": [str(o.pk) for o in pledge.partner_organisations.all()],
        "answers": pledge.answers_id,
        "south_south": pledge.south_south,
        "triangular": pledge.triangular,
        "stage": pledge.stage,
    }
    form = PledgeForm(request.POST or None, pledgers=choices, initial=initial)
    if request.method == "POST" and form.is_valid():
        assert isinstance(request.user, User)
        try:
            actions.pledge_update(actor=request.user, pledge=pledge, data=_pledge_input(form))
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The pledge is saved."))
            return redirect("commitments:pledge", pk=pledge.pk)
    return render(
        request,
        "commitments/pledge_form.html",
        {"form": form, "pledge": pledge},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def pledge_publish(request: HttpRequest, pk: int) -> HttpResponse:
    pledge = _pledge_or_refuse(request, pk)
    assert isinstance(request.user, User)
    actions.pledge_publish(actor=request.user, pledge=pledge)
    messages.success(request, _("The pledge is published."))
    return redirect("commitments:pledge", pk=pledge.pk)


@login_required
@require_http_methods(["GET", "POST"])
def progress_new(request: HttpRequest, pk: int) -> HttpResponse:
    pledge = _pledge_or_refuse(request, pk)
    if not can_edit_pledge(request.user, pledge):
        raise PermissionDenied
    form = ProgressForm(
        request.POST or None, initial={"as_of": timezone.localdate(), "stage": pledge.stage}
    )
    if request.method == "POST" and form.is_valid():
        assert isinstance(request.user, User)
        try:
            update = actions.progress_update_save(
                actor=request.user, pledge=pledge, **form.cleaned_data
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The update is saved as a draft."))
            return redirect("commitments:progress", pk=pledge.pk, update=update.pk)
    return render(
        request,
        "commitments/progress_form.html",
        {"form": form, "pledge": pledge},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def progress_detail(request: HttpRequest, pk: int, update: int) -> HttpResponse:
    """A progress update with the workflow steps the user may take, and — while it is a draft
    or returned — the form to revise it."""
    try:
        pledge = _pledge_or_refuse(request, pk)
    except PermissionDenied:
        return _login_or_403(request)
    found = selectors.progress_update_get(pledge=pledge, pk=update)
    if found is None:
        raise Http404(_("This pledge has no such progress update."))
    if not can_view_progress(request.user, found):
        return _login_or_403(request)
    editor = can_edit_pledge(request.user, pledge)
    revisable = editor and found.status in (
        ProgressUpdate.Status.DRAFT,
        ProgressUpdate.Status.RETURNED,
    )
    form = ProgressForm(
        request.POST if request.POST.get("action") == "save" else None,
        initial={
            "as_of": found.as_of,
            "text": found.text,
            "evidence_url": found.evidence_url,
            "stage": found.stage,
        },
    )
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        assert isinstance(request.user, User)
        try:
            if request.POST.get("action") == "save":
                if not revisable:
                    raise PermissionDenied
                if form.is_valid():
                    actions.progress_update_save(
                        actor=request.user, pledge=pledge, update=found, **form.cleaned_data
                    )
                    messages.success(request, _("The update is saved."))
                    return redirect(request.path)
            else:
                review = ProgressReviewForm(request.POST)
                if not review.is_valid():
                    raise PermissionDenied
                step = review.cleaned_data["step"]
                if step == "submit":
                    actions.progress_update_submit(actor=request.user, update=found)
                elif step == "approve":
                    actions.progress_update_approve(actor=request.user, update=found)
                else:
                    actions.progress_update_return(
                        actor=request.user, update=found, reason=review.cleaned_data["reason"]
                    )
                messages.success(request, _("The update's status has changed."))
                return redirect(request.path)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect(request.path)
    steps = []
    if editor and found.status in (ProgressUpdate.Status.DRAFT, ProgressUpdate.Status.RETURNED):
        steps.append("submit")
    if can_review_progress(request.user, pledge) and found.status == ProgressUpdate.Status.PENDING:
        steps += ["approve", "return"]
    return render(
        request,
        "commitments/progress_detail.html",
        {
            "pledge": pledge,
            "update": found,
            "steps": steps,
            "form": form if revisable else None,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def assessment_new(request: HttpRequest, pk: int) -> HttpResponse:
    return _assessment_form(request, pk, None)


@login_required
@require_http_methods(["GET", "POST"])
def assessment_edit(request: HttpRequest, pk: int, assessment: int) -> HttpResponse:
    return _assessment_form(request, pk, assessment)


def _assessment_form(request: HttpRequest, pk: int, assessment_pk: int | None) -> HttpResponse:
    pledge = _pledge_or_refuse(request, pk)
    assessment = None
    if assessment_pk is not None:
        assessment = selectors.assessment_get(pledge=pledge, pk=assessment_pk)
        if assessment is None:
            raise Http404(_("This pledge has no such assessment."))
        if not can_edit_assessment(request.user, assessment):
            raise PermissionDenied
    elif not can_assess_pledge(request.user, pledge):
        raise PermissionDenied
    organisations = selectors.assessing_organisations(user=request.user)
    initial: dict[str, Any] = {"as_of": timezone.localdate()}
    if assessment is not None:
        initial = {
            "as_of": assessment.as_of,
            "rating": assessment.rating,
            "text": assessment.text,
            "evidence_url": assessment.evidence_url,
            "organisation": assessment.organisation_id or "",
        }
    form = AssessmentForm(request.POST or None, organisations=organisations, initial=initial)
    if request.method == "POST" and form.is_valid():
        assert isinstance(request.user, User)
        data = form.cleaned_data
        organisation = (
            organisations.filter(pk=data["organisation"]).first() if data["organisation"] else None
        )
        try:
            actions.assessment_save(
                actor=request.user,
                pledge=pledge,
                as_of=data["as_of"],
                rating=data["rating"],
                text=data["text"],
                evidence_url=data["evidence_url"],
                organisation=organisation,
                assessment=assessment,
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Your assessment is published beside the pledge."))
            return redirect(
                reverse("commitments:pledge", kwargs={"pk": pledge.pk}) + "#assessments"
            )
    return render(
        request,
        "commitments/assessment_form.html",
        {"form": form, "pledge": pledge, "assessment": assessment},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def money_new(request: HttpRequest, pk: int) -> HttpResponse:
    pledge = _pledge_or_refuse(request, pk)
    if not can_edit_pledge(request.user, pledge):
        raise PermissionDenied
    form = MoneyForm(request.POST or None, initial={"currency": "USD"})
    if request.method == "POST" and form.is_valid():
        assert isinstance(request.user, User)
        try:
            actions.money_record(
                actor=request.user, pledge=pledge, data=actions.MoneyInput(**form.cleaned_data)
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The transaction is recorded."))
            return redirect(reverse("commitments:pledge", kwargs={"pk": pledge.pk}) + "#money")
    return render(
        request,
        "commitments/money_form.html",
        {"form": form, "pledge": pledge},
        status=400 if form.errors else 200,
    )


# --- IATI files uploaded through the site -------------------------------------------------
# The file is streamed to IATI_UPLOAD_DIR (never held in memory: the size limit stops the
# upload handler as soon as it is passed), checked in a dry run whose summary is shown, and
# imported when the uploader confirms. The session remembers which waiting file is whose.

_UPLOADS_SESSION = "commitments.iati_uploads"


class _SizeLimitHandler(FileUploadHandler):
    """Stops reading an upload once it is larger than the limit (the rest is discarded)."""

    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.too_large = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.too_large = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def _upload_result_context(result: actions.IatiImportResult) -> dict[str, Any]:
    return {
        "result": result,
        "problems": [str(p) for p in result.problems],
        "warnings": result.warnings,
    }


@csrf_exempt  # checked by _iati_upload, after the size-limit handler is in place
@login_required
@require_http_methods(["GET", "POST"])
def iati_upload(request: HttpRequest) -> HttpResponse:
    """Upload an IATI file: a dry run shows what the import would do, then confirm."""
    if not can_import_iati(request.user):
        raise PermissionDenied
    limit = _SizeLimitHandler(request, _upload_limit())
    request.upload_handlers = [limit, *request.upload_handlers]
    return _iati_upload(request, limit)


@csrf_protect
def _iati_upload(request: HttpRequest, limit: _SizeLimitHandler) -> HttpResponse:
    context: dict[str, Any] = {"max_mb": settings.IATI_UPLOAD_MAX_MB}
    form = (
        IatiUploadForm(request.POST, request.FILES)
        if request.method == "POST"
        else IatiUploadForm()
    )
    if request.method == "POST":
        valid = form.is_valid()
        if limit.too_large:
            # The handler stopped the upload: the file field is empty (a required error).
            form.errors.pop("file", None)
            form.add_error(
                "file",
                _("The file is larger than %(limit)s MB, the largest that may be uploaded here.")
                % {"limit": settings.IATI_UPLOAD_MAX_MB},
            )
            valid = False
        if valid:
            assert isinstance(request.user, User)
            uploaded = form.cleaned_data["file"]
            name = Path(uploaded.name or "upload.xml").name[:200]
            token, path = _store_upload(uploaded)
            result = actions.iati_import(
                actor=request.user,
                path=path,
                schema_dir=settings.IATI_SCHEMA_DIR or None,
                file_name=name,
                dry_run=True,
            )
            if result.imported:
                waiting = request.session.get(_UPLOADS_SESSION, {})
                waiting[token] = name
                request.session[_UPLOADS_SESSION] = waiting
                context["token"] = token
            else:
                path.unlink(missing_ok=True)
            context.update(_upload_result_context(result))
    context["form"] = form
    return render(
        request,
        "commitments/iati_upload.html",
        context,
        status=400 if form.errors or ("result" in context and "token" not in context) else 200,
    )


@login_required
@require_POST
def iati_upload_confirm(request: HttpRequest) -> HttpResponse:
    """Import a file that passed its dry run (one transaction, as from the command line)."""
    if not can_import_iati(request.user):
        raise PermissionDenied
    assert isinstance(request.user, User)
    token = request.POST.get("token", "")
    waiting = request.session.get(_UPLOADS_SESSION, {})
    if token not in waiting:
        raise Http404(_("This upload is not waiting for confirmation (it may have expired)."))
    name = waiting.pop(token)
    request.session[_UPLOADS_SESSION] = waiting
    path = Path(settings.IATI_UPLOAD_DIR) / f"{token}.xml"
    if not path.is_file():
        raise Http404(_("This upload is not waiting for confirmation (it may have expired)."))
    try:
        result = actions.iati_import(
            actor=request.user,
            path=path,
            schema_dir=settings.IATI_SCHEMA_DIR or None,
            file_name=name,
        )
    finally:
        path.unlink(missing_ok=True)
    if result.imported:
        messages.success(request, _("The IATI file is imported."))
    context = {"form": IatiUploadForm(), "max_mb": settings.IATI_UPLOAD_MAX_MB, "done": True}
    context.update(_upload_result_context(result))
    return render(
        request,
        "commitments/iati_upload.html",
        context,
        status=200 if result.imported else 400,
    )


# --- Linking imported activities to a pledge ----------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def pledge_activities(request: HttpRequest, pk: int) -> HttpResponse:
    """Link imported IATI activities to a pledge (search by identifier, title, reporting
    organisation or provider), or unlink them."""
    pledge = _pledge_or_refuse(request, pk)
    if not can_link_activities(request.user, pledge):
        raise PermissionDenied
    assert isinstance(request.user, User)
    if request.method == "POST":
        activity = request.POST.get("activity", "")
        commitment = selectors.activity_get(pk=int(activity)) if activity.isdigit() else None
        if commitment is None:
            raise Http404(_("There is no such activity."))
        try:
            if request.POST.get("do") == "unlink":
                if commitment.pledge_id != pledge.pk:
                    raise Http404(_("This activity is not linked to this pledge."))
                actions.activity_unlink(actor=request.user, commitment=commitment)
                messages.success(request, _("The activity is unlinked from the pledge."))
            else:
                actions.activity_link(actor=request.user, pledge=pledge, commitment=commitment)
                messages.success(request, _("The activity is linked to the pledge."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect(reverse("commitments:pledge_activities", kwargs={"pk": pledge.pk}))
    q = request.GET.get("q", "")[:200]
    return render(
        request,
        "commitments/pledge_activities.html",
        {
            "pledge": pledge,
            "q": q,
            "linked": selectors.linked_activities(pledge=pledge),
            "found": selectors.linkable_activities(q=q),
            "most": selectors.MOST_LINKABLE,
        },
    )
