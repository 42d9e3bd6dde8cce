"""Reads of published data: what the public sees of the data hub.

Everything here starts from :func:`public_versions` — for each dataset its latest version that is
published and past its embargo — and never returns a confidential cell (SDMX ``CONF_STATUS`` other
than free). Drafts, versions under review and embargoed versions never reach these functions'
results, whoever asks: pages for providers and reviewers use :mod:`solidarity.indicators.selectors`.

These selectors live in their own module (not ``selectors.py``) so the publication pages, the
downloads and the coverage report share one definition of "public" with a short import list.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db import connection
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solidarity.indicators.models import (
    PUBLISHABLE_CONF_STATUSES,
    Code,
    DatasetVersion,
    Dimension,
    Indicator,
    IndicatorDimension,
    Observation,
    key_order,
)
from solidarity.indicators.sdmx import provider_codes
from solidarity.reference.models import Country

TOTAL = "_T"
# Dimensions that place a figure rather than break it down: never a "breakdown" to cover.
NOT_BREAKDOWNS = ("REF_AREA", "TIME_PERIOD")

#: SDMX CL_OBS_STATUS, as shown beside a figure.
OBS_STATUS_NAMES = {
    "A": _("Normal value"),
    "B": _("Time series break"),
    "D": _("Definition differs"),
    "E": _("Estimated value"),
    "F": _("Forecast value"),
    "G": _("Experimental value"),
    "I": _("Imputed value"),
    "L": _("Missing value; data exist but were not collected"),
    "M": _("Missing value; data cannot exist"),
    "N": _("Not significant"),
    "O": _("Missing value"),
    "P": _("Provisional value"),
    "Q": _("Missing value; suppressed"),
    "U": _("Low reliability"),
    "V": _("Unvalidated value"),
}


def public_versions(
    *, indicator: Indicator | None = None, ref_area: Code | None = None
) -> QuerySet[DatasetVersion]:
    """For each dataset, its latest version that is published and past its embargo.

    A newer version still under embargo leaves the previous published one in place."""
    public = DatasetVersion.objects.filter(status=DatasetVersion.Status.PUBLISHED).filter(
        Q(embargo_until__isnull=True) | Q(embargo_until__lte=timezone.now())
    )
    latest = public.filter(dataset=OuterRef("dataset")).order_by("-number").values("pk")[:1]
    versions = public.filter(pk=Subquery(latest))
    if indicator is not None:
        versions = versions.filter(dataset__indicator=indicator)
    if ref_area is not None:
        versions = versions.filter(dataset__ref_area=ref_area)
    return versions.select_related(
        "dataset__indicator", "dataset__provider", "dataset__ref_area"
    ).order_by("dataset__indicator__order", "dataset__ref_area__code", "dataset__provider__name")


def public_observations(*, versions: Iterable[DatasetVersion]) -> QuerySet[Observation]:
    """The observations of ``versions`` (which must come from :func:`public_versions`) that may
    be shown: never a confidential cell."""
    return Observation.objects.filter(
        version__in=[version.pk for version in versions],
        conf_status__in=PUBLISHABLE_CONF_STATUSES,
    ).order_by(*key_order(connection.vendor, version_first=True))


def published_indicators_for_country(*, country: Country) -> list[Indicator]:
    """The indicators with published data about ``country`` (its M49 reference area)."""
    indicator_codes = public_versions().filter(
        dataset__ref_area__code=country.m49, dataset__ref_area__provider__isnull=True
    )
    return list(
        Indicator.objects.filter(code__in=indicator_codes.values("dataset__indicator")).order_by(
            "order", "code"
        )
    )


# -- Series and charts for the indicator page ---------------------------------------------------


@dataclass(frozen=True)
class Point:
    time_period: str
    value: Decimal | None
    obs_status: str
    status_name: str
    unit: str
    unit_multiplier: int | None
    footnote: str


@dataclass(frozen=True)
class Choice:
    code: str
    name: str


@dataclass(frozen=True)
class Filter:
    """One select of the disaggregation form: a dimension the data are broken down by."""

    field_name: str
    dimension: str
    label: str
    choices: list[Choice]
    selected: str


@dataclass
class PublishedDataset:
    """What the indicator page shows of one dataset: its public version, the series selected by
    the filters (the headline series, every dimension at its total, by default) and the filters."""

    version: DatasetVersion
    filters: list[Filter]
    series: str
    points: list[Point] = field(default_factory=list)

    @property
    def prefix(self) -> str:
        return f"d{self.version.dataset_id}"

    @property
    def selection(self) -> list[tuple[str, str]]:
        """The selected (dimension label, code name) pairs, for the table's caption."""
        return [
            (one.label, next((c.name for c in one.choices if c.code == one.selected), one.selected))
            for one in self.filters
        ]

    @property
    def is_headline(self) -> bool:
        return all(one.selected == TOTAL for one in self.filters if one.dimension != "SERIES")

    @property
    def values(self) -> list[Point]:
        return [point for point in self.points if point.value is not None]

    @property
    def lowest(self) -> Point | None:
        return min(self.values, key=lambda p: p.value or 0, default=None)

    @property
    def highest(self) -> Point | None:
        return max(self.values, key=lambda p: p.value or 0, default=None)

    @property
    def latest(self) -> Point | None:
        values = self.values
        return values[-1] if values else None

    @property
    def unit(self) -> str:
        units = {point.unit for point in self.points if point.unit}
        return ", ".join(sorted(units))


