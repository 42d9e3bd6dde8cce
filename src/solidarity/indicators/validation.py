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
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, BinaryIO

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]  # pyarrow ships no type information
import pyarrow.compute as pc  # type: ignore[import-untyped]
from django.db.models import Q
from django.utils.translation import gettext as _

from solidarity.accounts.models import Organisation
from solidarity.indicators.formats import (
    SDMX_FORMATS,
    SdmxReading,
    open_reading,
    reading_batches,
)
from solidarity.indicators.models import Code, Indicator, LabelMapping, normalise_label
from solidarity.indicators.reader_messages import reader_text
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
# Control characters: never in a series label, whose text is part of the observation's key
# (stored with chr(1) between its parts, see indicators.models.KEY_SQL) and of SDMX-ML answers.
CONTROL_CHARACTERS = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
# Below this many values a z-score means nothing (|z| can never pass 3 with fewer than 11).
MIN_SERIES_FOR_OUTLIERS = 4
Z_LIMIT = 3


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
    def listing(self) -> bool:
        """Whether the next problem will be listed (the first MAX_PROBLEMS are); past that,
        a check need only count, not word, what it finds."""
        return len(self.problems) < MAX_PROBLEMS

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

    def count(self, *, kind: str, severity: str, number: int) -> None:
        """Count ``number`` problems of one kind without listing them: for a check that finds
        more than the summary lists."""
        if severity == "error":
            self.error_count += number
        else:
            self.warning_count += number
        if number:
            self.by_reason[kind] += number

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
    if problem.reason.startswith("repeats row"):
        return "repeated_figure"
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


#: The columns of the batches :func:`check_open_sdg_submission` yields: an observation as the
#: database stores it (but for its version).
STORED_COLUMNS = (
    "series",
    "series_key",
    "time_period",
    "value",
    "obs_status",
    "conf_status",
    "unit",
    "unit_multiplier",
    "footnote",
    "source_row",
)


class _Series:
    """The series of a file met so far (a series label and the codes of every dimension), each
    with a number; and the periods likewise. An observation's identity is then one 64-bit
    integer, series number and period number side by side, exact, with no hashing."""

    def __init__(self, dimensions: list[str], absent: list[str]) -> None:
        self.dimensions = dimensions
        self._absent = absent
        self.number: dict[str, int] = {}
        self.label: list[str] = []
        self.key: list[str] = []
        self.pairs: list[tuple[tuple[str, str], ...]] = []
        self.period_number: dict[str, int] = {}
        self.periods: list[str] = []

    def numbers(self, combined: pa.Array) -> np.ndarray[Any, np.dtype[np.int64]]:
        """The series number of each row, from its label and codes joined by ``\x1f``."""
        encoded = combined.dictionary_encode()
        lookup = []
        for text in encoded.dictionary.to_pylist():
            number = self.number.get(text)
            if number is None:
                label, *codes = text.split("\x1f")
                pairs = tuple(
                    sorted([*zip(self.dimensions, codes, strict=True),
                            *((d, TOTAL) for d in self._absent)])
                )  # fmt: skip
                number = self.number[text] = len(self.label)
                self.label.append(label)
                self.key.append("|".join(f"{d}={c}" for d, c in pairs))
                self.pairs.append(pairs)
            lookup.append(number)
        numbers: np.ndarray[Any, np.dtype[np.int64]] = np.asarray(lookup, dtype=np.int64)
        per_row: np.ndarray[Any, np.dtype[np.int64]] = numbers[encoded.indices.to_numpy()]
        return per_row

    def period_numbers(self, periods: pa.Array) -> np.ndarray[Any, np.dtype[np.int64]]:
        encoded = periods.dictionary_encode()
        lookup = []
        for text in encoded.dictionary.to_pylist():
            number = self.period_number.get(text)
            if number is None:
                number = self.period_number[text] = len(self.periods)
                self.periods.append(text)
            lookup.append(number)
        numbers: np.ndarray[Any, np.dtype[np.int64]] = np.asarray(lookup, dtype=np.int64)
        per_row: np.ndarray[Any, np.dtype[np.int64]] = numbers[encoded.indices.to_numpy()]
        return per_row


