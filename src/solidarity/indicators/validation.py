"""Checking an Open SDG submission against the catalogue and the provider's label mappings.

:func:`validate_open_sdg_submission` reads a file with
:func:`solidarity.stats.opensdg.read_open_sdg` and says, DHIS2-style, what an import would do: how
many rows were read and how many observations are valid, and every problem with file, row,
column, value and reason. It writes nothing. :func:`check_open_sdg_submission` is the same
check as a stream of mapped observations, which the import action stores as they come.

Errors block an import; warnings (a total that disagrees with its parts, an outlier, what the
reader assumed) do not.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, BinaryIO

from django.db.models import Q
from django.utils.translation import gettext as _

from solidarity.accounts.models import Organisation
from solidarity.indicators.formats import SDMX_FORMATS, SdmxReading, open_reading
from solidarity.indicators.models import Code, Indicator, LabelMapping, normalise_label
from solidarity.stats.opensdg import OpenSdgError, Problem, Reading

# How many problems the summary lists; the counts go on beyond it.
MAX_PROBLEMS = 1000
# How many problems the reader keeps for us to classify: more than we list, so that the counts by
# reason stay right for any file a person would fix by hand.
READER_MAX_PROBLEMS = 100_000
# Dimensions a file never breaks its figures down by in a column: the period is the Year column
# and the reference area belongs to the whole dataset.
NOT_COLUMNS = frozenset({"TIME_PERIOD", "REF_AREA"})
TOTAL = "_T"
# Below this many values a z-score means nothing (|z| can never pass 3 with fewer than 11).
MIN_SERIES_FOR_OUTLIERS = 4
Z_LIMIT = 3


@dataclass(frozen=True, slots=True)
class MappedObservation:
    """An observation of the file in the hub's codes, ready to be stored."""

    row: int
    series: str
    series_key: str
    dimensions: dict[str, str]
    time_period: str
    value: Decimal | None
    obs_status: str
    conf_status: str
    unit: str
    unit_multiplier: int | None


@dataclass
class ImportSummary:
    """What a submission holds and what is wrong with it. JSON-serialisable by `as_json`."""

    file_name: str
    rows_read: int = 0
    observations_valid: int = 0
    error_count: int = 0
    warning_count: int = 0
    by_reason: Counter[str] = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return self.error_count > 0

    @property
    def problems_left_out(self) -> int:
        return self.error_count + self.warning_count - len(self.problems)

    def add(
        self,
        *,
        kind: str,
        severity: str,
        row: int | None,
        column: str | None,
        value: str | None,
        reason: str,
    ) -> None:
        if severity == "error":
            self.error_count += 1
        else:
            self.warning_count += 1
        self.by_reason[kind] += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(
                Problem(
                    self.file_name,
                    row,
                    column,
                    value,
                    reason,
                    "error" if severity == "error" else "warning",
                )
            )

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.file_name,
            "valid": not self.has_errors,
            "rows_read": self.rows_read,
            "observations_valid": self.observations_valid,
            "errors": self.error_count,
            "warnings": self.warning_count,
            "by_reason": dict(sorted(self.by_reason.items())),
            "problems": [
                {
                    "file": p.file,
                    "row": p.row,
                    "column": p.column,
                    "value": p.value,
                    "reason": p.reason,
                    "severity": p.severity,
                }
                for p in self.problems
            ],
            "problems_left_out": self.problems_left_out,
        }


class _Catalogue:
    """The mappings and codes a check needs, read once: the provider's mappings before the common
    ones, then the code itself."""

    def __init__(self, *, indicator: Indicator, provider: Organisation) -> None:
        self.indicator = indicator
        self.allowed = {
            link.dimension_id
            for link in indicator.indicatordimension_set.all()
            if link.dimension_id not in NOT_COLUMNS
        }
        self.columns: dict[str, str] = {}
        self.values: dict[tuple[str, str], str] = {}
        mappings = (
            LabelMapping.objects.filter(Q(provider__isnull=True) | Q(provider=provider))
            .select_related("code")
            .order_by("provider")  # NULLs first: the provider's own mappings win below
        )
        for mapping in mappings:
            if mapping.kind == LabelMapping.Kind.COLUMN:
                self.columns[mapping.normalised_label] = mapping.dimension_id
            elif mapping.code is not None:
                self.values[(mapping.dimension_id, mapping.normalised_label)] = mapping.code.code
        self.codes: set[tuple[str, str]] = set()
        self.parent: dict[tuple[str, str], str] = {}
        codes = Code.objects.filter(dimension__in=self.allowed).filter(
            Q(provider__isnull=True) | Q(provider=provider)
        )
        for dimension, code, parent in codes.values_list("dimension", "code", "parent__code"):
            self.codes.add((dimension, code))
            if parent:
                self.parent[(dimension, code)] = parent
        self.children: dict[tuple[str, str], set[str]] = defaultdict(set)
        for (dimension, code), parent in self.parent.items():
            self.children[(dimension, parent)].add(code)

    def dimension_of(self, column: str) -> str | None:
        dimension = self.columns.get(normalise_label(column))
        if dimension is None and column.strip() in self.allowed:
            dimension = column.strip()  # the dimension's own code as the header
        return dimension

    def code_of(self, dimension: str, label: str, *, codes_first: bool = False) -> str | None:
        if codes_first and (dimension, label.strip()) in self.codes:
            return label.strip()  # an SDMX file's own code: mappings are for what is not ours
        code = self.values.get((dimension, normalise_label(label)))
        if code is None and (dimension, label.strip()) in self.codes:
            code = label.strip()
        return code


