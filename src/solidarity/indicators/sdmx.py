"""The data hub in SDMX: structures built from the catalogue and published observations as a
:class:`solidarity.stats.sdmx.Dataset`, for the SDMX REST API (``/sdmx/``) and ``solidarity data
export``. The SDMX work itself (writing, reading, validating) is :mod:`solidarity.stats.sdmx`'s.

One data structure definition per indicator (``DSD_10_7_3`` and dataflow ``DF_10_7_3``, agency
``SOLIDARITY``), rather than one for the whole hub with INDICATOR as a dimension: indicators are
broken down by different dimensions, and a hub-wide key would carry every dimension of every
indicator, mostly "not applicable". The key is ``SERIES``, ``REF_AREA``, then the indicator's
own dimensions in catalogue order, as the SDG data structure puts SERIES and REF_AREA first.

The hub's key ends with ``DATA_PROVIDER``, the organisation that provided the data (coded by its
acronym, see :func:`provider_codes`), so that two providers' figures for one indicator and one
area never share a key; a key one position short means every provider, as keys written before
the dimension existed do. Its codelist, ``CL_DATA_PROVIDER``, and the data provider scheme
(``DATA_PROVIDERS``) hold the providers with published data.

``SERIES`` holds the series cell of Open SDG files (``_Z`` when a file has none). The SDG-shaped
variant (``DSD_SDG_10_7_3``) follows the UN SDG data structure's concepts instead: dimensions
with an SDG concept keep their place under it (migratory status, citizenship and country of birth
travel in ``COMPOSITE_BREAKDOWN``), codes become their SDG codes, and an observation is left out
when one of its codes has no SDG code, when it breaks down by a dimension the SDG structure has
no concept for (ORIGIN, RACE_ETHNICITY), or by two dimensions that share COMPOSITE_BREAKDOWN.

The SDG structure has no DATA_PROVIDER dimension: it tells reporters apart by ``REPORTING_TYPE``
(first in its key), ``N`` for a country's national reporting and ``G`` for the global reporting
of custodian agencies, and names the source of each observation in ``SOURCE_DETAIL``. The
SDG-shaped flows do the same: a UN entity's data are ``G``, a national statistical office's, a
State government's or a local authority's ``N``, and each observation's ``SOURCE_DETAIL`` is its
provider's name. Why not our DATA_PROVIDER dimension: a key the UN SDG database would not read
is not SDG-shaped. What follows: per reference area and reporting type there is one reporter,
as in the SDG exchange — the national statistical office before a government before a local
authority, the indicator's custodian agency before another UN entity, then whoever published
first; the provider reference of a query (``/sdmx/data/DF_SDG_10_7_3/all/MOI``) picks another.
Other organisations' data (civil society, academia…) are no country's official reporting and no
custodian's: they travel in the hub-shaped flows only.
"""

from __future__ import annotations

import io
import re
from collections import Counter, deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, BinaryIO, Literal

from django.db import connection
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from pysdmx.io import write_sdmx
from pysdmx.io.format import Format
from pysdmx.model import (
    Codelist,
    Dataflow,
    DataProvider,
    DataProviderScheme,
    DataStructureDefinition,
    Organisation,
)
from pysdmx.model.constraint import (
    AvailabilityConstraint,
    ConstraintAttachment,
    CubeKeyValue,
    CubeRegion,
    CubeTimeRange,
    CubeValue,
    TimePeriodBoundary,
)
from pysdmx.model.message import Header

from solidarity.accounts.models import Organisation as Provider
from solidarity.indicators.models import (
    PUBLISHABLE_CONF_STATUSES,
    Code,
    Dataset,
    DatasetVersion,
    Dimension,
    Indicator,
    IndicatorDimension,
    Observation,
    key_order,
)
from solidarity.stats import sdmx

AGENCY = "SOLIDARITY"
VERSION = "1.0"
DATA_PROVIDER = "DATA_PROVIDER"
PROVIDER_SCHEME = "DATA_PROVIDERS"
NOT_APPLICABLE = "_Z"
TOTAL = "_T"
REPORTING_TYPE = "REPORTING_TYPE"
SOURCE_DETAIL = "SOURCE_DETAIL"
# The SDG structure's reporting types the hub's providers can have: a country's own reporting,
# and a custodian agency's global reporting.
REPORTING_TYPES = {"N": "National", "G": "Global"}
# Organisation kind -> reporting type; the order within each is the preference when several
# providers of one type publish on one area (see the module).
_REPORTING_TYPE_OF_KIND: dict[str, str] = {
    Provider.Kind.NSO.value: "N",
    Provider.Kind.STATE_GOVERNMENT.value: "N",
    Provider.Kind.LOCAL_AUTHORITY.value: "N",
    Provider.Kind.UN_ENTITY.value: "G",
}
_KIND_RANK = {kind: rank for rank, kind in enumerate(_REPORTING_TYPE_OF_KIND)}
# The UN SDG data structure's dimensions this hub can fill, in its key order.
SDG_KEY_ORDER = (
    "SEX",
    "AGE",
    "URBANISATION",
    "INCOME_WEALTH_QUANTILE",
    "COMPOSITE_BREAKDOWN",
    "DISABILITY_STATUS",
)
_NOT_ID = re.compile(r"[^A-Za-z0-9_@$-]")
Shape = Literal["hub", "sdg"]