def _picked(column: pa.Array, indices: np.ndarray[Any, Any]) -> pa.Array:
    """The values of ``column`` at ``indices`` (ascending, each once): all of them, the column
    itself, with no copy."""
    return column if len(indices) == len(column) else column.take(pa.array(indices))


class _FirstRows:
    """The first row of every observation identity and its value, in sorted flat arrays (24
    bytes a key): the duplicate check over the whole file without a Python object per row.

    The arrays are kept as a few sorted runs, the newest never longer than the one before
    (merged with it when it grows as long), so that each key is copied about log2(batches)
    times in all rather than once per batch, and a key is looked up in each run."""

    def __init__(self) -> None:
        self._runs: list[tuple[np.ndarray[Any, Any], ...]] = []

    def _seen(
        self, unique: np.ndarray[Any, Any]
    ) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]]:
        """Which of ``unique`` (sorted keys) were met before, with their first row and value."""
        seen = np.zeros(len(unique), dtype=bool)
        rows = np.zeros(len(unique), dtype=np.int64)
        values = np.full(len(unique), np.nan)
        for keys, run_rows, run_values in self._runs:
            position = np.minimum(np.searchsorted(keys, unique), len(keys) - 1)
            found = keys[position] == unique  # a key is in one run only
            rows[found] = run_rows[position[found]]
            values[found] = run_values[position[found]]
            seen |= found
        return seen, rows, values

    def _remember(
        self, keys: np.ndarray[Any, Any], rows: np.ndarray[Any, Any], values: np.ndarray[Any, Any]
    ) -> None:
        if not len(keys):
            return
        self._runs.append((keys, rows, values))
        while len(self._runs) > 1 and len(self._runs[-2][0]) <= len(self._runs[-1][0]):
            older, newer = self._runs[-2], self._runs[-1]
            merged = [np.concatenate([a, b]) for a, b in zip(older, newer, strict=True)]
            order = np.argsort(merged[0], kind="stable")  # two sorted runs: merged in one pass
            self._runs[-2:] = [tuple(array[order] for array in merged)]

    def earlier(
        self, keys: np.ndarray[Any, Any], rows: np.ndarray[Any, Any], values: np.ndarray[Any, Any]
    ) -> tuple[np.ndarray[Any, np.dtype[np.int64]], np.ndarray[Any, np.dtype[np.float64]]]:
        """For each row, the earlier row with its key (0 when it is the first) and that row's
        value (NaN for none), remembering the first row of every new key."""
        order = np.argsort(keys, kind="stable")
        ordered = keys[order]
        first = np.ones(len(ordered), dtype=bool)
        first[1:] = ordered[1:] != ordered[:-1]
        starts = np.maximum.accumulate(np.where(first, np.arange(len(ordered)), 0))
        earlier = np.where(first, 0, rows[order][starts])
        earlier_value = values[order][starts]
        unique = ordered[first]
        seen, seen_rows, seen_values = self._seen(unique)
        # Every row of a key seen in an earlier batch duplicates that batch's first row.
        group = np.cumsum(first) - 1
        earlier = np.where(seen[group], seen_rows[group], earlier)
        earlier_value = np.where(seen[group], seen_values[group], earlier_value)
        new = ~seen
        self._remember(unique[new], rows[order][first][new], values[order][first][new])
        result = np.empty(len(keys), dtype=np.int64)
        result[order] = earlier
        result_value = np.empty(len(keys), dtype=np.float64)
        result_value[order] = earlier_value
        return result, result_value