def _reader_kind(problem: Problem) -> str:
    """The reader's problems by what they are about, for the counts by reason."""
    if problem.reason.startswith("duplicates row"):
        return "duplicate_key"
    column = (problem.column or "").strip().lower()
    if column in ("year", "time_period"):
        return "time_period"
    if column in ("value", "obs_value", "unit_mult"):
        return "value"
    if column == "ref_area":
        return "ref_area"
    return "file" if problem.column is None else "status"


def _plain(number: Decimal) -> str:
    return format(number.normalize(), "f")


def check_open_sdg_submission(
    *,
    indicator: Indicator,
    provider: Organisation,
    file: BinaryIO,
    file_name: str,
    summary: ImportSummary,
    format: str = "open-sdg",
    ref_area: str | None = None,
) -> Iterator[MappedObservation]:
    """Read ``file`` and yield its valid observations in the hub's codes, filling ``summary``
    as it goes; the checks over the whole file (totals, outliers) run after the last one.

    ``format`` is one of :data:`~solidarity.indicators.formats.FORMATS`; every format is read
    into the Open SDG reader's observations and checked here alike. SDMX files carry codes:
    their dimension's codes are taken as they are, the mappings only for what is not a code of
    ours, and their REF_AREA must be ``ref_area`` (the dataset's) when given.

    Raises :class:`~solidarity.stats.opensdg.OpenSdgError` when the file cannot be read at all or
    stops being readable mid-way (the observations before it have been yielded)."""
    catalogue = _Catalogue(indicator=indicator, provider=provider)
    reading = open_reading(
        format=format,
        indicator=indicator,
        provider_id=provider.pk,
        ref_area=ref_area,
        file=file,
        file_name=file_name,
        max_problems=READER_MAX_PROBLEMS,
    )
    codes_first = format in SDMX_FORMATS
    column_dimensions: list[str | None] = []
    seen_dimensions: dict[str, str] = {}
    for column in reading.columns:
        dimension = catalogue.dimension_of(column)
        if dimension is None:
            summary.add(
                kind="unmapped_column",
                severity="error",
                row=reading.header_row,
                column=column,
                value=None,
                reason=_("no mapping for the column '%(column)s'; add one on the mappings page")
                % {"column": column},
            )
        elif dimension not in catalogue.allowed:
            summary.add(
                kind="dimension_not_allowed",
                severity="error",
                row=reading.header_row,
                column=column,
                value=None,
                reason=_("%(dimension)s is not a dimension of indicator %(indicator)s")
                % {"dimension": dimension, "indicator": indicator.code},
            )
            dimension = None
        elif dimension in seen_dimensions:
            summary.add(
                kind="duplicate_column",
                severity="error",
                row=reading.header_row,
                column=column,
                value=None,
                reason=_("the column '%(other)s' already maps to %(dimension)s")
                % {"other": seen_dimensions[dimension], "dimension": dimension},
            )
            dimension = None
        else:
            seen_dimensions[dimension] = column
        column_dimensions.append(dimension)
    # The dimensions the indicator has but the file does not break down by are totals.
    absent = sorted(catalogue.allowed - set(seen_dimensions))
    low = indicator.min_value
    high = indicator.max_value
    label_cache: dict[tuple[str, str], str | None] = {}
    first_row: dict[tuple[str, str, str], int] = {}
    # Kept for the checks over the whole file: (series, key codes, period) -> value.
    values: dict[tuple[str, tuple[tuple[str, str], ...], str], Decimal] = {}
    counted = 0
    try:
        for observation in reading.observations():
            row_ok = True
            codes: dict[str, str] = dict.fromkeys(absent, TOTAL)
            for (column, label), dimension in zip(
                observation.dimensions, column_dimensions, strict=True
            ):
                if dimension is None:
                    row_ok = False
                    continue
                text = label or ""
                cached = (dimension, text)
                if cached in label_cache:
                    code = label_cache[cached]
                else:
                    code = label_cache[cached] = catalogue.code_of(
                        dimension, text, codes_first=codes_first
                    )
                if code is None:
                    row_ok = False
                    summary.add(
                        kind="unmapped_label",
                        severity="error",
                        row=observation.row,
                        column=column,
                        value=text,
                        reason=_(
                            "no mapping for '%(label)s' in %(dimension)s; add one on the "
                            "mappings page"
                        )
                        % {"label": text, "dimension": dimension},
                    )
                else:
                    codes[dimension] = code
            value = observation.value
            if value is not None and (
                (low is not None and value < low) or (high is not None and value > high)
            ):
                row_ok = False
                summary.add(
                    kind="out_of_range",
                    severity="error",
                    row=observation.row,
                    column="Value",
                    value=observation.raw_value,
                    reason=_(
                        "%(value)s is outside the range of indicator %(indicator)s (%(range)s)"
                    )
                    % {
                        "value": _plain(value),
                        "indicator": indicator.code,
                        "range": _range_text(low, high),
                    },
                )
            if not row_ok:
                continue
            pairs = tuple(sorted(codes.items()))
            series_key = "|".join(f"{d}={c}" for d, c in pairs)
            series = observation.series or ""
            identity = (series, series_key, observation.time_period)
            earlier = first_row.setdefault(identity, observation.row)
            if earlier != observation.row:
                summary.add(
                    kind="duplicate_key",
                    severity="error",
                    row=observation.row,
                    column=None,
                    value=None,
                    reason=_("duplicates row %(row)s once its labels are read as codes (%(key)s)")
                    % {"row": earlier, "key": series_key or "total"},
                )
                continue
            if value is not None:
                values[(series, pairs, observation.time_period)] = value
            counted += 1
            yield MappedObservation(
                row=observation.row,
                series=series,
                series_key=series_key,
                dimensions=codes,
                time_period=observation.time_period,
                value=value,
                obs_status=observation.obs_status or "",
                conf_status=observation.conf_status or "",
                unit=observation.unit or "",
                unit_multiplier=observation.unit_multiplier,
            )
    finally:
        summary.rows_read = reading.rows_read
        summary.observations_valid = counted
        _carry_over(reading, summary)
    if _additive(indicator):
        _check_totals(values, catalogue, indicator, summary, first_row)
    _check_outliers(values, summary, first_row)