def _code_names(
    dimensions: Iterable[str], providers: Iterable[int]
) -> dict[tuple[str, int | None, str], str]:
    codes = Code.objects.filter(dimension__in=list(dimensions)).filter(
        Q(provider__isnull=True) | Q(provider__in=list(providers))
    )
    return {
        (code.dimension_id, code.provider_id, code.code): code.localized("name") for code in codes
    }


def _code_name(
    names: dict[tuple[str, int | None, str], str], dimension: str, provider: int, code: str
) -> str:
    """A code's name: the provider's own code first, then the common one, else the code."""
    return names.get((dimension, provider, code), names.get((dimension, None, code), code))


def _key_codes(series_key: str) -> dict[str, str]:
    """The codes of a series key (``AGE=_T|SEX=F``)."""
    return dict(pair.split("=", 1) for pair in series_key.split("|") if pair)


def _stamp(version: DatasetVersion) -> str:
    return f"{version.published_at.timestamp():f}" if version.published_at else "0"


def _series_keys(versions: list[DatasetVersion]) -> dict[int, list[tuple[str, str]]]:
    """The distinct (series, series key) of each version's public observations. A published
    version never changes, so they are kept in the cache, under the version and the moment it
    was published; one query reads those of the versions not found there."""
    names = {
        version.pk: f"indicators:series-keys:{version.pk}:{_stamp(version)}" for version in versions
    }
    found = cache.get_many(list(names.values()))
    result = {pk: found[name] for pk, name in names.items() if name in found}
    missing = [version for version in versions if version.pk not in result]
    if missing:
        read: dict[int, list[tuple[str, str]]] = {version.pk: [] for version in missing}
        rows = (
            public_observations(versions=missing)
            .order_by()
            .values_list("version_id", "series", "series_key")
            .distinct()
        )
        for version_id, series_label, series_key in rows:
            read[version_id].append((series_label, series_key))
        cache.set_many({names[pk]: pairs for pk, pairs in read.items()}, timeout=None)
        result.update(read)
    return result


