"""The SDMX REST API under ``/sdmx/`` (SDMX 2.x conventions): ``data``, ``structure`` and
``availability``. Public and read-only: published data only, never a draft, an embargoed version or
a confidential cell (:mod:`solidarity.indicators.sdmx` reads only those).

Errors are SDMX-ML 2.1 error messages, in English as SDMX services answer them.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import chain
from typing import Any, Literal, cast

from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.utils.cache import get_conditional_response
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date, quote_etag
from django.views.decorators.http import require_safe
from lxml import etree  # type: ignore[import-untyped]  # no lxml-stubs pinned here

from solidarity.indicators import sdmx as hub
from solidarity.indicators import sdmx_cache
from solidarity.indicators.models import DatasetVersion
from solidarity.stats import sdmx

_MES = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message"
_COM = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_CHUNK = 64 * 1024


def sdmx_error(status: int, code: int, text: str) -> HttpResponse:
    """An SDMX-ML 2.1 error message (SDMX codes: 100 no results, 140 syntax error, 406 not
    acceptable, 501 not implemented)."""
    root = etree.Element(f"{{{_MES}}}Error", nsmap={"mes": _MES, "com": _COM})
    message = etree.SubElement(root, f"{{{_MES}}}ErrorMessage", code=str(code))
    etree.SubElement(message, f"{{{_COM}}}Text", {_XML_LANG: "en"}).text = text
    body = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return HttpResponse(body, status=status, content_type="application/xml; charset=utf-8")


# Formats and content negotiation --------------------------------------------------------------


@dataclass(frozen=True)
class DataFormat:
    name: str
    media_type: str
    kind: Literal["ml", "csv", "json"]
    ml_format: sdmx.MlDataFormat | None = None
    csv_version: sdmx.CsvVersion | None = None


DATA_FORMATS = {
    f.name: f
    for f in (
        DataFormat(
            "genericdata",
            "application/vnd.sdmx.genericdata+xml;version=2.1",
            "ml",
            ml_format="2.1-generic",
        ),
        DataFormat(
            "structurespecificdata",
            "application/vnd.sdmx.structurespecificdata+xml;version=2.1",
            "ml",
            ml_format="2.1-structure-specific",
        ),
        DataFormat(
            "structurespecificdata-3.0",
            "application/vnd.sdmx.data+xml;version=3.0.0",
            "ml",
            ml_format="3.0-structure-specific",
        ),
        DataFormat("csv-1.0", "application/vnd.sdmx.data+csv;version=1.0.0", "csv", None, "1.0"),
        DataFormat("csv", "application/vnd.sdmx.data+csv;version=2.0.0", "csv", None, "2.0"),
        DataFormat("jsondata", "application/vnd.sdmx.data+json;version=2.1.0", "json"),
    )
}
# Media types (type, version or "") -> format. The version-less and generic XML types get the
# SDMX 2.1 web services' defaults.
_DATA_MEDIA = {
    ("application/vnd.sdmx.genericdata+xml", "2.1"): "genericdata",
    ("application/vnd.sdmx.genericdata+xml", ""): "genericdata",
    ("application/vnd.sdmx.structurespecificdata+xml", "2.1"): "structurespecificdata",
    ("application/vnd.sdmx.structurespecificdata+xml", ""): "structurespecificdata",
    ("application/vnd.sdmx.structurespecificdata+xml", "3.0.0"): "structurespecificdata-3.0",
    ("application/vnd.sdmx.data+xml", "3.0.0"): "structurespecificdata-3.0",
    ("application/vnd.sdmx.data+csv", "1.0.0"): "csv-1.0",
    ("application/vnd.sdmx.data+csv", "2.0.0"): "csv",
    ("application/vnd.sdmx.data+csv", ""): "csv",
    ("text/csv", ""): "csv",
    ("application/vnd.sdmx.data+json", "2.1.0"): "jsondata",
    ("application/vnd.sdmx.data+json", ""): "jsondata",
    ("application/json", ""): "jsondata",
    ("application/xml", ""): "genericdata",
    ("text/xml", ""): "genericdata",
    ("*/*", ""): "genericdata",
    ("application/*", ""): "genericdata",
}
# The ``format=`` query parameter: the SDMX 2.1 web services' names, and the CLI's.
_DATA_FORMAT_NAMES = {
    **{name: name for name in DATA_FORMATS},
    "sdmx-ml": "structurespecificdata",
    "sdmx-ml-generic": "genericdata",
    "sdmx-ml-3.0": "structurespecificdata-3.0",
    "sdmx-csv": "csv",
    "sdmx-csv-1.0": "csv-1.0",
    "sdmx-json": "jsondata",
    "json": "jsondata",
}
_STRUCTURE_MEDIA = {
    ("application/vnd.sdmx.structure+xml", "2.1"): "2.1",
    ("application/vnd.sdmx.structure+xml", ""): "2.1",
    ("application/vnd.sdmx.structure+xml", "3.0.0"): "3.0",
    ("application/xml", ""): "2.1",
    ("text/xml", ""): "2.1",
    ("*/*", ""): "2.1",
    ("application/*", ""): "2.1",
}
_STRUCTURE_FORMAT_NAMES = {"structure": "2.1", "sdmx-2.1": "2.1", "structure-3.0": "3.0"}
_STRUCTURE_FORMAT_NAMES["sdmx-3.0"] = "3.0"
_STRUCTURE_MEDIA_TYPES = {
    "2.1": "application/vnd.sdmx.structure+xml;version=2.1",
    "3.0": "application/vnd.sdmx.structure+xml;version=3.0.0",
}


def _accepted(header: str) -> list[tuple[str, str]]:
    """The media types of an Accept header, best first: (type, version)."""
    ranked: list[tuple[float, int, str, str]] = []
    for position, part in enumerate(header.split(",")):
        pieces = [p.strip() for p in part.split(";")]
        media, params = pieces[0].lower(), dict(p.split("=", 1) for p in pieces[1:] if "=" in p)
        try:
            quality = float(params.get("q", "1"))
        except ValueError:
            quality = 0
        if media and quality > 0:
            ranked.append((-quality, position, media, params.get("version", "").strip('"')))
    return [(media, version) for _, _, media, version in sorted(ranked)]


def _negotiate(request: HttpRequest, table: dict[tuple[str, str], str], names: dict[str, str]):  # type: ignore[no-untyped-def]
    """The format asked for by ``format=``, else the Accept header; None when nothing fits."""
    named = request.GET.get("format")
    if named:
        return names.get(named.lower())
    header = request.headers.get("Accept", "").strip() or "*/*"
    for media, version in _accepted(header):
        alias = {"2.1.0": "2.1", "2.1": "2.1.0", "3.0": "3.0.0", "1.0": "1.0.0", "2.0": "2.0.0"}
        for candidate in (version, alias.get(version, version)):
            if (media, candidate) in table:
                return table[(media, candidate)]
    return None


def _not_acceptable(offered: list[str]) -> HttpResponse:
    return sdmx_error(
        406,
        406,
        "Not acceptable: this service answers " + ", ".join(offered) + " (or use format=).",
    )


# Queries --------------------------------------------------------------------------------------


class BadQueryError(ValueError):
    """A query that SDMX calls a syntax error (code 140)."""


def _codes(text: str) -> frozenset[str]:
    return frozenset(code for code in text.replace(",", "+").split("+") if code)


def _providers(reference: str) -> frozenset[str]:
    """The provider codes of a data query's provider reference (SDMX REST: ``ONS``,
    ``SOLIDARITY,ONS``, several joined by ``+``; ``all`` or ``*`` for any: empty)."""
    wanted = set()
    for part in reference.split("+"):
        agency, _, provider = part.rpartition(",")
        if agency not in ("", hub.AGENCY, "all", "*"):
            raise BadQueryError(f"The provider reference {part!r} names another agency.")
        if provider not in ("all", "*", ""):
            wanted.add(provider)
    return frozenset(wanted)


def _data_query(
    request: HttpRequest, flow: hub.Flow, key: str, provider: str = ""
) -> hub.DataQuery:
    dimensions = flow.dimensions
    codes: dict[str, frozenset[str]] = {}
    if key and key not in ("all", "*"):
        positions = key.split(".")
        if dimensions[-1:] == (hub.DATA_PROVIDER,) and len(positions) == len(dimensions) - 1:
            positions.append("")  # keys written before DATA_PROVIDER: every provider
        elif dimensions[:1] == (hub.REPORTING_TYPE,) and len(positions) == len(dimensions) - 1:
            positions.insert(0, "")  # SDG keys written before REPORTING_TYPE: every reporter
        if len(positions) != len(dimensions):
            raise BadQueryError(
                f"The key {key!r} has {len(positions)} positions; {flow.id} has "
                f"{len(dimensions)} dimensions: {'.'.join(dimensions)}."
            )
        codes = {d: _codes(p) for d, p in zip(dimensions, positions, strict=True) if p}
    start, end = request.GET.get("startPeriod", ""), request.GET.get("endPeriod", "")
    for name, value in request.GET.dict().items():
        if not (name.startswith("c[") and name.endswith("]")):
            continue
        dimension = name[2:-1]
        if dimension == sdmx.TIME_PERIOD:
            for part in value.replace(",", "+").split("+"):
                operator, _, period = part.rpartition(":")
                if operator in ("ge", "gt") and period:
                    start = period
                elif operator in ("le", "lt") and period:
                    end = period
                elif operator in ("", "eq") and period:
                    start = end = period
                else:
                    raise BadQueryError(f"c[TIME_PERIOD]={value!r}: use ge:, le: or a period.")
            continue
        if dimension not in dimensions:
            raise BadQueryError(
                f"c[{dimension}]: {flow.id} has no dimension {dimension!r}; "
                f"its dimensions are {', '.join(dimensions)}."
            )
        wanted = _codes(value.removeprefix("eq:"))
        codes[dimension] = codes[dimension] & wanted if dimension in codes else wanted
    providers = _providers(provider)
    if providers and hub.DATA_PROVIDER in dimensions:
        chosen = codes.get(hub.DATA_PROVIDER)
        codes[hub.DATA_PROVIDER] = providers if chosen is None else chosen & providers
    return hub.DataQuery(
        codes=codes,
        providers=providers,
        start_period=start,
        end_period=end,
        last_observations=_count(request, "lastNObservations"),
        first_observations=_count(request, "firstNObservations"),
    )


def _count(request: HttpRequest, name: str) -> int | None:
    text = request.GET.get(name)
    if text is None:
        return None
    if not text.isdigit() or int(text) < 1:
        raise BadQueryError(f"{name} must be a whole number from 1 on, not {text!r}.")
    return int(text)


def _updated_after(request: HttpRequest) -> datetime | None:
    text = request.GET.get("updatedAfter")
    if not text:
        return None
    moment = parse_datetime(text.replace(" ", "+"))
    if moment is None or moment.tzinfo is None:
        raise BadQueryError(f"updatedAfter must be a date and time with its zone, not {text!r}.")
    return moment


def _flow_id(reference: str) -> str | None:
    """The flow id of ``DF_10_7_3``, ``SOLIDARITY,DF_10_7_3`` or ``SOLIDARITY,DF_10_7_3,1.0``."""
    parts = reference.split(",")
    if len(parts) > 3:
        return None
    agency, flow_id, version = (
        (hub.AGENCY, parts[0], "latest") if len(parts) == 1 else (*parts, "latest")[:3]
    )
    if agency not in (hub.AGENCY, "all", "*") or version not in (hub.VERSION, "latest", "*", "~"):
        return None
    return flow_id


def _flow_or_none(reference: str) -> hub.Flow | None:
    flow_id = _flow_id(reference)
    if flow_id is None:
        return None
    try:
        return hub.flow_get(id=flow_id)
    except LookupError:
        return None


def _indicator_or_none(reference: str, state: sdmx_cache.PublicState) -> str | None:
    """The code of the dataflow's indicator, as :func:`solidarity.indicators.sdmx.flow_indicator`
    finds it, from the catalogue's codes the worker keeps (no query)."""
    flow_id = _flow_id(reference)
    if flow_id is None:
        return None
    shape: hub.Shape = "sdg" if flow_id.startswith("DF_SDG_") else "hub"
    wanted = hub.sdmx_id(flow_id.removeprefix("DF_SDG_" if shape == "sdg" else "DF_"))
    return next((code for code in state.indicators if hub.sdmx_id(code) == wanted), None)


