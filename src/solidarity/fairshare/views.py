"""The fair-share pages: the calculator (a GET form, so a result is a link anyone can share, and
everything works without JavaScript), its CSV and XLSX downloads, groups of States, and the
equal-voice consultations.

Each view parses the request, checks access, asks one selector or calls one action, and renders.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from solidarity.accounts.models import User
from solidarity.fairshare import selectors
from solidarity.fairshare.actions import (
    OptionInput,
    consultation_close,
    consultation_create,
    consultation_open,
    country_group_create,
    vote_cast,
)
from solidarity.fairshare.charts import NO_FIGURE_FILL, RATIO_CLASSES, gap_chart, tile_map
from solidarity.fairshare.exports import (
    calculation_csv,
    calculation_rows,
    calculation_xlsx,
    decimal,
    provenance_lines,
)
from solidarity.fairshare.forms import (
    CUSTOM_TERMS,
    DEFAULTS,
    CalculatorForm,
    ConsultationForm,
    CountryGroupForm,
)
from solidarity.fairshare.models import Consultation, ConsultationOption
from solidarity.fairshare.permissions import (
    can_define_groups,
    can_manage_consultations,
    states_user_may_vote_for,
)
from solidarity.stats.fairshare import PRESETS, FairShareError, describe, parse_key, preset_key


def _calculator_form(request: HttpRequest) -> CalculatorForm:
    data: QueryDict | dict[str, str] = request.GET if request.GET else DEFAULTS
    return CalculatorForm(data, groups=selectors.group_choices())


def _calculate(form: CalculatorForm) -> tuple[selectors.Calculation | None, str]:
    """The calculation, or None and the reason it cannot be made."""
    try:
        group = selectors.group_get(spec=form.cleaned_data["group"])
        calculation = selectors.calculate(
            key=form.chosen_key(),
            group=group,
            year=form.cleaned_data["year"],
            burden=form.cleaned_data["burden"],
            actual=form.cleaned_data["actual"] or None,
            spread=form.spread_fraction,
        )
    except (selectors.UnknownGroup, FairShareError) as error:
        return None, str(error)
    return calculation, ""


def calculator(request: HttpRequest) -> HttpResponse:
    form = _calculator_form(request)
    if not form.is_valid():
        return render(request, "fairshare/calculator.html", {"form": form}, status=400)
    calculation, problem = _calculate(form)
    context: dict[str, Any] = {"form": form, "problem": problem, "calculation": calculation}
    if calculation is not None and calculation.shares is None:
        context["problem"] = _(
            "No State of the group has every figure this key needs (%(indicators)s) for this year."
        ) % {"indicators": ", ".join(calculation.key.indicators)}
    if calculation is not None:
        rows = calculation_rows(calculation)
        context["rows"] = rows
        context["formula"] = describe(calculation.key)
        context["key"] = calculation.key
        context["provenance"] = provenance_lines(calculation)
        context["query"] = (request.GET or QueryDict(mutable=True)).urlencode() or _default_query()
        missing_by_state: dict[str, list[str]] = {}
        for missing in calculation.missing:
            missing_by_state.setdefault(missing.iso3, []).append(missing.indicator)
        context["missing_by_state"] = sorted(missing_by_state.items())
        gaps = [
            (str(row["name"] or row["iso3"]), row["gap"], _number_text(row["gap"]))
            for row in rows
            if isinstance(row["gap"], Decimal)
        ]
        if gaps:
            context["chart"] = gap_chart(gaps)
        if calculation.actual is not None and calculation.table is not None:
            by_state = {row["iso3"]: row for row in rows}
            columns = [
                (
                    name,
                    [
                        (
                            state,
                            str(by_state[state]["name"]),
                            _decimal_or_none(by_state[state]["ratio"]),
                            _ratio_text(by_state[state]["ratio"]),
                        )
                        for state in states
                    ],
                )
                for name, states in selectors.region_columns(states=calculation.group.states)
            ]
            context["grid"] = tile_map(columns)
            context["grid_columns"] = [name for name, _states in columns]
            context["ratio_classes"] = RATIO_CLASSES
            context["no_figure_fill"] = NO_FIGURE_FILL
        if calculation.table is not None:
            context["burden"] = decimal(calculation.table.burden, 0)
            context["shared"] = len(calculation.table.key_shares.shares)
    return render(request, "fairshare/calculator.html", context)


def _default_query() -> str:
    query = QueryDict(mutable=True)
    query.update(DEFAULTS)
    return query.urlencode()


def _decimal_or_none(value: object) -> Decimal | None:
    return value if isinstance(value, Decimal) else None


def _ratio_text(value: object) -> str:
    return f"{value:.2f}" if isinstance(value, Decimal) else ""


def _number_text(value: object) -> str:
    return f"{value:,.0f}" if isinstance(value, Decimal) else ""


class _CannotCompute(Exception):  # noqa: N818 (private control flow)
    pass


def _download(request: HttpRequest) -> selectors.Calculation:
    form = _calculator_form(request)
    if not form.is_valid():
        raise _CannotCompute(_("These settings cannot be computed."))
    calculation, problem = _calculate(form)
    if calculation is None:
        raise _CannotCompute(problem)
    return calculation


def _refusal(error: _CannotCompute) -> HttpResponse:
    return HttpResponse(str(error), status=400, content_type="text/plain; charset=utf-8")


def _file_name(calculation: selectors.Calculation) -> str:
    group = calculation.group.spec.replace(":", "-").lower()
    return f"fair-shares-{calculation.key.name}-{group}-{calculation.year}"


def calculator_csv(request: HttpRequest) -> HttpResponse:
    try:
        calculation = _download(request)
    except _CannotCompute as error:
        return _refusal(error)
    response = HttpResponse(calculation_csv(calculation), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_file_name(calculation)}.csv"'
    return response


def calculator_xlsx(request: HttpRequest) -> HttpResponse:
    try:
        calculation = _download(request)
    except _CannotCompute as error:
        return _refusal(error)
    response = HttpResponse(
        calculation_xlsx(calculation),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_file_name(calculation)}.xlsx"'
    return response


@require_http_methods(["GET", "POST"])
def group_list(request: HttpRequest) -> HttpResponse:
    """User-defined groups (public), and a form to define one for those signed in."""
    form = None
    if can_define_groups(request.user):
        form = CountryGroupForm(request.POST if request.method == "POST" else None)
    elif request.method == "POST":
        raise PermissionDenied
    if request.method == "POST" and form is not None and form.is_valid():
        assert isinstance(request.user, User)
        try:
            group = country_group_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Group %(name)s saved.") % {"name": group.name})
            return redirect("fairshare:groups")
    return render(
        request,
        "fairshare/group_list.html",
        {"groups": selectors.country_group_list(), "form": form},
        status=400 if form is not None and form.errors else 200,
    )


def consultation_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "fairshare/consultation_list.html",
        {
            "consultations": selectors.consultation_list(user=request.user),
            "may_manage": can_manage_consultations(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def consultation_new(request: HttpRequest) -> HttpResponse:
    if not can_manage_consultations(request.user):
        raise PermissionDenied
    form = ConsultationForm(
        request.POST if request.method == "POST" else None,
        groups=selectors.group_choices(),
        initial={"year": 2020, "quorum": Decimal("0.5")},
    )
    if request.method == "POST" and form.is_valid():
        assert isinstance(request.user, User)
        data = form.cleaned_data
        try:
            consultation = consultation_create(
                actor=request.user,
                title=data["title"],
                question=data["question"],
                group=data["group"],
                year=data["year"],
                quorum=data["quorum"],
                majority=data["majority"],
                options=[OptionInput(label, key, burden) for label, key, burden in data["options"]],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Consultation drafted. Open it when it is ready."))
            return redirect("fairshare:consultation", pk=consultation.pk)
    return render(
        request,
        "fairshare/consultation_new.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


def consultation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        consultation = selectors.consultation_get(user=request.user, pk=pk)
    except Consultation.DoesNotExist:
        raise Http404(_("No such consultation.")) from None
    result = selectors.consultation_result(consultation=consultation)
    options = [
        (option, describe(parse_key(option.key)), _calculator_query(consultation, option))
        for option in consultation.options.all()
    ]
    may_vote_for = states_user_may_vote_for(request.user, consultation)
    own_votes = {
        vote.country_id: vote.option_id for vote in result.votes if vote.country_id in may_vote_for
    }
    return render(
        request,
        "fairshare/consultation_detail.html",
        {
            "consultation": consultation,
            "result": result,
            "options": options,
            "may_vote_for": may_vote_for,
            "own_votes": own_votes,
            "may_manage": can_manage_consultations(request.user),
            "published": consultation.status == Consultation.Status.CLOSED,
            "voted_states": sorted(vote.country_id for vote in result.votes),
        },
    )


def _calculator_query(consultation: Consultation, option: ConsultationOption) -> str:
    """The calculator's address for an option, when the calculator can declare its key (a
    preset, or shares of population, GDP and GDP per capita); else an empty string."""
    query = QueryDict(mutable=True)
    query.update(
        {
            "group": consultation.group,
            "year": str(consultation.year),
            "burden": str(option.burden),
            "spread": "0.2",
        }
    )
    key = parse_key(option.key)
    if key.name in PRESETS and key.as_dict() == preset_key(key.name).as_dict():
        query["key"] = key.name
        return query.urlencode()
    fields = {
        (
            str(term["indicator"]),
            term.get("per_capita", False),
            term.get("transform", "share"),
        ): name
        for name, term in CUSTOM_TERMS.items()
    }
    query["key"] = "custom"
    for term in key.terms:
        field = fields.get((term.indicator, term.per_capita, term.transform))
        if field is None or term.cap is not None or field in query:
            return ""
        query[field] = str(Decimal(term.weight.numerator) / Decimal(term.weight.denominator))
    return query.urlencode()


@require_POST
@login_required
def consultation_vote(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        consultation = selectors.consultation_get(user=request.user, pk=pk)
        option = ConsultationOption.objects.get(
            consultation=consultation, pk=int(request.POST.get("option", "0"))
        )
    except (Consultation.DoesNotExist, ConsultationOption.DoesNotExist, ValueError):
        raise Http404(_("No such consultation or option.")) from None
    assert isinstance(request.user, User)
    country = request.POST.get("country", "")
    vote_cast(actor=request.user, consultation=consultation, country=country, option=option)
    messages.success(
        request,
        _("The vote of %(country)s is recorded: %(option)s.")
        % {"country": country, "option": option.label},
    )
    return redirect("fairshare:consultation", pk=consultation.pk)


@require_POST
@login_required
def consultation_status(request: HttpRequest, pk: int) -> HttpResponse:
    if not can_manage_consultations(request.user):
        raise PermissionDenied
    try:
        consultation = selectors.consultation_get(user=request.user, pk=pk)
    except Consultation.DoesNotExist:
        raise Http404(_("No such consultation.")) from None
    assert isinstance(request.user, User)
    change = request.POST.get("change")
    try:
        if change == "open":
            consultation_open(actor=request.user, consultation=consultation)
            messages.success(request, _("The consultation is open for votes."))
        elif change == "close":
            consultation_close(actor=request.user, consultation=consultation)
            messages.success(request, _("The consultation is closed and its results published."))
        else:
            raise Http404(_("Unknown change."))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("fairshare:consultation", pk=consultation.pk)