@dataclass
class _Points:
    """Every valued observation of the file, as flat columns, for the checks over the whole
    file: its series and period numbers, its value as a float and as written, its row."""

    series: list[np.ndarray[Any, Any]] = field(default_factory=list)
    periods: list[np.ndarray[Any, Any]] = field(default_factory=list)
    values: list[np.ndarray[Any, Any]] = field(default_factory=list)
    texts: list[pa.Array] = field(default_factory=list)
    rows: list[np.ndarray[Any, Any]] = field(default_factory=list)

    def add(self, series: Any, periods: Any, texts: pa.Array, rows: Any) -> None:
        valued = pc.is_valid(texts).to_numpy(zero_copy_only=False)
        self.series.append(series[valued])
        self.periods.append(periods[valued])
        kept = texts.filter(pa.array(valued))
        self.texts.append(kept)
        self.values.append(pc.cast(kept, pa.float64()).to_numpy(zero_copy_only=False))
        self.rows.append(rows[valued])


def _decimal(texts: pa.ChunkedArray, index: int) -> Decimal:
    return Decimal(texts[index].as_py())


def check_open_sdg_submission(
    *,
    indicator: Indicator,
    provider: Organisation,
    file: BinaryIO,
    file_name: str,
    summary: ImportSummary,
    format: str = "open-sdg",
    ref_area: str | None = None,
) -> Iterator[pa.Table]:
    """Read ``file`` and yield its valid observations in the hub's codes, in column batches
    (:data:`STORED_COLUMNS`), filling ``summary`` as it goes; the checks over the whole file
    (totals, outliers) run after the last batch.

    ``format`` is one of :data:`~solidarity.indicators.formats.FORMATS`; every format is read
    into the same batches and checked here alike. SDMX files carry codes: their dimension's
    codes are taken as they are, the mappings only for what is not a code of ours, and their
    REF_AREA must be ``ref_area`` (the dataset's) when given.

    Each rule runs over a batch's columns at once (a label is looked up once per distinct
    label, a period once per distinct period); what the whole file needs — the first row of
    each observation, for duplicates, and the valued observations, for totals and outliers — is
    kept in flat arrays, about 60 bytes an observation, never in per-row Python objects.

    Raises :class:`~solidarity.stats.opensdg.OpenSdgError` when the file cannot be read at all or
    stops being readable mid-way (the batches before it have been yielded)."""
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
    # The hub's own tables are read as SDMX-CSV too (see formats.open_reading): codes as well.
    codes_first = format in SDMX_FORMATS or isinstance(reading, SdmxReading)
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
    mapped_columns = [
        (index, column, dimension)
        for index, (column, dimension) in enumerate(
            zip(reading.columns, column_dimensions, strict=True)
        )
        if dimension is not None
    ]
    every_column_mapped = len(mapped_columns) == len(reading.columns)
    series = _Series([dimension for _i, _c, dimension in mapped_columns], absent)
    first_rows = _FirstRows()
    points = _Points()
    low = indicator.min_value
    high = indicator.max_value
    label_cache: dict[tuple[str, str], str | None] = {}
    counted = 0
    # Translated once: a file may have a million problems.
    unmapped_label = _("no mapping for '%(label)s' in %(dimension)s; add one on the mappings page")
    out_of_range = _("%(value)s is outside the range of indicator %(indicator)s (%(range)s)")
    control_character = _("the series label holds a control character (%(character)s)")
    duplicate = _(
        "duplicates row %(row)s once its labels are read as codes (%(key)s), with another value"
    )
    repeated_figure = _(
        "repeats row %(row)s once its labels are read as codes (%(key)s), with the same value: "
        "read once"
    )
    try:
        for batch in reading_batches(reading):
            count = batch.num_rows
            if count == 0:
                continue
            rows = batch["row"].to_numpy()
            problems: list[tuple[int, int, dict[str, Any]]] = []
            valid = np.full(count, every_column_mapped)
            codes: list[pa.Array] = []
            for order, (index, column, dimension) in enumerate(mapped_columns):
                labels = batch[f"d{index}"].combine_chunks().dictionary_encode()
                known: list[str | None] = []
                for text in [*labels.dictionary.to_pylist(), ""]:
                    cached = (dimension, text)
                    if cached not in label_cache:
                        label_cache[cached] = catalogue.code_of(
                            dimension, text, codes_first=codes_first
                        )
                    known.append(label_cache[cached])
                totals = len(known) - 1  # a null label (a blank cell) is the total
                mapped = pa.array(known, pa.string()).take(labels.indices.fill_null(totals))
                codes.append(mapped)
                unmapped = pc.is_null(mapped).to_numpy(zero_copy_only=False)
                valid &= ~unmapped
                for position in np.flatnonzero(unmapped):
                    text = batch[f"d{index}"][position].as_py() or ""
                    problems.append((int(rows[position]), order, {
                        "kind": "unmapped_label", "severity": "error", "column": column,
                        "value": text,
                        "reason": unmapped_label % {"label": text, "dimension": dimension},
                    }))  # fmt: skip
            labels_of_series = batch["series"].combine_chunks().dictionary_encode()
            controlled = pc.match_substring_regex(labels_of_series.dictionary, CONTROL_CHARACTERS)
            if pc.any(controlled).as_py():
                flagged = pc.fill_null(controlled.take(labels_of_series.indices), False)
                for position in np.flatnonzero(flagged.to_numpy(zero_copy_only=False)):
                    valid[position] = False
                    text = labels_of_series[position].as_py()
                    character = re.search(CONTROL_CHARACTERS, text)
                    assert character is not None
                    problems.append((int(rows[position]), len(mapped_columns), {
                        "kind": "control_character", "severity": "error", "column": "Series",
                        "value": text,
                        "reason": control_character % {
                            "character": f"U+{ord(character.group()):04X}"},
                    }))  # fmt: skip
            texts = batch["value"].combine_chunks()
            if low is not None or high is not None:
                numbers = pc.cast(texts, pa.float64()).to_numpy(zero_copy_only=False)
                near = np.zeros(count, dtype=bool)
                with np.errstate(invalid="ignore"):
                    # Floats find the candidates; Decimal decides, exactly.
                    if low is not None:
                        near |= numbers < float(low) + 1e-9 * max(1.0, abs(float(low)))
                    if high is not None:
                        near |= numbers > float(high) - 1e-9 * max(1.0, abs(float(high)))
                for position in np.flatnonzero(near):
                    value = Decimal(texts[position].as_py())
                    if (low is not None and value < low) or (high is not None and value > high):
                        valid[position] = False
                        problems.append((int(rows[position]), len(mapped_columns), {
                            "kind": "out_of_range", "severity": "error", "column": "Value",
                            "value": batch["raw_value"][position].as_py(),
                            "reason": out_of_range % {
                                "value": _plain(value), "indicator": indicator.code,
                                "range": _range_text(low, high)},
                        }))  # fmt: skip
            keep = np.flatnonzero(valid)
            if len(keep):
                labels_column = pc.fill_null(_picked(batch["series"].combine_chunks(), keep), "")
                combined = pc.binary_join_element_wise(
                    labels_column, *(_picked(code, keep) for code in codes), "\x1f"
                )
                numbers_of_series = series.numbers(combined)
                periods_column = _picked(batch["time_period"].combine_chunks(), keep)
                numbers_of_periods = series.period_numbers(periods_column)
                kept_rows = rows[keep]
                kept_texts = _picked(texts, keep)
                kept_values = pc.cast(kept_texts, pa.float64()).to_numpy(zero_copy_only=False)
                earlier, earlier_values = first_rows.earlier(
                    (numbers_of_series << 32) | numbers_of_periods, kept_rows, kept_values
                )
                repeated = np.flatnonzero(earlier)
                # A figure written twice with the same value (Statistics Canada writes its
                # totals both blank and "Total") is read once; with another value, it is an
                # error: which of the two is right?
                same = (earlier_values[repeated] == kept_values[repeated]) | (
                    np.isnan(earlier_values[repeated]) & np.isnan(kept_values[repeated])
                )
                for position, identical in zip(repeated, same, strict=True):
                    key = series.key[numbers_of_series[position]] or "total"
                    row = int(kept_rows[position])
                    if identical:
                        problems.append((row, len(mapped_columns) + 1, {
                            "kind": "repeated_figure", "severity": "warning",
                            "column": None, "value": kept_texts[position].as_py(),
                            "reason": repeated_figure % {"row": int(earlier[position]),
                                                         "key": key},
                        }))  # fmt: skip
                        continue
                    problems.append((row, len(mapped_columns) + 1, {
                        "kind": "duplicate_key", "severity": "error", "column": None,
                        "value": kept_texts[position].as_py(),
                        "reason": duplicate % {"row": int(earlier[position]), "key": key},
                    }))  # fmt: skip
                first = earlier == 0
                counted += int(first.sum())
                chosen = keep[first]
                every_first = len(chosen) == len(keep)
                lookup = pa.array(numbers_of_series[first])
                stored = pa.Table.from_arrays(
                    [
                        labels_column if every_first else labels_column.filter(pa.array(first)),
                        pa.array(series.key, pa.string()).take(lookup),
                        periods_column if every_first else periods_column.filter(pa.array(first)),
                        _picked(texts, chosen),
                        pc.fill_null(_picked(batch["obs_status"].combine_chunks(), chosen), ""),
                        pc.fill_null(_picked(batch["conf_status"].combine_chunks(), chosen), ""),
                        pc.fill_null(_picked(batch["unit"].combine_chunks(), chosen), ""),
                        _picked(batch["unit_multiplier"].combine_chunks(), chosen),
                        pc.fill_null(_picked(batch["footnote"].combine_chunks(), chosen), ""),
                        pa.array(kept_rows[first]),
                    ],
                    names=list(STORED_COLUMNS),
                )
                points.add(
                    numbers_of_series[first],
                    numbers_of_periods[first],
                    stored["value"].combine_chunks(),
                    kept_rows[first],
                )
            for row, _order, problem in sorted(problems, key=lambda p: (p[0], p[1])):
                summary.add(row=row, **problem)
            if len(keep):
                yield stored
    finally:
        summary.rows_read = reading.rows_read
        summary.observations_valid = counted
        _carry_over(reading, summary)
    del first_rows  # the duplicate check is over: its arrays are not needed any more
    if not sum(len(values) for values in points.values):
        return
    table = _PointTable(points, series)
    if _additive(indicator):
        _check_totals(table, catalogue, indicator, summary)
    _check_outliers(table, summary)