def _no_flow(reference: str) -> HttpResponse:
    return sdmx_error(404, 100, f"No dataflow {reference!r}: see /sdmx/structure/dataflow.")


Revision = tuple[int, datetime | None]


def _validators(
    versions: list[DatasetVersion], revision: Revision, *extra: str
) -> tuple[str, datetime | None]:
    """An ETag and Last-Modified from the published versions served and the catalogue revision:
    published versions never change, so the answer changes only when another version is
    published (or its embargo ends) or the catalogue changes."""
    seen = ";".join(f"{v.pk}@{hub.published_when(v).isoformat()}" for v in versions)
    digest = hashlib.sha256("|".join((*extra, f"r{revision[0]}", seen)).encode()).hexdigest()[:32]
    moments = [hub.published_when(v) for v in versions]
    if moments and revision[1] is not None:
        moments.append(revision[1])
    return quote_etag(digest), max(moments, default=None)


def _headers(response: HttpResponseBase, etag: str, last: datetime | None) -> None:
    response["ETag"] = etag
    if last is not None:
        response["Last-Modified"] = http_date(last.timestamp())
    response["Cache-Control"] = "public, max-age=300"
    # Data answers may come gzip-compressed from the answer cache (_cached_answer).
    response["Vary"] = "Accept, Accept-Encoding"


