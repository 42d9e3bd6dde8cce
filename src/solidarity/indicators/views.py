"""The data hub's pages: the public catalogue of indicators, its download, each indicator and
each dimension's codelist; a data provider's label mappings; submissions, datasets and the review
of their versions.

Each view parses the request, checks access through :mod:`solidarity.accounts.permissions`, asks
one selector or calls one action, and renders.
"""

from __future__ import annotations

import csv
import hashlib
import io
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from openpyxl import Workbook

from solidarity.accounts.models import User
from solidarity.accounts.permissions import can_manage_mappings, can_review_data, can_submit_data
from solidarity.indicators import publication, sdmx_cache, selectors
from solidarity.indicators.actions import (
    dataset_version_approve,
    dataset_version_publish,
    dataset_version_return,
    dataset_version_submit,
    label_mapping_delete,
    label_mapping_set,
    submission_import,
)
from solidarity.indicators.charts import bar_chart
from solidarity.indicators.forms import (
    CoverageFilterForm,
    IndicatorFilterForm,
    LabelMappingForm,
    ReviewForm,
    SubmissionForm,
)
from solidarity.indicators.models import Code, DatasetVersion, Dimension, Indicator, LabelMapping
from solidarity.reference import selectors as reference
from solidarity.web.caching import public_page

# How long a worker keeps an indicator's published data it no longer serves (a publication,
# an embargo's end or a catalogue change gives a new key).
PUBLISHED_DATA_SECONDS = 3600


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


def _indicator_or_404(code: str) -> Indicator:
    try:
        return selectors.indicator_get(code=code)
    except Indicator.DoesNotExist:
        raise Http404(_("The catalogue has no indicator with this code.")) from None


@public_page()
def indicator_detail(request: HttpRequest, code: str) -> HttpResponse:
    """The indicator's definition and, for each dataset with published data, the series the
    filters select (the headline series by default) as a chart, a table and a description.

    Anonymous visitors get the whole page from the cache (:func:`solidarity.web.caching.
    public_page`); for signed-in users, only the published data are kept."""
    indicator = _indicator_or_404(code)
    selected = {key: request.GET[key] for key in request.GET}
    # The published data (filters, chart, table: most of the page's work) are the same for
    # everyone until a version is published, an embargo ends or the catalogue changes: kept in
    # the worker's cache under the public state (no query most of the time). Only that part
    # for signed-in users: the rest of the page carries their name and menu.
    state = sdmx_cache.public_state()
    scope = (
        indicator.code,
        get_language(),
        state.revision,
        state.indicator_stamps(indicator.code),
        sorted(selected.items()),
    )
    key = "indicators:published-data:" + hashlib.sha256(repr(scope).encode()).hexdigest()
    published_data = cache.get(key)
    if published_data is None:
        datasets = publication.published_datasets(indicator=indicator, selected=selected)
        charts = [
            bar_chart(
                [(point.time_period, point.value) for point in dataset.points],
                value_text=[publication.plain_number(point.value) for point in dataset.points],
            )
            for dataset in datasets
        ]
        published_data = render_to_string(
            "indicators/_published_data.html",
            {"indicator": indicator, "datasets": list(zip(datasets, charts, strict=True))},
        )
        cache.set(key, published_data, timeout=PUBLISHED_DATA_SECONDS)
    return render(
        request,
        "indicators/indicator_detail.html",
        # Rendered (and escaped) by the template above, kept as text in the cache.
        {"indicator": indicator, "published_data": mark_safe(published_data)},  # noqa: S308
    )


def _download_scope(request: HttpRequest, code: str) -> tuple[Indicator, Code | None, str]:
    indicator = _indicator_or_404(code)
    area = request.GET.get("ref_area", "").strip()
    if not area:
        return indicator, None, f"solidarity-{indicator.code}"
    try:
        ref_area = selectors.ref_area_get(iso3_or_m49=area)
    except Code.DoesNotExist:
        raise Http404(_("No country or area has this code.")) from None
    return indicator, ref_area, f"solidarity-{indicator.code}-{area.upper()}"


def indicator_data_csv(request: HttpRequest, code: str) -> HttpResponse:
    """The published observations of an indicator as a tidy CSV table (one column per dimension,
    SDMX column names), optionally for one reference area."""
    indicator, ref_area, name = _download_scope(request, code)
    columns = publication.download_columns(indicator=indicator)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    writer = csv.writer(response)
    writer.writerow(columns)
    for row in publication.download_rows(indicator=indicator, columns=columns, ref_area=ref_area):
        writer.writerow(
            publication.plain_number(cell) if isinstance(cell, Decimal) else cell for cell in row
        )
    return response


def indicator_data_xlsx(request: HttpRequest, code: str) -> HttpResponse:
    """The same table as :func:`indicator_data_csv`, as an Excel workbook written row by row."""
    indicator, ref_area, name = _download_scope(request, code)
    columns = publication.download_columns(indicator=indicator)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="data")
    sheet.append(columns)
    for row in publication.download_rows(indicator=indicator, columns=columns, ref_area=ref_area):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