class _PointTable:
    """The valued observations of a file, sorted by series then row, and found by identity."""

    def __init__(self, points: _Points, series: _Series) -> None:
        # Each column is moved out of ``points`` as it is sorted: the peak is one column twice,
        # not every column twice.
        self.series_of = series
        numbers = np.concatenate(points.series)
        rows = np.concatenate(points.rows)
        points.series.clear()
        points.rows.clear()
        order = np.lexsort((rows, numbers))
        self.series = numbers[order]
        del numbers
        self.rows = rows[order]
        del rows
        self.periods = np.concatenate(points.periods)[order]
        points.periods.clear()
        self.values = np.concatenate(points.values)[order]
        points.values.clear()
        self.texts = pa.chunked_array(points.texts, pa.string()).take(pa.array(order))
        points.texts.clear()
        del order
        keys = (self.series << 32) | self.periods
        self.by_key = np.argsort(keys, kind="stable")
        self.sorted_keys = keys[self.by_key]
        del keys
        bounds = np.flatnonzero(np.diff(self.series)) + 1
        self.starts = np.concatenate([[0], bounds]).astype(np.int64)
        self.ends = np.concatenate([bounds, [len(self.series)]]).astype(np.int64)
        self.block = {
            int(self.series[start]): (int(start), int(end))
            for start, end in zip(self.starts, self.ends, strict=True)
        }

    def find(self, keys: np.ndarray[Any, Any]) -> np.ndarray[Any, np.dtype[np.int64]]:
        """The position of each key's observation, -1 when there is none."""
        position = np.searchsorted(self.sorted_keys, keys)
        clipped = np.minimum(position, len(self.sorted_keys) - 1)
        found = self.sorted_keys[clipped] == keys
        return np.where(found, self.by_key[clipped], -1)


