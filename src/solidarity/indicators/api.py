"""The data hub's catalogue over the JSON API: indicators, dimensions and their codelists.

The catalogue is public and read-only, like the reference catalogue: each operation parses its
filters, calls one selector from :mod:`solidarity.indicators.selectors` and returns a typed
schema; a filter value that names nothing raises
:class:`~solidarity.reference.selectors.UnknownFilter`, which the API turns into a 400. Texts
come in English, French and Spanish side by side. Submissions
(``POST /submissions``) need a signed-in data provider and go through the same action as the web
upload and the command line.
"""

from __future__ import annotations

import hashlib
from typing import BinaryIO, cast

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.http import parse_etags, quote_etag
from ninja import Field, File, Form, Query, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.responses import Status
from ninja.security import django_auth

from solidarity.accounts.models import User
from solidarity.accounts.selectors import organisation_find
from solidarity.api.schemas import Problem
from solidarity.indicators import sdmx_cache, selectors
from solidarity.indicators.actions import submission_import
from solidarity.indicators.models import Code, Dimension, Indicator

router = Router()

# How long a worker keeps a catalogue answer it no longer serves (a new revision has its own).
CATALOGUE_ANSWER_SECONDS = 3600


class IndicatorDimensionOut(Schema):
    code: str
    name: str
    name_fr: str
    name_es: str


class HubIndicatorOut(Schema):
    code: str = Field(description="10.7.3 for an SDG indicator, GCM_… for a GCM-specific one.")
    name: str
    name_fr: str
    name_es: str
    definition: str
    definition_fr: str
    definition_es: str
    unit: str
    unit_fr: str
    unit_es: str
    custodian: str
    objectives: list[int] = Field(description="Numbers of the GCM objectives it follows.")
    sdg_indicator: str | None = Field(description="Code of the SDG indicator, if it is one.")
    sdg_series: list[str] = Field(description="Codes of the SDG data series that measure it.")
    dimensions: list[IndicatorDimensionOut] = Field(
        description="The dimensions it may be broken down by, in order."
    )
    min_value: float | None = Field(description="Smallest valid value, if bounded.")
    max_value: float | None = Field(description="Largest valid value, if bounded.")
    decimals: int | None
    source: str

    @staticmethod
    def resolve_objectives(obj: Indicator) -> list[int]:
        # The prefetched rows: a list costs a fixed number of queries, not one per indicator.
        return [objective.number for objective in obj.objectives.all()]

    @staticmethod
    def resolve_sdg_indicator(obj: Indicator) -> str | None:
        return obj.sdg_indicator_id

    @staticmethod
    def resolve_sdg_series(obj: Indicator) -> list[str]:
        return [series.code for series in obj.sdg_series.all()]

    @staticmethod
    def resolve_dimensions(obj: Indicator) -> list[Dimension]:
        return [link.dimension for link in obj.indicatordimension_set.all()]


class IndicatorFilters(Schema):
    objective: int | None = Field(None, description="Only indicators following this objective.")
    dimension: str | None = Field(None, description="Only indicators broken down by it, e.g. SEX.")
    q: str = Field("", description="Words in the code, name or definition.")


@router.get(
    "/indicators",
    response=list[HubIndicatorOut],
    tags=["Data hub"],
    summary="List the indicators of the catalogue",
    description="The data hub's indicators — the SDG indicators relevant to migration and the "
    "GCM-specific ones — with their GCM objectives, SDG indicator and series, unit, custodian and "
    "the dimensions each may be broken down by. The whole SDG framework is at "
    "`/api/v1/sdg/indicators`.",
)
def indicator_list(request: HttpRequest, filters: Query[IndicatorFilters]) -> QuerySet[Indicator]:
    return selectors.indicator_list(
        objective=filters.objective, dimension=filters.dimension, q=filters.q
    )


@router.get(
    "/indicators/{code}",
    response={200: HubIndicatorOut, 404: Problem},
    tags=["Data hub"],
    summary="Get one indicator of the catalogue",
    description="One indicator by its code, e.g. `10.7.3` or `GCM_MIGRANT_STOCK`.",
)
def indicator_get(request: HttpRequest, code: str) -> HttpResponse:
    # Every change to the catalogue raises its revision (see sdmx_cache.catalogue_changed),
    # which each worker keeps in memory (sdmx_cache.public_state): the answer is kept per
    # revision in the worker's cache, so a repeated request costs no query and no
    # serialisation, and a client that has the answer gets a 304 for as little.
    number, changed_at = sdmx_cache.public_state().revision
    revision = f"{number}-{changed_at.timestamp() if changed_at else 0:.6f}"
    etag = quote_etag(f"catalogue-{revision}")
    if etag in parse_etags(request.headers.get("If-None-Match", "")):
        return HttpResponseNotModified(headers={"ETag": etag})
    key = "indicators:api:indicator:" + hashlib.sha256(f"{revision}|{code}".encode()).hexdigest()
    body = cache.get(key)
    if body is None:
        try:
            indicator = selectors.indicator_get(code=code)
        except Indicator.DoesNotExist:
            raise HttpError(404, f"No indicator with the code {code!r} in the catalogue.") from None
        body = HubIndicatorOut.from_orm(indicator).model_dump_json()
        cache.set(key, body, timeout=CATALOGUE_ANSWER_SECONDS)
    return HttpResponse(
        body,
        content_type="application/json; charset=utf-8",
        headers={"ETag": etag, "Cache-Control": "public, max-age=60"},
    )


