"""The fund's pages: calls with their published rules and results, applying, an applicant's own
status page with the post-event report, and the panel's page (screening, scoring, allocation)."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from solidarity.accounts.models import User
from solidarity.fund import actions, selectors
from solidarity.fund.forms import (
    ApplicationForm,
    DisbursementForm,
    ReportForm,
    ScoreForm,
    ScreenForm,
)
from solidarity.fund.models import Application, Decision, FundCall
from solidarity.fund.permissions import can_manage_fund


def _call_or_404(code: str) -> FundCall:
    try:
        return selectors.call_get(code=code)
    except FundCall.DoesNotExist:
        raise Http404(_("No call has this code.")) from None


def _errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, items in error.message_dict.items():
            for message in items:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def call_list(request: HttpRequest) -> HttpResponse:
    return render(request, "fund/call_list.html", {"calls": list(selectors.call_list())})


def call_detail(request: HttpRequest, code: str) -> HttpResponse:
    call = _call_or_404(code)
    return render(
        request,
        "fund/call_detail.html",
        {
            "call": call,
            "criteria": list(call.criteria.all()),
            "decisions": selectors.published_decisions(call),
            "run": selectors.published_run(call),
            "may_manage": can_manage_fund(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, code: str) -> HttpResponse:
    call = _call_or_404(code)
    assert isinstance(request.user, User)
    form = ApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.application_submit(actor=request.user, call=call, **form.cleaned_data)
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(request, _("Your application is received."))
            return redirect("fund:mine")
    return render(
        request,
        "fund/apply.html",
        {"call": call, "form": form, "missing": actions.missing_reports(request.user)},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def mine(request: HttpRequest) -> HttpResponse:
    """An applicant's own applications, their outcome and reasons, payments, and the report."""
    assert isinstance(request.user, User)
    form = ReportForm(request.POST or None)
    if request.method == "POST":
        decision = Decision.objects.filter(
            pk=request.POST.get("decision", "0") or 0, application__applicant=request.user
        ).first()
        if decision is None:
            raise Http404
        if form.is_valid():
            try:
                actions.report_submit(
                    actor=request.user, decision=decision, report=form.cleaned_data["report"]
                )
            except ValidationError as error:
                _errors(form, error)
            else:
                messages.success(request, _("Thank you: your report is received."))
                return redirect("fund:mine")
    return render(
        request,
        "fund/mine.html",
        {"applications": list(selectors.applications_of(request.user)), "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def panel(request: HttpRequest, code: str) -> HttpResponse:
    """Screening, scoring, running and publishing the allocation, for the secretariat."""
    if not can_manage_fund(request.user):
        raise PermissionDenied
    assert isinstance(request.user, User)
    call = _call_or_404(code)
    criteria = list(call.criteria.all())
    action = request.POST.get("action", "")
    address = reverse("fund:panel", args=[call.code])
    problem = ""
    if request.method == "POST":
        application = (
            Application.objects.filter(call=call, pk=request.POST.get("application", "0") or 0)
            .select_related("call")
            .first()
        )
        try:
            if action == "screen" and application is not None:
                screen = ScreenForm(request.POST)
                if not screen.is_valid():
                    raise ValidationError(_("Choose whether the application is eligible."))
                actions.application_screen(
                    actor=request.user,
                    application=application,
                    eligible=screen.cleaned_data["eligible"],
                    reason=screen.cleaned_data["reason"],
                )
            elif action == "score" and application is not None:
                scores = ScoreForm(request.POST, criteria=criteria)
                if not scores.is_valid():
                    raise ValidationError(_("Give points within each criterion's range."))
                for criterion in criteria:
                    actions.score_record(
                        actor=request.user,
                        application=application,
                        criterion=criterion,
                        points=scores.cleaned_data[f"criterion_{criterion.pk}"],
                    )
            elif action == "allocate":
                actions.allocation_run(actor=request.user, call=call)
            elif action == "disburse":
                decision = Decision.objects.filter(
                    run__call=call, pk=request.POST.get("decision", "0") or 0
                ).first()
                payment = DisbursementForm(request.POST)
                if decision is None or not payment.is_valid():
                    raise ValidationError(_("Give the amount and the date of the payment."))
                actions.disbursement_record(
                    actor=request.user, decision=decision, **payment.cleaned_data
                )
            elif action == "publish":
                run = selectors.latest_run(call)
                if run is None:
                    raise ValidationError(_("Run the allocation first."))
                actions.allocation_publish(actor=request.user, run=run)
            else:
                raise Http404
        except ValidationError as error:
            problem = " ".join(error.messages)
        except PermissionDenied as error:
            problem = str(error)
        else:
            return redirect(address)
    applications = list(selectors.panel_applications(call))
    run = selectors.latest_run(call)
    return render(
        request,
        "fund/panel.html",
        {
            "call": call,
            "criteria": criteria,
            "rows": [
                (a, actions.application_score(a, criteria), ScoreForm(criteria=criteria))
                for a in applications
            ],
            "run": run,
            "decisions": list(
                run.decisions.select_related("application").prefetch_related("disbursements")
            )
            if run
            else [],
            "problem": problem,
        },
        status=400 if problem else 200,
    )


def results_csv(request: HttpRequest, code: str) -> HttpResponse:
    """A call's published results, one row per eligible application (the header only before
    publication)."""
    call = _call_or_404(code)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="solidarity-fund-{call.code}.csv"'
    writer = csv.writer(response)
    writer.writerow(["applicant", "kind", "country", "score", "awarded", "amount", "reason"])
    for decision in selectors.published_decisions(call):
        application = decision.application
        writer.writerow(
            [
                application.name,
                application.kind,
                application.country_id,
                decision.score,
                "yes" if decision.awarded else "no",
                decision.amount,
                decision.reason,
            ]
        )
    return response