def _carry_over(reading: Reading | SdmxReading, summary: ImportSummary) -> None:
    for problem in reading.problems:
        summary.add(
            kind=_reader_kind(problem),
            severity=problem.severity,
            row=problem.row,
            column=problem.column,
            value=problem.value,
            reason=reader_text(problem.reason),
        )
    # Problems beyond what the reader kept are counted, not classified.
    for severity, total, kept in (
        ("error", reading.error_count, sum(p.severity == "error" for p in reading.problems)),
        ("warning", reading.warning_count, sum(p.severity == "warning" for p in reading.problems)),
    ):
        summary.count(kind="other", severity=severity, number=total - kept)


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
    table: _PointTable, catalogue: _Catalogue, indicator: Indicator, summary: ImportSummary
) -> None:
    """A total (a code with children in its codelist, ``_T`` above all) against the sum of its
    children, one dimension at a time with the others fixed, when every child is present."""
    step = Decimal(1).scaleb(-(indicator.decimals or 0))
    series = table.series_of
    # What each comparison found, as arrays: the total's position, the comparison's number,
    # and whether floats could be wrong about it (then Decimal decides).
    found_positions: list[np.ndarray[Any, Any]] = []
    found_relations: list[np.ndarray[Any, Any]] = []
    found_unsure: list[np.ndarray[Any, Any]] = []
    found_parts: list[np.ndarray[Any, Any]] = []
    relations: list[tuple[int, str, str]] = []  # dimension index, dimension, the parts' codes
    for number in np.unique(table.series):
        pairs = series.pairs[number]
        for index, (dimension, code) in enumerate(pairs):
            children = sorted(catalogue.children.get((dimension, code), ()))
            if not children:
                continue
            child_numbers = []
            for child in children:
                text = _combined(series, number, index, child)
                child_number = series.number.get(text) if text is not None else None
                if child_number is None:
                    break  # a part never appears in the file: no period has all of them
                child_numbers.append(child_number)
            else:
                start, end = table.block[int(number)]
                periods = table.periods[start:end]
                positions = np.stack([table.find((c << 32) | periods) for c in child_numbers])
                complete = (positions >= 0).all(axis=0)
                if not complete.any():
                    continue
                added = table.values[np.where(positions >= 0, positions, 0)].sum(axis=0)
                totals = table.values[start:end]
                tolerance = float(step) * len(children) / 2
                difference = np.abs(added - totals)
                slack = 1e-9 * (np.abs(totals) + np.abs(added) + 1)
                # Floats decide where they cannot be wrong; Decimal where they might be.
                sure = complete & (difference > tolerance + slack)
                unsure = complete & ~sure & (difference > tolerance - slack)
                offsets = np.flatnonzero(sure | unsure)
                if len(offsets):
                    found_positions.append(start + offsets)
                    found_relations.append(np.full(len(offsets), len(relations)))
                    found_unsure.append(unsure[offsets])
                    found_parts.append(positions[:, offsets].T)
                    relations.append((index, dimension, ", ".join(children)))
    if not found_positions:
        return
    positions_found = np.concatenate(found_positions)
    relation_of = np.concatenate(found_relations)
    unsure_of = np.concatenate(found_unsure)
    # The parts of the n-th mismatch, looked up only for those worded (not a list of them all).
    block_starts = np.cumsum([0, *(len(block) for block in found_parts)])

    def parts_of(entry: int) -> np.ndarray[Any, Any]:
        block = int(np.searchsorted(block_starts, entry, side="right")) - 1
        parts: np.ndarray[Any, Any] = found_parts[block][entry - block_starts[block]]
        return parts

    relation_index = np.array([relation[0] for relation in relations])
    order = np.lexsort((relation_index[relation_of], table.rows[positions_found]))
    _report_total = _total_reporter(
        table, summary, step, positions_found, relation_of, parts_of, relations
    )
    for done, entry in enumerate(order):
        if not summary.listing:
            # Past the listed problems the sure mismatches are only counted; the unsure ones
            # are still decided one by one.
            rest = order[done:]
            summary.count(
                kind="total_mismatch",
                severity="warning",
                number=int((~unsure_of[rest]).sum()),
            )
            order = rest[unsure_of[rest]]
            break
        _report_total(entry)
    else:
        return
    for entry in order:
        _report_total(entry)