def coverage(request: HttpRequest) -> HttpResponse:
    """Which breakdowns of each indicator a country's published data have, and which are
    missing; filtered by indicator and country."""
    form = CoverageFilterForm(
        request.GET,
        indicators=selectors.indicator_choices(),
        countries=reference.country_list(),
    )
    if not form.is_valid():
        return render(request, "indicators/coverage.html", {"form": form}, status=400)
    indicator = form.cleaned_data["indicator"]
    country = form.cleaned_data["country"]
    ref_area = None
    if country:
        try:
            ref_area = selectors.ref_area_get(iso3_or_m49=country)
        except Code.DoesNotExist:
            raise Http404(_("No country or area has this code.")) from None
    rows = publication.coverage_report(
        indicator=Indicator.objects.get(pk=indicator) if indicator else None, ref_area=ref_area
    )
    return render(request, "indicators/coverage.html", {"form": form, "rows": rows})


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


OBSERVATIONS_PER_PAGE = 100


@login_required
@require_http_methods(["GET", "POST"])
def submission_new(request: HttpRequest) -> HttpResponse:
    """Upload an Open SDG file for one of the organisations the user provides data for: checked
    (dry run) or imported as a new draft version, with the import summary shown."""
    organisations = list(selectors.organisations_for_submissions(user=request.user))
    if not organisations:
        raise PermissionDenied
    indicators = list(selectors.indicator_choices())
    form = SubmissionForm(
        request.POST or None,
        request.FILES or None,
        indicators=indicators,
        organisations=organisations,
    )
    context: dict[str, object] = {"form": form}
    if request.method == "POST" and form.is_valid():
        assert isinstance(request.user, User)
        data = form.cleaned_data
        provider = next(o for o in organisations if str(o.pk) == data["organisation"])
        indicator = next(i for i in indicators if i.code == data["indicator"])
        area = data["ref_area"] or provider.country_id or ""
        try:
            ref_area = selectors.ref_area_get(iso3_or_m49=area)
        except Code.DoesNotExist:
            form.add_error("ref_area", _("No country or area has this code."))
        else:
            upload = data["file"]
            result = submission_import(
                actor=request.user,
                indicator=indicator,
                provider=provider,
                ref_area=ref_area,
                file=upload.file,
                file_name=upload.name,
                dry_run=data["dry_run"],
                revision_note=data["revision_note"],
            )
            context["summary"] = result.summary.as_json()
            context["version"] = result.version
            context["dry_run"] = data["dry_run"]
    return render(
        request,
        "indicators/submission_new.html",
        context,
        status=400 if form.errors else 200,
    )


@login_required
def dataset_list(request: HttpRequest) -> HttpResponse:
    datasets = list(selectors.dataset_list_for_user(user=request.user).prefetch_related("versions"))
    return render(request, "indicators/dataset_list.html", {"datasets": datasets})


def _version_or_refuse(request: HttpRequest, dataset_id: int, number: int) -> DatasetVersion:
    try:
        return selectors.dataset_version_get(
            user=request.user, dataset_id=dataset_id, number=number
        )
    except DatasetVersion.DoesNotExist:
        raise Http404(_("This dataset has no such version.")) from None


@require_http_methods(["GET", "POST"])
def version_detail(request: HttpRequest, dataset_id: int, number: int) -> HttpResponse:
    """A dataset version: its import summary, its observations page by page, the review steps
    the user may take, and what changed since the previous version."""
    try:
        version = _version_or_refuse(request, dataset_id, number)
    except PermissionDenied:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        assert isinstance(request.user, User)
        review = ReviewForm(request.POST)
        if not review.is_valid():
            raise PermissionDenied
        step = review.cleaned_data["step"]
        try:
            if step == "submit":
                dataset_version_submit(actor=request.user, version=version)
            elif step == "return":
                dataset_version_return(
                    actor=request.user, version=version, reason=review.cleaned_data["reason"]
                )
            elif step == "approve":
                dataset_version_approve(actor=request.user, version=version)
            else:
                dataset_version_publish(
                    actor=request.user,
                    version=version,
                    embargo_until=review.cleaned_data["embargo_until"],
                )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("The version is now: %(status)s.")
                % {
                    "status": DatasetVersion.Status(
                        DatasetVersion.objects.get(pk=version.pk).status
                    ).label
                },
            )
        return redirect(request.path)
    observations = selectors.observation_list(user=request.user, version=version)
    page = Paginator(observations, OBSERVATIONS_PER_PAGE).get_page(request.GET.get("page"))
    diff = None
    previous = None
    if version.number > 1:
        previous = version.dataset.versions.filter(number=version.number - 1).first()
        if previous is not None and selectors.can_read_version(request.user, previous):
            diff = selectors.dataset_version_diff(old=previous, new=version)
    provider = version.dataset.provider
    status = version.status
    steps = []
    if can_submit_data(request.user, provider) and status in ("draft", "returned"):
        steps.append("submit")
    if can_review_data(request.user) and status == "submitted":
        steps += ["approve", "return"]
    if can_review_data(request.user) and status == "approved":
        steps.append("publish")
    return render(
        request,
        "indicators/version_detail.html",
        {
            "version": version,
            "dataset": version.dataset,
            "page": page,
            "diff": diff,
            "previous": previous,
            "steps": steps,
            "summary": version.import_summary,
            "versions": list(version.dataset.versions.order_by("-number")),
        },
    )