def _spooled(write: Callable[[io.BufferedIOBase], object]) -> Iterator[bytes]:
    """Write a whole message to a spool (memory up to 8 MiB, then a temporary file), then hand it
    out in chunks: the SDMX-ML and SDMX-JSON writers push their output, and a push cannot become a
    pull without a thread, which would need a database connection of its own."""
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as spool:
        write(spool)  # type: ignore[arg-type]
        spool.seek(0)
        while chunk := spool.read(_CHUNK):
            yield chunk


def _body(
    data_format: DataFormat, dataset: sdmx.Dataset, flow: hub.Flow, at_observation: str
) -> Iterator[bytes]:
    """The answer's bytes; SDMX-CSV is flat whatever ``at_observation``."""
    if data_format.kind == "csv":
        assert data_format.csv_version is not None
        lines = sdmx.write_sdmx_csv(
            dataset, version=data_format.csv_version, dataflow=flow.dataflow
        )
        return (line.encode() for line in lines)
    if data_format.kind == "json":

        def write_json(spool: io.BufferedIOBase) -> None:
            text = io.TextIOWrapper(spool, encoding="utf-8")  # type: ignore[type-var]
            sdmx.write_sdmx_json(
                dataset, text, dataflow=flow.dataflow, dimension_at_observation=at_observation
            )
            text.flush()
            text.detach()

        return _spooled(write_json)
    assert data_format.ml_format is not None
    ml_format = data_format.ml_format
    return _spooled(
        lambda spool: sdmx.stream_sdmx_ml(
            dataset, spool, format=ml_format, dimension_at_observation=at_observation
        )
    )


