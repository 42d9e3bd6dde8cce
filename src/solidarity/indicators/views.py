"""The data hub's pages: the public catalogue of indicators, its download, each indicator and
each dimension's codelist; and a data provider's label mappings.

Each view parses the request, checks access through :mod:`solidarity.accounts.permissions`, asks
one selector or calls one action, and renders.
"""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from solidarity.accounts.models import User
from solidarity.accounts.permissions import can_manage_mappings
from solidarity.indicators import selectors
from solidarity.indicators.actions import label_mapping_delete, label_mapping_set
from solidarity.indicators.forms import IndicatorFilterForm, LabelMappingForm
from solidarity.indicators.models import Dimension, Indicator, LabelMapping
from solidarity.reference import selectors as reference


def _filter_form(request: HttpRequest) -> IndicatorFilterForm:
    return IndicatorFilterForm(
        request.GET,
        objectives=reference.objective_list(),
        goals=reference.sdg_goal_list(),
        dimensions=selectors.dimension_list(),
    )


def indicator_list(request: HttpRequest) -> HttpResponse:
    form = _filter_form(request)
    if not form.is_valid():
        return render(request, "indicators/indicator_list.html", {"form": form}, status=400)
    return render(
        request,
        "indicators/indicator_list.html",
        {
            "form": form,
            "indicators": list(selectors.indicator_list(**form.filters())),
            "dimensions": selectors.dimension_list(),
        },
    )


def indicator_catalogue_csv(request: HttpRequest) -> HttpResponse:
    """The whole catalogue, one row per indicator, in English (the codes are the identifiers)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="solidarity-indicators.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "code",
            "name",
            "unit",
            "custodian",
            "sdg_indicator",
            "sdg_series",
            "objectives",
            "dimensions",
            "min_value",
            "max_value",
            "decimals",
            "definition",
            "source",
        ]
    )
    for indicator in selectors.indicator_list():
        writer.writerow(
            [
                indicator.code,
                indicator.name,
                indicator.unit,
                indicator.custodian,
                indicator.sdg_indicator_id or "",
                ";".join(s.code for s in indicator.sdg_series.all()),
                ";".join(str(o.number) for o in indicator.objectives.all()),
                ";".join(link.dimension_id for link in indicator.indicatordimension_set.all()),
                indicator.min_value_text,
                indicator.max_value_text,
                "" if indicator.decimals is None else indicator.decimals,
                indicator.definition,
                indicator.source,
            ]
        )
    return response


def indicator_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        indicator = selectors.indicator_get(code=code)
    except Indicator.DoesNotExist:
        raise Http404(_("The catalogue has no indicator with this code.")) from None
    return render(request, "indicators/indicator_detail.html", {"indicator": indicator})


def dimension_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        dimension = selectors.dimension_get(code=code)
    except Dimension.DoesNotExist:
        raise Http404(_("The catalogue has no dimension with this code.")) from None
    return render(
        request,
        "indicators/dimension_detail.html",
        {
            "dimension": dimension,
            "codes": list(selectors.code_list(dimension=dimension)),
            "indicators": dimension.indicators.order_by("order", "code"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def mapping_list(request: HttpRequest) -> HttpResponse:
    """A provider's mappings with a form to add, change (same label again) or delete one."""
    organisations = list(selectors.organisations_for_mappings(user=request.user))
    if not organisations:
        raise PermissionDenied
    chosen = request.POST.get("organisation") or request.GET.get("organisation")
    provider = next((o for o in organisations if str(o.pk) == chosen), organisations[0])
    if not can_manage_mappings(request.user, provider):
        raise PermissionDenied
    dimensions = list(selectors.dimension_list())
    mappings = selectors.label_mapping_list(provider=provider)
    address = reverse("indicators:mappings") + f"?organisation={provider.pk}"
    initial = {}
    editing = request.GET.get("edit")
    if editing:
        mapping = mappings.filter(pk=editing).first() if editing.isdigit() else None
        if mapping is not None:
            initial = {
                "kind": mapping.kind,
                "label": mapping.label,
                "dimension": mapping.dimension_id,
                "code": mapping.code.code if mapping.code else "",
            }
    form = LabelMappingForm(
        request.POST if request.POST.get("action") == "save" else None,
        dimensions=dimensions,
        initial=initial,
    )
    if request.method == "POST":
        assert isinstance(request.user, User)
        if request.POST.get("action") == "delete":
            mapping = mappings.filter(pk=request.POST.get("mapping", "")).first()
            if mapping is None:
                raise Http404(_("This mapping does not exist."))
            label_mapping_delete(actor=request.user, mapping=mapping)
            messages.success(request, _("The mapping is deleted."))
            return redirect(address)
        if form.is_valid():
            data = form.cleaned_data
            try:
                label_mapping_set(
                    actor=request.user,
                    provider=provider,
                    kind=data["kind"],
                    label=data["label"],
                    dimension=next(d for d in dimensions if d.code == data["dimension"]),
                    code=data["code"],
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    for message in errors:
                        form.add_error(field if field in form.fields else None, message)
            else:
                messages.success(request, _("The mapping is saved."))
                return redirect(address)
    return render(
        request,
        "indicators/mapping_list.html",
        {
            "organisations": organisations,
            "provider": provider,
            "mappings": list(mappings),
            "defaults": list(selectors.label_mapping_list(provider=None)),
            "form": form,
            "value_kind": LabelMapping.Kind.VALUE,
        },
        status=400 if form.errors else 200,
    )