def _total_reporter(
    table: _PointTable,
    summary: ImportSummary,
    step: Decimal,
    positions_found: np.ndarray[Any, Any],
    relation_of: np.ndarray[Any, Any],
    parts_of: Callable[[int], np.ndarray[Any, Any]],
    relations: list[tuple[int, str, str]],
) -> Callable[[int], None]:
    """Word and add one mismatch the floats found, once Decimal confirms it."""
    template = _(
        "the total %(total)s for %(dimension)s differs from the sum of its parts "
        "(%(parts)s: %(sum)s)"
    )

    def report(entry: int) -> None:
        position = int(positions_found[entry])
        _index, dimension, children_text = relations[relation_of[entry]]
        parts = parts_of(entry)
        total = _decimal(table.texts, position)
        added = sum((_decimal(table.texts, int(part)) for part in parts), Decimal(0))
        # Each rounded part may be half a unit of its last decimal away from the truth.
        if abs(added - total) <= step * len(parts) / 2:
            return
        summary.add(
            kind="total_mismatch",
            severity="warning",
            row=int(table.rows[position]),
            column="Value",
            value=_plain(total),
            reason=template
            % {
                "total": _plain(total),
                "dimension": dimension,
                "parts": children_text,
                "sum": _plain(added),
            },
        )

    return report