# Views ----------------------------------------------------------------------------------------


def _of_providers(
    versions: list[DatasetVersion], flow: hub.Flow, query: hub.DataQuery
) -> list[DatasetVersion]:
    """The versions of the providers the query names (by its provider reference or its
    DATA_PROVIDER key position), all without."""
    wanted = query.codes.get(hub.DATA_PROVIDER) or query.providers
    if not wanted:
        return versions
    return [v for v in versions if flow.providers.get(v.dataset.provider_id) in wanted]


@require_safe
def data(request: HttpRequest, flow: str, key: str = "", provider: str = "") -> HttpResponseBase:
    """``/sdmx/data/{flow}/{key}/{provider}``: published observations, filtered, in the format
    asked for."""
    chosen = _negotiate(request, _DATA_MEDIA, _DATA_FORMAT_NAMES)
    if chosen is None:
        return _not_acceptable([f.media_type for f in DATA_FORMATS.values()])
    # Asked for and not given, they would change the answer: refused rather than ignored.
    if request.GET.get("detail", "full") != "full":
        return sdmx_error(501, 501, "detail: only full is supported.")
    if request.GET.get("includeHistory", "false") != "false":
        return sdmx_error(501, 501, "includeHistory: only false is supported (the versions of a "
                          "dataset are on its pages and in the JSON API).")  # fmt: skip
    data_format = DATA_FORMATS[chosen]
    # The answer is determined by the query, the catalogue's revision and the indicator's
    # published versions, which the worker keeps (sdmx_cache.public_state): a repeated query is
    # a file sent, with no query at all, and a 304 costs as little.
    state = sdmx_cache.public_state()
    indicator = _indicator_or_none(flow, state)
    if indicator is None:
        return _no_flow(flow)
    revision = state.revision
    cache_key = sdmx_cache.answer_key(
        indicator,
        flow,
        chosen,
        request.get_full_path(),
        f"r{revision[0]}",
        *state.indicator_stamps(indicator),
    )
    cached = sdmx_cache.answer_get(indicator=indicator, key=cache_key)
    if cached is not None:
        return _cached_answer(request, cached)
    public = hub.published_versions(indicator=indicator)
    shape: hub.Shape = "sdg" if (_flow_id(flow) or "").startswith("DF_SDG_") else "hub"
    found = hub.flow_for_indicator(code=indicator, shape=shape)
    try:
        query = _data_query(request, found, key, provider or "")
        updated_after = _updated_after(request)
        at_observation = sdmx.observation_dimension(
            found.structure, request.GET.get("dimensionAtObservation") or sdmx.ALL_DIMENSIONS
        )
    except (BadQueryError, sdmx.SdmxStructureError) as error:
        return sdmx_error(400, 140, str(error))
    ref_areas = query.codes.get("REF_AREA")
    versions = _of_providers(
        [
            version
            for version in public
            if (not ref_areas or version.dataset.ref_area.code in ref_areas)
            and (updated_after is None or hub.published_when(version) > updated_after)
        ],
        found,
        query,
    )
    etag, last = _validators(versions, revision, found.id, chosen, request.get_full_path())
    not_modified = get_conditional_response(
        request, etag=etag, last_modified=None if last is None else int(last.timestamp())
    )
    if not_modified is not None:
        _headers(not_modified, etag, last)
        return not_modified
    observations = hub.published_observations(flow=found, versions=versions, query=query)
    first = next(observations, None)
    if first is None:
        return sdmx_error(404, 100, "No results found.")
    if request.method == "HEAD":
        response: HttpResponseBase = HttpResponse(content_type=data_format.media_type)
    else:
        observations = chain([first], observations)
        if (
            data_format.kind != "csv"
            and at_observation != sdmx.ALL_DIMENSIONS
            and (at_observation != sdmx.TIME_PERIOD or shape != "hub")
        ):
            # Time series of the hub's flows come ordered by their key from the database, a
            # series at a time; cross-sections and the SDG shape's series must be gathered.
            series = sdmx.series_dimensions(found.structure, at_observation)
            observations = iter(sdmx.series_ordered(observations, series))
        dataset = sdmx.Dataset(found.structure, observations)
        body = sdmx_cache.answer_store(
            _body(data_format, dataset, found, at_observation),
            indicator=indicator,
            key=cache_key,
            media_type=data_format.media_type,
            etag=etag,
            last_modified=None if last is None else last.isoformat(),
        )
        response = StreamingHttpResponse(body, content_type=data_format.media_type)
    _headers(response, etag, last)
    return response


