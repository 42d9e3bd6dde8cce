"""The human-rights pages: recommendations per State (grouped by objective and cluster) and per
objective across States, each recommendation with its labels, the State's implementation status
and others' assessments; exports; the ratification tracker.

Each view parses the request, checks access through :mod:`solidarity.rights.permissions`, asks a
selector or calls one action, and renders.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from openpyxl import Workbook

from solidarity.accounts.models import User
from solidarity.reference import selectors as reference
from solidarity.reference.models import Country, Objective
from solidarity.rights import selectors
from solidarity.rights.actions import (
    assessment_add,
    implementation_status_record,
    label_add,
    label_decide,
    ratification_set,
)
from solidarity.rights.forms import (
    AssessmentForm,
    ImplementationStatusForm,
    RatificationForm,
    RecommendationFilterForm,
)
from solidarity.rights.models import Recommendation
from solidarity.rights.permissions import (
    can_assess,
    can_assess_as_organisation,
    can_decide_labels,
    can_enter_ratifications,
    can_read_label_decisions,
    can_update_implementation,
)

PAGE_SIZE = 50
CLUSTERS_SHOWN = 20


def _filter_form(request: HttpRequest, *, with_country: bool) -> RecommendationFilterForm:
    return RecommendationFilterForm(
        request.GET,
        objectives=reference.objective_list(),
        mechanisms=selectors.mechanism_list(),
        groups=reference.population_group_list(),
        countries=reference.country_list() if with_country else None,
    )


def _country_or_404(iso3: str) -> Country:
    try:
        return reference.country_get(iso3=iso3)
    except Country.DoesNotExist:
        raise Http404(_("There is no country or area with this code.")) from None


def index(request: HttpRequest) -> HttpResponse:
    counts = selectors.objective_counts()
    return render(
        request,
        "rights/index.html",
        {
            "states": selectors.states_with_recommendations(),
            "objectives": [(o, counts.get(o.number, 0)) for o in reference.objective_list()],
            "mechanisms": selectors.mechanism_list(),
        },
    )


def state(request: HttpRequest, iso3: str) -> HttpResponse:
    country = _country_or_404(iso3)
    form = _filter_form(request, with_country=False)
    context: dict[str, Any] = {"country": country, "form": form}
    if not form.is_valid():
        return render(request, "rights/state.html", context, status=400)
    recommendations = selectors.recommendation_list(form.filters(country=country.iso3))
    context["groups"] = selectors.recommendations_by_objective(recommendations)
    # A State has up to a few thousand recommendations: each objective shows its first clusters,
    # and links to all of them (the page filtered by that objective shows them all).
    shown = CLUSTERS_SHOWN if form.cleaned_data["objective"] is None else None
    context["clusters_shown"] = f":{shown}" if shown else ":"
    context["clusters_shown_count"] = shown or 0
    context["count"] = len(recommendations)
    context["query"] = request.GET.urlencode()
    context["ratifications"] = selectors.country_ratifications(country=country)
    context["can_enter"] = can_enter_ratifications(request.user)
    return render(request, "rights/state.html", context)


def objective(request: HttpRequest, number: int) -> HttpResponse:
    try:
        objective_row = reference.objective_get(number=number)
    except Objective.DoesNotExist:
        raise Http404(_("The Global Compact has no objective with this number.")) from None
    form = _filter_form(request, with_country=True)
    context: dict[str, Any] = {"objective": objective_row, "form": form}
    if not form.is_valid():
        return render(request, "rights/objective.html", context, status=400)
    recommendations = selectors.recommendation_list(form.filters(objective=number))
    page = Paginator(recommendations, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context |= {"page": page, "query": query.urlencode()}
    return render(request, "rights/objective.html", context)


EXPORT_COLUMNS = [
    "id",
    "state",
    "mechanism",
    "kind",
    "document",
    "published_on",
    "session",
    "cycle",
    "recommending_state",
    "position",
    "position_source",
    "implementation_status",
    "objectives",
    "groups",
    "cluster",
    "migration_relevant",
    "text",
]


def _export_rows(recommendations: Iterable[Recommendation]) -> Iterator[list[Any]]:
    for r in recommendations:
        yield [
            r.pk,
            r.country_id,
            r.mechanism_id,
            r.kind,
            r.document.symbol if r.document else "",
            r.published_on.isoformat() if r.published_on else "",
            r.session,
            r.cycle,
            r.recommending_label,
            r.position,
            r.position_source,
            r.status,
            ";".join(
                f"{label.objective_id}:{label.provenance}"
                for label in r.standing_labels  # type: ignore[attr-defined]
            ),
            ";".join(g.code for g in r.population_groups.all()),
            "" if r.cluster is None else r.cluster,
            "" if r.migration_relevant is None else int(r.migration_relevant),
            r.text,
        ]


def _state_export(request: HttpRequest, iso3: str) -> tuple[Country, list[Recommendation]]:
    country = _country_or_404(iso3)
    form = _filter_form(request, with_country=False)
    if not form.is_valid():
        raise Http404(_("These filters cannot be used."))
    return country, list(selectors.recommendation_list(form.filters(country=country.iso3)))


def state_csv(request: HttpRequest, iso3: str) -> HttpResponse:
    """The State's recommendations as the page filters them, one row each, in CSV."""
    country, recommendations = _state_export(request, iso3)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="solidarity-recommendations-{country.iso3}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(EXPORT_COLUMNS)
    writer.writerows(_export_rows(recommendations))
    return response