def sdmx_id(text: str) -> str:
    """An SDMX identifier from a catalogue code or a series label.

    >>> sdmx_id("10.7.3"), sdmx_id("Deaths (number)")
    ('10_7_3', 'Deaths__number_')
    """
    return _NOT_ID.sub("_", text.strip())[:100] or NOT_APPLICABLE


def provider_codes() -> dict[int, str]:
    """Each organisation's DATA_PROVIDER code (by its id): its acronym as an SDMX id, or
    ``ORG_<id>`` when it has none or shares it with another organisation. One query.

    The code is what SDMX answers, the provider reference of data queries
    (``/sdmx/data/{flow}/{key}/{provider}``) and the downloads' ``DATA_PROVIDER`` column say."""
    rows = list(Provider.objects.values_list("pk", "acronym"))
    counts = Counter(sdmx_id(acronym) for _pk, acronym in rows if acronym.strip())
    return {
        pk: sdmx_id(acronym)
        if acronym.strip() and counts[sdmx_id(acronym)] == 1 and not acronym.startswith("ORG_")
        else f"ORG_{pk}"
        for pk, acronym in rows
    }


@dataclass(frozen=True)
class Flow:
    """One dataflow of the hub: an indicator in the hub's shape or the SDG shape."""

    indicator: Indicator
    shape: Shape
    structure: DataStructureDefinition
    dataflow: Dataflow
    # Hub dimension -> SDG concept, for the SDG shape.
    sdg_concepts: Mapping[str, str] = field(default_factory=dict)
    # (hub dimension, hub code) -> SDG code, for the SDG shape.
    sdg_codes: Mapping[tuple[str, str], str] = field(default_factory=dict)
    sdg_series: frozenset[str] = frozenset()
    # Organisation id -> DATA_PROVIDER code.
    providers: Mapping[int, str] = field(default_factory=dict)
    # Organisation id -> REPORTING_TYPE, for the SDG shape (organisations without one are
    # left out of it).
    reporting_types: Mapping[int, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.dataflow.id

    @property
    def dimensions(self) -> tuple[str, ...]:
        return sdmx.dimension_ids(self.structure)


class _Catalogue:
    """Dimensions, codes and indicators read once (four queries), whatever the number of flows
    built from them."""

    def __init__(self, indicators: QuerySet[Indicator]) -> None:
        self.indicators = list(indicators.prefetch_related("sdg_series"))
        self.dimensions = {d.code: d for d in Dimension.objects.order_by("order", "code")}
        self.codes: dict[str, dict[str, Code]] = {}
        for code in Code.objects.order_by("dimension", "provider", "order", "code"):
            # Common codes first; a provider's own code of the same id does not replace one.
            self.codes.setdefault(code.dimension_id, {}).setdefault(code.code, code)
        self.by_indicator: dict[str, list[str]] = {}
        links = IndicatorDimension.objects.filter(indicator__in=[i.code for i in self.indicators])
        for link in links.order_by("order", "dimension__order"):
            if link.dimension_id != "TIME_PERIOD":
                self.by_indicator.setdefault(link.indicator_id, []).append(link.dimension_id)
        series = (
            _public_observations(_latest_public_versions())
            .exclude(series="")
            .values_list("version__dataset__indicator_id", "series")
            .distinct()
        )
        self.series: dict[str, set[str]] = {}
        for indicator_code, label in series:
            self.series.setdefault(indicator_code, set()).add(label)
        self.provider_codes = provider_codes()
        self._reporting_types: dict[int, str] | None = None
        self.providers: dict[str, dict[str, str]] = {}
        for indicator_code, provider, name in _published_providers(self.provider_codes):
            self.providers.setdefault(indicator_code, {})[provider] = name

    @property
    def reporting_types(self) -> dict[int, str]:
        """Organisation id -> REPORTING_TYPE, for the organisations that have one. Read when
        an SDG-shaped flow is first built (one query)."""
        if self._reporting_types is None:
            self._reporting_types = {
                pk: _REPORTING_TYPE_OF_KIND[kind]
                for pk, kind in Provider.objects.filter(
                    kind__in=list(_REPORTING_TYPE_OF_KIND)
                ).values_list("pk", "kind")
            }
        return self._reporting_types

    def codelist(self, dimension: str) -> Codelist:
        codes = self.codes.get(dimension, {})
        name = self.dimensions[dimension].name if dimension in self.dimensions else dimension
        return sdmx.codelist(
            f"CL_{dimension}",
            {code: entry.name for code, entry in codes.items()},
            agency=AGENCY,
            version=VERSION,
            name=name,
        )

    def hub_flow(self, indicator: Indicator) -> Flow:
        series = {NOT_APPLICABLE: "Not applicable"}
        series.update({s.code: s.description[:200] for s in indicator.sdg_series.all()})
        series.update(
            {sdmx_id(label): label for label in sorted(self.series.get(indicator.code, ()))}
        )
        dimensions = {
            "SERIES": sdmx.codelist(
                f"CL_SERIES_{sdmx_id(indicator.code)}",
                series,
                agency=AGENCY,
                version=VERSION,
                name=f"Series of {indicator.code}",
            ),
            "REF_AREA": self.codelist("REF_AREA"),
        }
        for dimension in self.by_indicator.get(indicator.code, []):
            dimensions.setdefault(dimension, self.codelist(dimension))
        # The indicator's own providers, as SERIES has the indicator's own series: an answer
        # about one indicator does not change when a provider publishes on another.
        dimensions[DATA_PROVIDER] = sdmx.codelist(
            f"CL_{DATA_PROVIDER}_{sdmx_id(indicator.code)}",
            self.providers.get(indicator.code) or {NOT_APPLICABLE: "Not applicable"},
            agency=AGENCY,
            version=VERSION,
            name=f"Data providers of {indicator.code}",
        )
        return self._flow(indicator, "hub", dimensions)

    def sdg_flow(self, indicator: Indicator) -> Flow:
        concepts: dict[str, str] = {}
        codes: dict[tuple[str, str], str] = {}
        concept_codes: dict[str, dict[str, str]] = {}
        for dimension in self.by_indicator.get(indicator.code, []):
            concept = self.dimensions[dimension].sdg_concept if dimension in self.dimensions else ""
            if concept not in SDG_KEY_ORDER:
                continue
            concepts[dimension] = concept
            for code, entry in self.codes.get(dimension, {}).items():
                if entry.sdg_code:
                    codes[(dimension, code)] = entry.sdg_code
                    concept_codes.setdefault(concept, {})[entry.sdg_code] = entry.name
        series = {s.code: s.description[:200] for s in indicator.sdg_series.all()}
        dimensions: dict[str, Codelist] = {
            REPORTING_TYPE: sdmx.codelist(
                "CL_REPORTING_TYPE",
                REPORTING_TYPES,
                agency=AGENCY,
                version=VERSION,
                name="Reporting type",
            ),
            "SERIES": sdmx.codelist(
                f"CL_SDG_SERIES_{sdmx_id(indicator.code)}",
                series or {NOT_APPLICABLE: "Not applicable"},
                agency=AGENCY,
                version=VERSION,
            ),
            "REF_AREA": self.codelist("REF_AREA"),
        }
        for concept in SDG_KEY_ORDER:
            if concept in concept_codes:
                if concept == "COMPOSITE_BREAKDOWN":
                    concept_codes[concept].setdefault(NOT_APPLICABLE, "Not applicable")
                dimensions[concept] = sdmx.codelist(
                    f"CL_SDG_{concept}", concept_codes[concept], agency=AGENCY, version=VERSION
                )
        return self._flow(indicator, "sdg", dimensions, concepts=concepts, codes=codes)

    def _flow(
        self,
        indicator: Indicator,
        shape: Shape,
        dimensions: Mapping[str, Codelist],
        *,
        concepts: Mapping[str, str] | None = None,
        codes: Mapping[tuple[str, str], str] | None = None,
    ) -> Flow:
        prefix = "SDG_" if shape == "sdg" else ""
        name = f"{indicator.code} {indicator.name}"[:200]
        attributes: dict[str, Codelist | None] = dict.fromkeys(sdmx.STANDARD_ATTRIBUTES)
        if shape == "sdg":
            attributes[SOURCE_DETAIL] = None
        structure = sdmx.data_structure(
            agency=AGENCY,
            id=f"DSD_{prefix}{sdmx_id(indicator.code)}",
            name=name,
            dimensions=dimensions,
            version=VERSION,
            attributes=attributes,
            concept_names={SOURCE_DETAIL: "Source details", REPORTING_TYPE: "Reporting type"},
        )
        flow = sdmx.dataflow(
            structure, id=f"DF_{prefix}{sdmx_id(indicator.code)}", name=name, version=VERSION
        )
        series = frozenset(code.id for code in dimensions["SERIES"]) if shape == "sdg" else None
        return Flow(
            indicator,
            shape,
            structure,
            flow,
            concepts or {},
            codes or {},
            series or frozenset(),
            self.provider_codes,
            self.reporting_types if shape == "sdg" else {},
        )


def flow_list(*, indicator: str | None = None) -> list[Flow]:
    """Every dataflow of the hub (each indicator in both shapes), or one indicator's."""
    indicators = Indicator.objects.order_by("order", "code")
    if indicator is not None:
        indicators = indicators.filter(code=indicator)
    catalogue = _Catalogue(indicators)
    flows = []
    for row in catalogue.indicators:
        flows.append(catalogue.hub_flow(row))
        flows.append(catalogue.sdg_flow(row))
    return flows


def _published_providers(codes: Mapping[int, str]) -> list[tuple[str, str, str]]:
    """The organisations with published data: (indicator, code, name), by name."""
    rows = (
        _latest_public_versions()
        .values_list("dataset__indicator_id", "dataset__provider_id", "dataset__provider__name")
        .distinct()
        .order_by("dataset__provider__name", "dataset__indicator_id")
    )
    return [(indicator, codes[pk], name) for indicator, pk, name in rows]


def provider_scheme() -> DataProviderScheme:
    """The data provider scheme (``DATA_PROVIDERS``): the organisations with published data,
    each by its DATA_PROVIDER code."""
    providers = {code: name for _indicator, code, name in _published_providers(provider_codes())}
    return DataProviderScheme(
        id=PROVIDER_SCHEME,
        name="Data providers",
        agency=AGENCY,
        version=VERSION,
        items=[DataProvider(id=code, name=name) for code, name in providers.items()],
    )


def flow_get(*, id: str) -> Flow:
    """A dataflow by its id (``DF_10_7_3``, ``DF_SDG_10_7_3``, or with the indicator's code as
    written, ``DF_10.7.3``, which links can build); `LookupError` when none."""
    shape: Shape = "sdg" if id.startswith("DF_SDG_") else "hub"
    wanted = sdmx_id(id.removeprefix("DF_SDG_" if shape == "sdg" else "DF_"))
    for indicator_code in Indicator.objects.values_list("code", flat=True):
        if sdmx_id(indicator_code) == wanted:
            catalogue = _Catalogue(Indicator.objects.filter(code=indicator_code))
            row = catalogue.indicators[0]
            return catalogue.sdg_flow(row) if shape == "sdg" else catalogue.hub_flow(row)
    raise LookupError(id)


def flow_indicator(*, id: str) -> str:
    """The code of a dataflow's indicator, as :func:`flow_get` finds it, without building the
    flow's structure (which reads the whole catalogue); `LookupError` when none."""
    shape: Shape = "sdg" if id.startswith("DF_SDG_") else "hub"
    wanted = sdmx_id(id.removeprefix("DF_SDG_" if shape == "sdg" else "DF_"))
    for code in Indicator.objects.values_list("code", flat=True):
        if sdmx_id(code) == wanted:
            return code
    raise LookupError(id)


def flow_for_indicator(*, code: str, shape: Shape = "hub") -> Flow:
    """Raises ``Indicator.DoesNotExist`` for an unknown code."""
    catalogue = _Catalogue(Indicator.objects.filter(code=code))
    if not catalogue.indicators:
        raise Indicator.DoesNotExist(code)
    row = catalogue.indicators[0]
    return catalogue.sdg_flow(row) if shape == "sdg" else catalogue.hub_flow(row)


# Published data ------------------------------------------------------------------------------


def _latest_public_versions() -> QuerySet[DatasetVersion]:
    """Each dataset's latest version that the public may read: published, past its embargo. A
    later published version replaces an earlier one; drafts and embargoed versions never show."""
    now = timezone.now()
    public = DatasetVersion.objects.filter(status=DatasetVersion.Status.PUBLISHED).filter(
        Q(embargo_until__isnull=True) | Q(embargo_until__lte=now)
    )
    latest = public.values("dataset").annotate(number=Max("number"))
    wanted = Q()
    for row in latest:
        wanted |= Q(dataset_id=row["dataset"], number=row["number"])
    return public.filter(wanted) if latest else public.none()


def _public_observations(versions: QuerySet[DatasetVersion]) -> QuerySet[Observation]:
    # Confidential cells are never published, whatever the version.
    return Observation.objects.filter(
        version__in=versions, conf_status__in=PUBLISHABLE_CONF_STATUSES
    )


def published_versions(
    *,
    flow: Flow | None = None,
    indicator: Indicator | str | None = None,
    ref_areas: Sequence[str] = (),
    updated_after: datetime | None = None,
) -> list[DatasetVersion]:
    """The versions whose observations make up ``flow``'s (or ``indicator``'s) published
    data."""
    if flow is not None:
        indicator = flow.indicator
    versions = _latest_public_versions().filter(dataset__indicator=indicator)
    if ref_areas:
        versions = versions.filter(dataset__ref_area__code__in=ref_areas)
    # The import summaries (up to a thousand problems each) are not needed to serve data.
    rows = list(
        versions.select_related("dataset__ref_area", "dataset__provider")
        .defer("import_summary")
        .order_by("dataset__ref_area__code")
    )
    if updated_after is not None:
        rows = [v for v in rows if published_when(v) > updated_after]
    return rows


def published_stamps(*, indicator: str | None) -> list[str]:
    """What identifies the published state of an indicator's data (by its code; of every
    indicator's with None): for each
    dataset's latest public version, its id and the moments it was created, published and out
    of embargo. The same list means the same published data.

    One query, written out: this runs before every SDMX data answer, including those sent from
    the answer cache, where building it through the ORM cost ten times more than running it."""
    version = DatasetVersion._meta.db_table
    dataset = Dataset._meta.db_table
    public = "{v}.status = %s AND ({v}.embargo_until IS NULL OR {v}.embargo_until <= %s)"
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    published = DatasetVersion.Status.PUBLISHED.value
    sql = (
        f"SELECT v.id, v.created_at, v.published_at, v.embargo_until FROM {version} v "  # noqa: S608
        f"JOIN {dataset} d ON d.id = v.dataset_id WHERE "
        f"{'d.indicator_id = %s AND ' if indicator is not None else ''}"
        f"{public.format(v='v')} AND v.number = (SELECT MAX(w.number) FROM {version} w "
        f"WHERE w.dataset_id = v.dataset_id AND {public.format(v='w')}) ORDER BY v.id"
    )
    with connection.cursor() as cursor:
        which = [indicator] if indicator is not None else []
        cursor.execute(sql, [*which, published, now, published, now])
        return ["@".join(str(cell) for cell in row) for row in cursor.fetchall()]


def last_published() -> datetime | None:
    """When data last became public anywhere in the hub: a publication, or an embargo's end."""
    now = timezone.now()
    moments = DatasetVersion.objects.filter(status=DatasetVersion.Status.PUBLISHED).aggregate(
        published=Max("published_at"),
        released=Max("embargo_until", filter=Q(embargo_until__lte=now)),
    )
    found = [m for m in moments.values() if m is not None]
    return max(found) if found else None


def published_when(version: DatasetVersion) -> datetime:
    """When a version became public: published, or its embargo's end if later."""
    moments = [m for m in (version.published_at, version.embargo_until) if m is not None]
    return max(moments) if moments else version.created_at


@dataclass(frozen=True)
class DataQuery:
    """What an SDMX data query asks for: codes per dimension (empty = any)."""

    codes: Mapping[str, frozenset[str]] = field(default_factory=dict)
    start_period: str = ""
    end_period: str = ""
    last_observations: int | None = None
    first_observations: int | None = None
    # The data query's provider reference (DATA_PROVIDER codes; empty = any).
    providers: frozenset[str] = frozenset()

    def selects(self, key: Mapping[str, str], period: str) -> bool:
        if any(key.get(d) not in wanted for d, wanted in self.codes.items() if wanted):
            return False
        if self.start_period and period[: len(self.start_period)] < self.start_period:
            return False
        return not (self.end_period and period[: len(self.end_period)] > self.end_period)


def _hub_key(
    flow: Flow, observation: Observation, ref_area: str, provider: str
) -> dict[str, str] | None:
    """The observation's key in ``flow``: ``provider`` is its DATA_PROVIDER code in the hub's
    shape, its REPORTING_TYPE in the SDG shape."""
    if flow.shape == "sdg":
        key = {REPORTING_TYPE: provider, "REF_AREA": ref_area}
        return _sdg_key(flow, observation, key)
    codes = observation.dimensions or {}
    key = {"SERIES": sdmx_id(observation.series) if observation.series else NOT_APPLICABLE}
    key["REF_AREA"] = ref_area
    for dimension in flow.dimensions[2:-1]:
        key[dimension] = str(codes.get(dimension, TOTAL))
    key[DATA_PROVIDER] = provider
    return key


def _sdg_key(flow: Flow, observation: Observation, hub: dict[str, str]) -> dict[str, str] | None:
    codes = {d: str(c) for d, c in (observation.dimensions or {}).items()}
    allowed_series = flow.sdg_series
    if observation.series in allowed_series:
        series = observation.series
    elif not observation.series and len(allowed_series) == 1:
        series = next(iter(allowed_series))
    else:
        return None
    key = {REPORTING_TYPE: hub[REPORTING_TYPE], "SERIES": series, "REF_AREA": hub["REF_AREA"]}
    composite = [d for d, c in flow.sdg_concepts.items() if c == "COMPOSITE_BREAKDOWN"]
    for dimension, code in codes.items():
        # A breakdown the SDG structure cannot say: the observation is left out.
        if dimension not in flow.sdg_concepts and code != TOTAL:
            return None
    for dimension, concept in flow.sdg_concepts.items():
        if concept == "COMPOSITE_BREAKDOWN":
            continue
        sdg_code = flow.sdg_codes.get((dimension, codes.get(dimension, TOTAL)))
        if sdg_code is None:
            return None
        key[concept] = sdg_code
    if composite:
        broken = [d for d in composite if codes.get(d, TOTAL) != TOTAL]
        if len(broken) > 1:
            return None
        if broken:
            sdg_code = flow.sdg_codes.get((broken[0], codes[broken[0]]))
            if sdg_code is None:
                return None
            key["COMPOSITE_BREAKDOWN"] = sdg_code
        else:
            key["COMPOSITE_BREAKDOWN"] = NOT_APPLICABLE
    return {d: key[d] for d in flow.dimensions}


def _attributes(observation: Observation, source: str = "") -> tuple[tuple[str, str], ...]:
    values = {
        "OBS_STATUS": observation.obs_status,
        "CONF_STATUS": observation.conf_status,
        "UNIT_MEASURE": observation.unit,
        "UNIT_MULT": ""
        if observation.unit_multiplier is None
        else str(observation.unit_multiplier),
        "COMMENT_OBS": observation.footnote,
        SOURCE_DETAIL: source,
    }
    return tuple((name, value) for name, value in values.items() if value)


def _sdg_reporters(flow: Flow, versions: Iterable[DatasetVersion]) -> list[DatasetVersion]:
    """The versions the SDG shape carries: those of providers with a reporting type, one
    provider per reference area and reporting type (see the module for which)."""
    versions = list(versions)
    custodians = {
        name.strip().casefold() for name in flow.indicator.custodian.split(";") if name.strip()
    }

    def rank(version: DatasetVersion) -> tuple[int, int, int]:
        provider = version.dataset.provider
        custodian = bool(
            {provider.name.casefold(), provider.acronym.strip().casefold()} & custodians
        )
        return (not custodian, _KIND_RANK.get(provider.kind, 99), version.dataset_id)

    chosen: dict[tuple[str, str], tuple[tuple[int, int, int], int]] = {}
    for version in versions:
        reporting_type = flow.reporting_types.get(version.dataset.provider_id)
        if reporting_type is None:
            continue
        place = (version.dataset.ref_area.code, reporting_type)
        candidate = (rank(version), version.dataset.provider_id)
        if place not in chosen or candidate < chosen[place]:
            chosen[place] = candidate
    providers = {(place[0], provider) for place, (_rank, provider) in chosen.items()}
    return [v for v in versions if (v.dataset.ref_area.code, v.dataset.provider_id) in providers]


def published_observations(
    *, flow: Flow, versions: Iterable[DatasetVersion], query: DataQuery | None = None
) -> Iterator[sdmx.Observation]:
    """The published, non-confidential observations of ``versions`` as SDMX observations,
    filtered by ``query``, read from the database in chunks."""
    query = query or DataQuery()
    dimensions = flow.dimensions
    if flow.shape == "sdg":
        versions = _sdg_reporters(flow, versions)
    for version in versions:
        ref_area = version.dataset.ref_area.code
        source = ""
        if flow.shape == "sdg":
            provider = flow.reporting_types[version.dataset.provider_id]
            source = version.dataset.provider.name
        else:
            provider = flow.providers.get(version.dataset.provider_id, NOT_APPLICABLE)
        rows = _public_observations(DatasetVersion.objects.filter(pk=version.pk)).order_by(
            *key_order(connection.vendor)
        )
        selected = (
            sdmx.Observation(
                key=tuple((d, key[d]) for d in dimensions),
                time_period=row.time_period,
                value=row.value,
                attributes=_attributes(row, source),
            )
            for row in rows.iterator(chunk_size=2000)
            if (key := _hub_key(flow, row, ref_area, provider)) is not None
            and query.selects(key, row.time_period)
        )
        yield from _first_last(selected, query)


def _first_last(
    observations: Iterator[sdmx.Observation], query: DataQuery
) -> Iterator[sdmx.Observation]:
    """``firstNObservations`` / ``lastNObservations``: the observations come ordered by series,
    then period, so each series is a run and only its last N are held."""
    if query.last_observations is None and query.first_observations is None:
        yield from observations
        return
    current: tuple[tuple[str, str], ...] | None = None
    run: list[sdmx.Observation] = []

    def chosen(run: list[sdmx.Observation]) -> list[sdmx.Observation]:
        picked = run
        if query.first_observations is not None:
            picked = picked[: query.first_observations]
        if query.last_observations is not None:
            picked = list(deque(picked, maxlen=query.last_observations))
        return picked

    for observation in observations:
        if observation.key != current:
            yield from chosen(run)
            current, run = observation.key, []
        run.append(observation)
    yield from chosen(run)


def published_dataset(
    *, flow: Flow, versions: Iterable[DatasetVersion], query: DataQuery | None = None
) -> sdmx.Dataset:
    return sdmx.Dataset(
        flow.structure, published_observations(flow=flow, versions=versions, query=query)
    )


def availability(
    *, flow: Flow, versions: Iterable[DatasetVersion], query: DataQuery
) -> tuple[dict[str, list[str]], list[str], int]:
    """Which codes of each dimension have data under ``query`` (in codelist order), the
    periods, and the number of observations."""
    found: dict[str, set[str]] = {d: set() for d in flow.dimensions}
    periods: set[str] = set()
    count = 0
    for observation in published_observations(flow=flow, versions=versions, query=query):
        count += 1
        for dimension, code in observation.key:
            found[dimension].add(code)
        periods.add(observation.time_period)
    order = {
        component.id: [code.id for code in component.local_codes]
        for component in flow.structure.components.dimensions
        if isinstance(component.local_codes, Codelist)
    }
    codes = {d: [c for c in order.get(d, sorted(found[d])) if c in found[d]] for d in found}
    return codes, sorted(periods), count


# Structure messages ---------------------------------------------------------------------------

StructureType = Literal["datastructure", "dataflow", "codelist", "conceptscheme"]
_STRUCTURE_FORMATS = {"2.1": Format.STRUCTURE_SDMX_ML_2_1, "3.0": Format.STRUCTURE_SDMX_ML_3_0}


def structure_artefacts(
    *, flows: Sequence[Flow], type: StructureType, agency: str, id: str
) -> list[Any]:
    """The artefacts of ``type`` among ``flows`` matching ``agency`` and ``id`` (``all`` or
    ``*`` for any). A data structure comes with its codelists and concept scheme, so that the
    message stands on its own (as ``references=children`` would)."""

    def wanted(artefact: Any) -> bool:
        return agency in ("all", "*", str(artefact.agency)) and id in ("all", "*", artefact.id)

    found: dict[str, Any] = {}
    for flow in flows:
        if type == "dataflow":
            candidates: list[Any] = [flow.dataflow]
        elif type == "codelist":
            candidates = list(sdmx.codelists(flow.structure))
        elif type == "conceptscheme":
            candidates = [sdmx.concept_scheme(flow.structure)]
        else:
            candidates = [flow.structure] if wanted(flow.structure) else []
            if candidates:
                for artefact in sdmx.structure_artefacts(flow.structure):
                    found.setdefault(artefact.short_urn, artefact)
            continue
        for artefact in candidates:
            if wanted(artefact):
                found.setdefault(artefact.short_urn, artefact)
    return list(found.values())


def structure_message(artefacts: Sequence[Any], *, version: Literal["2.1", "3.0"]) -> str:
    """An SDMX-ML structure message, written by pysdmx."""
    message = write_sdmx(
        list(artefacts), _STRUCTURE_FORMATS[version], header=Header(sender=Organisation(id=AGENCY))
    )
    assert message is not None  # write_sdmx returns the text when given no path
    return message


def availability_message(
    *,
    flow: Flow,
    codes: Mapping[str, Sequence[str]],
    periods: Sequence[str],
    observations: int,
    version: Literal["2.1", "3.0"],
) -> str:
    """An availability constraint (SDMX 2.x ``availableconstraint``): the codes that have data,
    written by pysdmx as an actual content constraint."""
    key_values = [
        CubeKeyValue(id=dimension, values=[CubeValue(value=code) for code in found])
        for dimension, found in codes.items()
        if found
    ]
    if periods:
        key_values.append(
            CubeKeyValue(
                id=sdmx.TIME_PERIOD,
                time_range=CubeTimeRange(
                    start_period=TimePeriodBoundary(period=periods[0]),
                    end_period=TimePeriodBoundary(period=periods[-1]),
                ),
            )
        )
    constraint = AvailabilityConstraint(
        constraint_attachment=ConstraintAttachment(
            data_provider=None, dataflows=[str(flow.dataflow.urn or _flow_urn(flow.dataflow))]
        ),
        cube_region=CubeRegion(key_values=key_values),
        obs_count=observations,
    )
    return structure_message([constraint], version=version)


def _flow_urn(flow: Dataflow) -> str:
    return f"urn:sdmx:org.sdmx.infomodel.datastructure.{flow.short_urn}"


# Export ---------------------------------------------------------------------------------------

ExportFormat = Literal["sdmx-ml", "sdmx-ml-3.0", "sdmx-csv", "sdmx-json", "csv"]
EXPORT_FORMATS: tuple[ExportFormat, ...] = (
    "sdmx-ml",
    "sdmx-ml-3.0",
    "sdmx-csv",
    "sdmx-json",
    "csv",
)


def indicator_export(
    *,
    code: str,
    format: ExportFormat,
    out: BinaryIO,
    ref_area: str | None = None,
    dimension_at_observation: str = sdmx.ALL_DIMENSIONS,
    shape: Shape = "hub",
) -> int:
    """Write an indicator's published data to ``out``, as the SDMX REST API serves them:
    SDMX-ML 2.1 or 3.0 structure-specific, SDMX-CSV 2.0, SDMX-JSON 2.1, or a plain CSV file
    (the SDMX-CSV columns without the structure's). ``ref_area`` is an M49 code.
    ``dimension_at_observation`` is the API's ``dimensionAtObservation``: flat data
    (``AllDimensions``), time series (``TIME_PERIOD``) or cross-sections (a dimension of the
    flow) in SDMX-ML and SDMX-JSON; the CSV files are flat whatever it says. ``shape`` ``sdg``
    writes the SDG-shaped flow (``DF_SDG_10_7_3``) rather than the hub's. Returns the
    number of observations written. Raises ``Indicator.DoesNotExist`` for an unknown code,
    :class:`~solidarity.stats.sdmx.SdmxStructureError` for a name that is not a dimension."""
    flow = flow_for_indicator(code=code, shape=shape)
    at_observation = sdmx.observation_dimension(flow.structure, dimension_at_observation)
    versions = published_versions(flow=flow, ref_areas=[ref_area] if ref_area else [])
    dataset = published_dataset(flow=flow, versions=versions)
    if (
        format not in ("sdmx-csv", "csv")
        and at_observation != sdmx.ALL_DIMENSIONS
        and (at_observation != sdmx.TIME_PERIOD or flow.shape == "sdg")
    ):
        # Time series of the hub's shape come ordered by their key from the database (as the
        # API's do), a series at a time; cross-sections, and the SDG shape's series (whose
        # keys are made of other codes), must be gathered into their series first.
        series = sdmx.series_dimensions(flow.structure, at_observation)
        dataset = sdmx.Dataset(
            flow.structure, iter(sdmx.series_ordered(dataset.observations, series))
        )
    if format in ("sdmx-ml", "sdmx-ml-3.0"):
        ml: sdmx.MlDataFormat = (
            "3.0-structure-specific" if format == "sdmx-ml-3.0" else "2.1-structure-specific"
        )
        return sdmx.stream_sdmx_ml(dataset, out, format=ml, dimension_at_observation=at_observation)
    text = io.TextIOWrapper(out, encoding="utf-8", newline="")
    try:
        if format == "sdmx-json":
            return sdmx.write_sdmx_json(
                dataset, text, dataflow=flow.dataflow, dimension_at_observation=at_observation
            )
        count = -1
        for count, line in enumerate(  # noqa: B007  # the count is the loop's result
            sdmx.write_sdmx_csv(dataset, version="2.0", dataflow=flow.dataflow)
        ):
            if format == "csv":
                # Plain CSV: the SDMX-CSV 2.0 line without STRUCTURE, STRUCTURE_ID and ACTION.
                line = line.split(",", 3)[3]
            text.write(line)
        return count
    finally:
        text.flush()
        text.detach()