def _accepts_gzip(request: HttpRequest) -> bool:
    """Whether the client takes gzip (``Accept-Encoding``, not refused with ``q=0``)."""
    for part in request.headers.get("Accept-Encoding", "").split(","):
        coding, _semicolon, parameters = part.partition(";")
        if coding.strip().lower() not in ("gzip", "x-gzip"):
            continue
        name, _equals, weight = parameters.replace(" ", "").partition("=")
        if name.lower() != "q":
            return True
        try:
            return float(weight) > 0
        except ValueError:
            return False
    return False


def _cached_answer(request: HttpRequest, cached: sdmx_cache.CachedAnswer) -> HttpResponseBase:
    """A stored answer: the gzip copy, sent as it is, to a client that takes gzip (a tenth of the
    bytes for SDMX-CSV), the plain body otherwise. Each has its own ETag, as HTTP wants for two
    representations."""
    last = None if cached.last_modified is None else datetime.fromisoformat(cached.last_modified)
    compressed = cached.gzip is not None and _accepts_gzip(request)
    etag = f'{cached.etag[:-1]}-gzip"' if compressed else cached.etag
    not_modified = get_conditional_response(
        request, etag=etag, last_modified=None if last is None else int(last.timestamp())
    )
    if not_modified is not None:
        _headers(not_modified, etag, last)
        return not_modified
    response: HttpResponseBase
    if request.method == "HEAD":
        response = HttpResponse(content_type=cached.media_type)
    else:
        body = cached.gzip if compressed and cached.gzip is not None else cached.body
        response = FileResponse(body.open("rb"), content_type=cached.media_type)
    if compressed:
        response["Content-Encoding"] = "gzip"
    _headers(response, etag, last)
    return response