def _combined(series: _Series, number: int, index: int, child: str) -> str | None:
    """The label-and-codes text of a series with one code replaced, as _Series numbers it;
    None when the replaced dimension is not a column of the file (it is always the total)."""
    pairs = series.pairs[number]
    dimension = pairs[index][0]
    if dimension not in series.dimensions:
        return None
    changed = dict(pairs)
    changed[dimension] = child
    return "\x1f".join([series.label[number], *(changed[d] for d in series.dimensions)])


def _check_outliers(table: _PointTable, summary: ImportSummary) -> None:
    """Within each series (the same breakdown over time): a value whose z-score passes 3, or one
    further from the others' range than that range is wide (min-max)."""
    found: list[tuple[int, float, float, float]] = []
    for start, end in zip(table.starts, table.ends, strict=True):
        if end - start < MIN_SERIES_FOR_OUTLIERS:
            continue
        numbers = table.values[start:end]
        mean = float(np.mean(numbers))
        spread = float(np.sqrt(np.mean((numbers - mean) ** 2)))
        # The others' range is the whole range but for the point itself: the two smallest and
        # two largest values give it for every point without a quadratic pass.
        ordered = np.sort(numbers)
        z = np.zeros(len(numbers)) if spread == 0 else (numbers - mean) / spread
        low = np.where(numbers == ordered[0], ordered[1], ordered[0])
        high = np.where(numbers == ordered[-1], ordered[-2], ordered[-1])
        width = high - low
        far = (width > 0) & ((numbers > high + width) | (numbers < low - width))
        for offset in np.flatnonzero((np.abs(z) > Z_LIMIT) | far):
            found.append((start + int(offset), float(z[offset]), float(low[offset]),
                          float(high[offset])))  # fmt: skip
    by_z = _("%(value)s is an outlier in its series (z-score %(z)s)")
    by_range = _(
        "%(value)s is an outlier in its series: far outside the others' range %(low)s to %(high)s"
    )
    found.sort(key=lambda f: int(table.rows[f[0]]))
    for number, (position, z_score, low_value, high_value) in enumerate(found):
        if not summary.listing:
            summary.count(kind="outlier", severity="warning", number=len(found) - number)
            break
        value_text = _plain(_decimal(table.texts, position))
        summary.add(
            kind="outlier",
            severity="warning",
            row=int(table.rows[position]),
            column="Value",
            value=value_text,
            reason=by_z % {"value": value_text, "z": f"{z_score:.1f}"}
            if abs(z_score) > Z_LIMIT
            else by_range
            % {"value": value_text, "low": _number(low_value), "high": _number(high_value)},
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
        reason=reader_text(error.reason),
    )