def _carry_over(reading: Reading | SdmxReading, summary: ImportSummary) -> None:
    for problem in reading.problems:
        summary.add(
            kind=_reader_kind(problem),
            severity=problem.severity,
            row=problem.row,
            column=problem.column,
            value=problem.value,
            reason=problem.reason,
        )
    # Problems beyond what the reader kept are counted, not classified.
    for severity, total, kept in (
        ("error", reading.error_count, sum(p.severity == "error" for p in reading.problems)),
        ("warning", reading.warning_count, sum(p.severity == "warning" for p in reading.problems)),
    ):
        for _extra in range(total - kept):
            summary.add(
                kind="other", severity=severity, row=None, column=None, value=None, reason=""
            )


def _range_text(low: Decimal | None, high: Decimal | None) -> str:
    # Written in symbols, which every language reads the same way.
    if low is not None and high is not None:
        return f"[{_plain(low)}, {_plain(high)}]"
    if low is not None:
        return f"≥ {_plain(low)}"
    assert high is not None
    return f"≤ {_plain(high)}"


def _additive(indicator: Indicator) -> bool:
    # Only counts add up: a rate or a percentage for women and one for men do not sum to the
    # rate for everyone, so comparing them would only give false warnings.
    return indicator.unit.strip().lower() in {"number", "count", "persons", "number of persons"}