class DimensionOut(Schema):
    code: str = Field(description="SDMX identifier, e.g. SEX or MIGRATORY_STATUS.")
    name: str
    name_fr: str
    name_es: str
    description: str
    description_fr: str
    description_es: str
    sdg_concept: str = Field(
        description="The SDG data structure's dimension it maps to (COMPOSITE_BREAKDOWN for "
        "migratory status, citizenship and country of birth); empty if none."
    )
    provider_specific: bool = Field(description="true: each provider keeps its own codelist.")


class CodeOut(Schema):
    code: str
    name: str
    name_fr: str
    name_es: str
    parent: str | None = Field(description="The code this one is part of, e.g. Y15T64 for Y15T24.")
    sdg_code: str = Field(description="The code in the SDG data structure; empty if none known.")

    @staticmethod
    def resolve_parent(obj: Code) -> str | None:
        return obj.parent.code if obj.parent is not None else None


@router.get(
    "/dimensions",
    response=list[DimensionOut],
    tags=["Data hub"],
    summary="List the dimensions",
    description="The named dimensions indicators are broken down by, with the SDG data "
    "structure's dimension each maps to.",
)
def dimension_list(request: HttpRequest) -> QuerySet[Dimension]:
    return selectors.dimension_list()


@router.get(
    "/dimensions/{dimension}/codes",
    response={200: list[CodeOut], 404: Problem},
    tags=["Data hub"],
    summary="List the codes of a dimension",
    description="The common codelist of a dimension, in order, with each code's parent (age "
    "groups in broad groups, countries in M49 regions) and SDG code. Places are coded by UN M49.",
)
def dimension_code_list(request: HttpRequest, dimension: str) -> QuerySet[Code]:
    try:
        found = selectors.dimension_get(code=dimension)
    except Dimension.DoesNotExist:
        raise HttpError(404, f"No dimension with the code {dimension!r}.") from None
    return selectors.code_list(dimension=found)


class ProblemOut(Schema):
    file: str
    row: int | None = Field(description="Row as a spreadsheet shows it (the header is row 1).")
    column: str | None
    value: str | None
    reason: str
    severity: str = Field(description="error (blocks the import) or warning.")


class ImportSummaryOut(Schema):
    file: str
    valid: bool = Field(description="true when the file has no errors.")
    imported: bool = Field(description="true when a new version was stored.")
    dataset: int | None = Field(description="Id of the dataset, once imported.")
    version: int | None = Field(description="Number of the new version, once imported.")
    rows_read: int
    observations_valid: int
    errors: int
    warnings: int
    by_reason: dict[str, int] = Field(description="How many problems of each kind.")
    problems: list[ProblemOut] = Field(description="The first 1,000 problems.")
    problems_left_out: int


@router.post(
    "/submissions",
    auth=django_auth,
    response={
        200: ImportSummaryOut,
        400: Problem,
        401: Problem,
        403: Problem,
        422: ImportSummaryOut,
    },
    tags=["Data hub"],
    summary="Submit an Open SDG file",
    description="Check an Open SDG indicator CSV file (multipart upload, session sign-in and "
    "CSRF token) and, unless `dry_run`, store it as the next draft version of the provider's "
    "dataset for the indicator and reference area. Only the provider's data providers may submit. "
    "Answers the import summary: 200 when the file is valid (imported unless a dry run), 422 "
    "when it has errors (nothing stored).",
)
def submission_create(
    request: HttpRequest,
    file: File[UploadedFile],
    indicator: Form[str],
    provider: Form[str],
    ref_area: Form[str] = "",
    dry_run: Form[bool] = False,
    revision_note: Form[str] = "",
) -> Status[dict[str, object]]:
    user = request.user
    assert isinstance(user, User)  # django_auth lets only signed-in users through.
    organisation = organisation_find(name_or_acronym=provider, allow_id=True)
    if organisation is None:
        raise HttpError(400, f"No organisation {provider!r}.")
    try:
        indicator_row = selectors.indicator_get(code=indicator)
    except Indicator.DoesNotExist:
        raise HttpError(400, f"No indicator with the code {indicator!r}.") from None
    area = ref_area or organisation.country_id or ""
    try:
        area_code = selectors.ref_area_get(iso3_or_m49=area)
    except Code.DoesNotExist:
        raise HttpError(400, f"No reference area {area!r}.") from None
    try:
        result = submission_import(
            actor=user,
            indicator=indicator_row,
            provider=organisation,
            ref_area=area_code,
            # The upload's own file object: a BytesIO or a temporary file, both binary and seekable.
            file=cast(BinaryIO, file.file),
            file_name=file.name or "upload.csv",
            dry_run=dry_run,
            revision_note=revision_note,
        )
    except PermissionDenied:
        raise HttpError(
            403, "Only the organisation's data providers may submit its data."
        ) from None
    summary = result.summary.as_json()
    summary["imported"] = result.version is not None
    summary["dataset"] = result.version.dataset_id if result.version else None
    summary["version"] = result.version.number if result.version else None
    return Status(422 if result.summary.has_errors else 200, summary)