def published_datasets(*, indicator: Indicator, selected: dict[str, str]) -> list[PublishedDataset]:
    """The public datasets of ``indicator``, each with the series chosen in ``selected`` (form
    field name → code; a field missing or naming an unknown code means the total).

    Only the chosen series' observations are read: the filters come from each version's
    distinct series keys (a few hundred where there are a million observations; kept in the
    cache once read, as a published version never changes), the points from one query for the
    chosen keys. At most six queries whatever the number of datasets: versions, series keys
    (none once cached), points, dimensions, codes, and the indicator's dimension order."""
    versions = list(public_versions(indicator=indicator))
    public = public_observations(versions=versions)
    keys: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for version_id, pairs in _series_keys(versions).items():
        for series_label, series_key in pairs:
            keys[version_id][series_label].add(series_key)
    used = {
        dimension
        for by_series in keys.values()
        for series_keys in by_series.values()
        for key in series_keys
        for dimension in _key_codes(key)
    }
    order = {
        link.dimension_id: link.order
        for link in IndicatorDimension.objects.filter(indicator=indicator)
    }
    dimensions = {
        d.code: d.localized("name") for d in Dimension.objects.filter(code__in=sorted(used))
    }
    names = _code_names(used, {v.dataset.provider_id for v in versions})
    results = []
    wanted_points = Q(pk__in=[])
    for version in versions:
        by_series = keys.get(version.pk, {})
        provider = version.dataset.provider_id
        filters = []
        series_names = sorted(by_series)
        series = series_names[0] if series_names else ""
        prefix = f"d{version.dataset_id}"
        if len(series_names) > 1:
            chosen = selected.get(f"{prefix}-SERIES", "")
            series = chosen if chosen in series_names else series
            filters.append(
                Filter(
                    field_name=f"{prefix}-SERIES",
                    dimension="SERIES",
                    label=str(_("Series")),
                    choices=[Choice(code=s, name=s) for s in series_names],
                    selected=series,
                )
            )
        present: dict[str, set[str]] = defaultdict(set)
        for series_keys in by_series.values():
            for key in series_keys:
                for dimension, code in _key_codes(key).items():
                    present[dimension].add(code)
        chosen_codes: dict[str, str] = {}
        for dimension in sorted(present, key=lambda d: (order.get(d, 999), d)):
            codes = present[dimension] | {TOTAL}

            choices = sorted(
                (
                    Choice(code=code, name=_code_name(names, dimension, provider, code))
                    for code in codes
                ),
                key=lambda c: (c.code != TOTAL, c.name),
            )
            wanted = selected.get(f"{prefix}-{dimension}", TOTAL)
            chosen_codes[dimension] = wanted if wanted in codes else TOTAL
            filters.append(
                Filter(
                    field_name=f"{prefix}-{dimension}",
                    dimension=dimension,
                    label=dimensions.get(dimension, dimension),
                    choices=choices,
                    selected=chosen_codes[dimension],
                )
            )
        matching = [
            key
            for key in by_series.get(series, ())
            if all(_key_codes(key).get(d, TOTAL) == c for d, c in chosen_codes.items())
        ]
        if matching:
            wanted_points |= Q(version_id=version.pk, series=series, series_key__in=matching)
        results.append(PublishedDataset(version=version, filters=filters, series=series))
    by_version: dict[int, list[Point]] = defaultdict(list)
    rows = public.filter(wanted_points).only(
        "version_id",
        "time_period",
        "value",
        "obs_status",
        "unit",
        "unit_multiplier",
        "footnote",
    )
    for o in rows if versions else ():
        by_version[o.version_id].append(
            Point(
                time_period=o.time_period,
                value=o.value,
                obs_status=o.obs_status,
                status_name=str(OBS_STATUS_NAMES.get(o.obs_status, o.obs_status)),
                unit=o.unit or indicator.localized("unit"),
                unit_multiplier=o.unit_multiplier,
                footnote=o.footnote,
            )
        )
    for result in results:
        result.points = sorted(by_version.get(result.version.pk, []), key=lambda p: p.time_period)
    return results


# -- Downloads ----------------------------------------------------------------------------------


def download_columns(*, indicator: Indicator) -> list[str]:
    """The tidy table's columns: one per breakdown dimension of the indicator, in its order."""
    dimensions = [
        link.dimension_id
        for link in IndicatorDimension.objects.filter(indicator=indicator).order_by("order")
        if link.dimension_id not in NOT_BREAKDOWNS
    ]
    return [
        "INDICATOR",
        "DATA_PROVIDER",
        "REF_AREA",
        "SERIES",
        *dimensions,
        "TIME_PERIOD",
        "OBS_VALUE",
        "UNIT_MEASURE",
        "UNIT_MULT",
        "OBS_STATUS",
        "CONF_STATUS",
        "COMMENT_OBS",
        "VERSION",
        "PUBLISHED",
    ]


def plain_number(value: Decimal | None) -> str:
    """A value as people write it: ``13``, not ``13.000000000000``; blank for none."""
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return text