def state_xlsx(request: HttpRequest, iso3: str) -> HttpResponse:
    country, recommendations = _state_export(request, iso3)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="recommendations")
    sheet.append(EXPORT_COLUMNS)
    for row in _export_rows(recommendations):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="solidarity-recommendations-{country.iso3}.xlsx"'
    )
    return response


def _recommendation_or_404(pk: int) -> Recommendation:
    try:
        return selectors.recommendation_get(pk=pk)
    except Recommendation.DoesNotExist:
        raise Http404(_("There is no recommendation with this number.")) from None


def recommendation(request: HttpRequest, pk: int) -> HttpResponse:
    recommendation_row = _recommendation_or_404(pk)
    user = request.user
    return render(
        request,
        "rights/recommendation.html",
        {
            "recommendation": recommendation_row,
            "labels": list(recommendation_row.objective_labels.all()),
            "cluster": selectors.cluster_members(recommendation=recommendation_row),
            "can_update": can_update_implementation(user, recommendation_row.country_id),
            "can_assess": can_assess(user),
            "can_decide": can_decide_labels(user),
            "objectives": reference.objective_list() if can_decide_labels(user) else [],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def status_new(request: HttpRequest, pk: int) -> HttpResponse:
    recommendation_row = _recommendation_or_404(pk)
    if not can_update_implementation(request.user, recommendation_row.country_id):
        raise PermissionDenied
    form = ImplementationStatusForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        assert isinstance(request.user, User)
        try:
            implementation_status_record(
                actor=request.user, recommendation=recommendation_row, **form.cleaned_data
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("The implementation status is recorded."))
            return redirect("rights:recommendation", pk=pk)
    return render(
        request, "rights/status_form.html", {"form": form, "recommendation": recommendation_row}
    )


@login_required
@require_http_methods(["GET", "POST"])
def assessment_new(request: HttpRequest, pk: int) -> HttpResponse:
    recommendation_row = _recommendation_or_404(pk)
    if not can_assess(request.user):
        raise PermissionDenied
    form = AssessmentForm(
        request.POST or None, for_organisation=can_assess_as_organisation(request.user)
    )
    if request.method == "POST" and form.is_valid():
        assert isinstance(request.user, User)
        try:
            assessment_add(
                actor=request.user, recommendation=recommendation_row, **form.cleaned_data
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("The assessment is added."))
            return redirect("rights:recommendation", pk=pk)
    return render(
        request,
        "rights/assessment_form.html",
        {"form": form, "recommendation": recommendation_row},
    )


@login_required
@require_POST
def label_decision(request: HttpRequest, pk: int, objective: int) -> HttpResponse:
    if not can_decide_labels(request.user):
        raise PermissionDenied
    label = selectors.label_get(recommendation_id=pk, objective_number=objective)
    if label is None:
        raise Http404(_("This recommendation has no label for this objective."))
    decision = request.POST.get("decision", "")
    assert isinstance(request.user, User)
    try:
        label_decide(actor=request.user, label=label, decision=decision)
    except ValidationError:
        messages.error(request, _("Confirm or reject the label."))
    else:
        messages.success(request, _("Your decision is recorded."))
    return redirect("rights:recommendation", pk=pk)


@login_required
@require_POST
def label_new(request: HttpRequest, pk: int) -> HttpResponse:
    if not can_decide_labels(request.user):
        raise PermissionDenied
    recommendation_row = _recommendation_or_404(pk)
    try:
        objective_row = reference.objective_get(number=int(request.POST.get("objective", "")))
    except (ValueError, Objective.DoesNotExist):
        messages.error(request, _("Choose one of the 23 objectives."))
        return redirect("rights:recommendation", pk=pk)
    assert isinstance(request.user, User)
    label_add(actor=request.user, recommendation=recommendation_row, objective=objective_row)
    messages.success(request, _("The objective is added."))
    return redirect("rights:recommendation", pk=pk)


@login_required
def label_decisions_csv(request: HttpRequest) -> HttpResponse:
    """Every label people confirmed or rejected, with the text: training data for the
    classifier. Who decided is left out (the audit trail has it)."""
    if not can_read_label_decisions(request.user):
        raise PermissionDenied
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="solidarity-label-decisions.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "recommendation",
            "objective",
            "decision",
            "provenance",
            "score",
            "model_version",
            "decided_at",
            "text",
        ]
    )
    for label in selectors.label_decisions():
        writer.writerow(
            [
                label.recommendation_id,
                label.objective_id,
                label.decision,
                label.provenance,
                "" if label.score is None else f"{label.score:.4f}",
                label.model_version,
                label.decided_at.isoformat() if label.decided_at else "",
                label.recommendation.text,
            ]
        )
    return response