_STRUCTURE_TYPES = (
    "datastructure",
    "dataflow",
    "codelist",
    "conceptscheme",
    "dataproviderscheme",
)


@require_safe
def structure(
    request: HttpRequest,
    type: str,
    agency: str = "all",
    id: str = "all",
    version: str = "latest",
) -> HttpResponseBase:
    """``/sdmx/structure/{type}/{agency}/{id}/{version}``: data structures, dataflows, codelists
    and concept schemes; ``all`` (or ``*``) for any agency or id, ``latest`` (or ``~``)."""
    chosen = _negotiate(request, _STRUCTURE_MEDIA, _STRUCTURE_FORMAT_NAMES)
    if chosen is None:
        return _not_acceptable(list(_STRUCTURE_MEDIA_TYPES.values()))
    if type not in _STRUCTURE_TYPES:
        return sdmx_error(
            501, 501, f"Structure type {type!r}: this service has {', '.join(_STRUCTURE_TYPES)}."
        )
    # Structures change with the catalogue and with what is published (the series and the
    # providers with published data are codes): both make their ETag.
    revision = sdmx_cache.public_state().revision
    published = hub.published_stamps(indicator=None)
    extra = (type, agency, id, version, chosen, f"r{revision[0]}", *published)
    etag = quote_etag(hashlib.sha256("|".join(extra).encode()).hexdigest()[:32])
    moments = [m for m in (revision[1], hub.last_published()) if m is not None]
    last = max(moments, default=None)
    not_modified = get_conditional_response(
        request, etag=etag, last_modified=None if last is None else int(last.timestamp())
    )
    if not_modified is not None:
        _headers(not_modified, etag, last)
        return not_modified
    artefacts: list[Any] = []
    if version not in ("latest", "all", "*", "~", "+", hub.VERSION):
        pass
    elif type == "dataproviderscheme":
        scheme = hub.provider_scheme()
        if agency in ("all", "*", hub.AGENCY) and id in ("all", "*", scheme.id):
            artefacts = [scheme]
    else:
        artefacts = hub.structure_artefacts(
            flows=hub.flow_list(), type=cast(hub.StructureType, type), agency=agency, id=id
        )
    if not artefacts:
        return sdmx_error(404, 100, f"No {type} {agency}/{id}/{version}.")
    body = hub.structure_message(artefacts, version=chosen)
    response = HttpResponse(body, content_type=_STRUCTURE_MEDIA_TYPES[chosen])
    _headers(response, etag, last)
    return response


@require_safe
def availability(
    request: HttpRequest, flow: str, key: str = "", provider: str = ""
) -> HttpResponseBase:
    """``/sdmx/availability/{flow}/{key}``: which codes have published data under the key and
    ``c[]`` filters (mode ``exact``), as an actual content constraint."""
    chosen = _negotiate(request, _STRUCTURE_MEDIA, _STRUCTURE_FORMAT_NAMES)
    if chosen is None:
        return _not_acceptable(list(_STRUCTURE_MEDIA_TYPES.values()))
    found = _flow_or_none(flow)
    if found is None:
        return _no_flow(flow)
    if request.GET.get("mode", "exact") != "exact":
        return sdmx_error(501, 501, "mode: only exact is supported.")
    try:
        query = _data_query(request, found, key, provider or "")
        updated_after = _updated_after(request)
    except BadQueryError as error:
        return sdmx_error(400, 140, str(error))
    ref_areas = sorted(query.codes.get("REF_AREA", ()))
    versions = _of_providers(
        hub.published_versions(flow=found, ref_areas=ref_areas, updated_after=updated_after),
        found,
        query,
    )
    etag, last = _validators(
        versions,
        sdmx_cache.public_state().revision,
        "availability",
        chosen,
        request.get_full_path(),
    )
    not_modified = get_conditional_response(
        request, etag=etag, last_modified=None if last is None else int(last.timestamp())
    )
    if not_modified is not None:
        _headers(not_modified, etag, last)
        return not_modified
    codes, periods, count = hub.availability(flow=found, versions=versions, query=query)
    if not count:
        return sdmx_error(404, 100, "No results found.")
    body = hub.availability_message(
        flow=found, codes=codes, periods=periods, observations=count, version=chosen
    )
    response = HttpResponse(body, content_type=_STRUCTURE_MEDIA_TYPES[chosen])
    _headers(response, etag, last)
    return response