def download_rows(
    *, indicator: Indicator, columns: list[str], ref_area: Code | None = None
) -> Iterator[list[object]]:
    """The published observations of ``indicator`` as rows under ``columns`` (dimension
    columns carry the code, ``_T`` where the data have no breakdown by it; DATA_PROVIDER the
    provider's code, as the SDMX answers have it). Three queries."""
    versions = {v.pk: v for v in public_versions(indicator=indicator, ref_area=ref_area)}
    codes = provider_codes() if versions else {}
    dimensions = columns[4 : columns.index("TIME_PERIOD")]
    for observation in public_observations(versions=versions.values()).iterator(chunk_size=2000):
        version = versions[observation.version_id]
        dataset = version.dataset
        yield [
            indicator.code,
            codes[dataset.provider_id],
            dataset.ref_area.code,
            observation.series,
            *(observation.dimensions.get(d, TOTAL) for d in dimensions),
            observation.time_period,
            observation.value,
            observation.unit,
            observation.unit_multiplier,
            observation.obs_status,
            # Only publishable statuses reach here (free, or none): a withheld cell is no row.
            observation.conf_status,
            observation.footnote,
            version.number,
            version.published_at.date().isoformat() if version.published_at else "",
        ]


# -- Coverage -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CoverageRow:
    """Which of an indicator's breakdowns a country's published data have."""

    indicator: str
    indicator_name: str
    ref_area: str
    ref_area_name: str
    providers: list[str]
    present: list[str]
    missing: list[str]

    @property
    def published(self) -> bool:
        return bool(self.providers)


def coverage_report(
    *, indicator: Indicator | None = None, ref_area: Code | None = None
) -> list[CoverageRow]:
    """Per indicator and reference area with published data, the indicator's breakdown
    dimensions that its published data have (some figure at a code other than the total) and
    those missing. With ``ref_area``, indicators with no published data there are listed too,
    every breakdown missing. Four queries."""
    indicators = Indicator.objects.order_by("order", "code")
    if indicator is not None:
        indicators = indicators.filter(pk=indicator.pk)
    expected: dict[str, list[str]] = defaultdict(list)
    for link in IndicatorDimension.objects.filter(indicator__in=indicators).order_by(
        "indicator", "order", "dimension"
    ):
        if link.dimension_id not in NOT_BREAKDOWNS:
            expected[link.indicator_id].append(link.dimension_id)
    versions = list(public_versions(indicator=indicator, ref_area=ref_area))
    broken_down: dict[int, set[str]] = defaultdict(set)
    keys = (
        public_observations(versions=versions)
        .exclude(series_key="")
        .order_by()
        .values_list("version_id", "series_key")
        .distinct()
    )
    for version_id, series_key in keys:
        for pair in series_key.split("|"):
            dimension, _sep, code = pair.partition("=")
            if code != TOTAL:
                broken_down[version_id].add(dimension)
    grouped: dict[tuple[str, str], list[DatasetVersion]] = defaultdict(list)
    for version in versions:
        grouped[(version.dataset.indicator_id, version.dataset.ref_area.code)].append(version)
    rows = []
    indicator_list = list(indicators)
    for one in indicator_list:
        areas = sorted(
            {area for (code, area) in grouped if code == one.code},
            key=lambda a: a,
        )
        if ref_area is not None and not areas:
            rows.append(
                CoverageRow(
                    indicator=one.code,
                    indicator_name=one.localized("name"),
                    ref_area=ref_area.code,
                    ref_area_name=ref_area.localized("name"),
                    providers=[],
                    present=[],
                    missing=list(expected[one.code]),
                )
            )
        for area in areas:
            group = grouped[(one.code, area)]
            have = set().union(*(broken_down[v.pk] for v in group))
            rows.append(
                CoverageRow(
                    indicator=one.code,
                    indicator_name=one.localized("name"),
                    ref_area=area,
                    ref_area_name=group[0].dataset.ref_area.localized("name"),
                    providers=sorted(
                        v.dataset.provider.acronym or v.dataset.provider.name for v in group
                    ),
                    present=[d for d in expected[one.code] if d in have],
                    missing=[d for d in expected[one.code] if d not in have],
                )
            )
    return rows