def ratifications(request: HttpRequest) -> HttpResponse:
    """Where every UN member State stands on each treaty and ILO convention, the Migrant Workers
    Convention first."""
    treaties = list(selectors.treaty_list())
    treaties.sort(key=lambda t: (t.code != "ICMW", t.kind == "protocol", t.order))
    counts = selectors.ratification_counts(treaties=treaties)
    return render(
        request,
        "rights/ratifications.html",
        {
            "treaties": treaties,
            "treaty_counts": [(treaty, counts[treaty.code]) for treaty in treaties],
            "rows": selectors.ratification_table(treaties=treaties),
            "can_enter": can_enter_ratifications(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def ratification_edit(request: HttpRequest, iso3: str, code: str) -> HttpResponse:
    if not can_enter_ratifications(request.user):
        raise PermissionDenied
    country = _country_or_404(iso3)
    treaty = reference.treaty_list().filter(code=code).first()
    if treaty is None:
        raise Http404(_("The catalogue has no treaty with this code."))
    current = selectors.ratification_get(country=country, treaty=treaty)
    initial = (
        {"status": current.status, "year": current.year, "source": current.source}
        if current
        else None
    )
    form = RatificationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        assert isinstance(request.user, User)
        try:
            ratification_set(
                actor=request.user, country=country, treaty=treaty, **form.cleaned_data
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("The status is saved."))
            return redirect("rights:state", iso3=country.iso3)
    return render(
        request,
        "rights/ratification_form.html",
        {"form": form, "country": country, "treaty": treaty, "current": current},
    )