def _check_totals(
    values: dict[tuple[str, tuple[tuple[str, str], ...], str], Decimal],
    catalogue: _Catalogue,
    indicator: Indicator,
    summary: ImportSummary,
    first_row: dict[tuple[str, str, str], int],
) -> None:
    """A total (a code with children in its codelist, ``_T`` above all) against the sum of its
    children, one dimension at a time with the others fixed, when every child is present."""
    step = Decimal(1).scaleb(-(indicator.decimals or 0))
    for (series, pairs, period), total in values.items():
        for index, (dimension, code) in enumerate(pairs):
            children = catalogue.children.get((dimension, code))
            if not children:
                continue
            parts: list[Decimal] = []
            for child in sorted(children):
                key = (series, (*pairs[:index], (dimension, child), *pairs[index + 1 :]), period)
                part = values.get(key)
                if part is None:
                    break
                parts.append(part)
            else:
                added = sum(parts, Decimal(0))
                # Each rounded part may be half a unit of its last decimal away from the truth.
                if abs(added - total) > step * len(parts) / 2:
                    series_key = "|".join(f"{d}={c}" for d, c in pairs)
                    summary.add(
                        kind="total_mismatch",
                        severity="warning",
                        row=first_row.get((series, series_key, period)),
                        column="Value",
                        value=_plain(total),
                        reason=_(
                            "the total %(total)s for %(dimension)s differs from the sum of its "
                            "parts (%(parts)s: %(sum)s)"
                        )
                        % {
                            "total": _plain(total),
                            "dimension": dimension,
                            "parts": ", ".join(sorted(children)),
                            "sum": _plain(added),
                        },
                    )


def _check_outliers(
    values: dict[tuple[str, tuple[tuple[str, str], ...], str], Decimal],
    summary: ImportSummary,
    first_row: dict[tuple[str, str, str], int],
) -> None:
    """Within each series (the same breakdown over time): a value whose z-score passes 3, or one
    further from the others' range than that range is wide (min-max)."""
    by_series: dict[tuple[str, tuple[tuple[str, str], ...]], list[tuple[str, Decimal]]] = (
        defaultdict(list)
    )
    for (series, pairs, period), value in values.items():
        by_series[(series, pairs)].append((period, value))
    for (series, pairs), points in by_series.items():
        if len(points) < MIN_SERIES_FOR_OUTLIERS:
            continue
        numbers = [float(value) for _period, value in points]
        mean = statistics.fmean(numbers)
        spread = statistics.pstdev(numbers)
        series_key = "|".join(f"{d}={c}" for d, c in pairs)
        # The others' range is the whole range but for the point itself: the two smallest and
        # two largest values give it for every point without a quadratic pass.
        ordered = sorted(numbers)
        for index, (period, value) in enumerate(points):
            number = numbers[index]
            z = 0.0 if spread == 0 else (number - mean) / spread
            low = ordered[1] if number == ordered[0] else ordered[0]
            high = ordered[-2] if number == ordered[-1] else ordered[-1]
            width = high - low
            far = width > 0 and (number > high + width or number < low - width)
            if abs(z) <= Z_LIMIT and not far:
                continue
            reason = (
                _("%(value)s is an outlier in its series (z-score %(z)s)")
                % {"value": _plain(value), "z": f"{z:.1f}"}
                if abs(z) > Z_LIMIT
                else _(
                    "%(value)s is an outlier in its series: far outside the others' range "
                    "%(low)s to %(high)s"
                )
                % {"value": _plain(value), "low": _number(low), "high": _number(high)}
            )
            summary.add(
                kind="outlier",
                severity="warning",
                row=first_row.get((series, series_key, period)),
                column="Value",
                value=_plain(value),
                reason=reason,
            )


def _number(number: float) -> str:
    return f"{number:g}" if math.isfinite(number) else str(number)


def validate_open_sdg_submission(
    *,
    indicator: Indicator,
    provider: Organisation,
    file: BinaryIO,
    file_name: str,
    format: str = "open-sdg",
    ref_area: str | None = None,
) -> ImportSummary:
    """Check an Open SDG indicator CSV file as ``provider`` would submit it for ``indicator``,
    without writing anything.

    Each column header is read as a dimension through the provider's column mappings, then the
    common ones (or the dimension's own code); each label as a code through the provider's value
    mappings, then the common ones, then the code itself. A file that cannot be read at all gives
    a summary with that one error.
    """
    summary = ImportSummary(file_name=file_name)
    try:
        for _observation in check_open_sdg_submission(
            indicator=indicator,
            provider=provider,
            file=file,
            file_name=file_name,
            summary=summary,
            format=format,
            ref_area=ref_area,
        ):
            pass
    except OpenSdgError as error:
        add_reader_failure(summary, error)
    return summary


def add_reader_failure(summary: ImportSummary, error: OpenSdgError) -> None:
    """Record a file the reader could not read (or stopped reading) as one error."""
    summary.add(
        kind="file",
        severity="error",
        row=error.row,
        column=error.column,
        value=None,
        reason=error.reason,
    )
