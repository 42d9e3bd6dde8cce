"""The file formats a submission may come in, each read into the Open SDG reader's stream of
observations so that one validation (:mod:`solidarity.indicators.validation`) checks them all.

- Open SDG CSV: read by :func:`solidarity.stats.opensdg.read_open_sdg` itself.
- XLSX: the first sheet, laid out like an Open SDG file, streamed row by row (openpyxl's
  read-only mode) as CSV lines into the same reader, so periods, status words, blank totals and
  duplicate rows are read exactly as in a CSV file. Merged header cells and formula cells are
  refused, naming the cell: a merge hides which column a label belongs to, and a formula's
  cached value may be stale or absent.
- SDMX-CSV 1.0 / 2.x: the header is checked by :func:`solidarity.stats.sdmx.check_sdmx_csv_header`;
  then a file whose every row is one line (no quotes, no blank lines: what SDMX tools write) is
  read in column batches by pyarrow's CSV reader and checked column by column, the same rules
  and messages as :func:`solidarity.stats.sdmx.observations_from_rows`, which reads any other
  file row by row.
- SDMX-ML 2.1 (generic and structure-specific) and 3.0, SDMX-JSON: read whole by
  :func:`solidarity.stats.sdmx.read_sdmx_data` (pysdmx reads the whole message into memory).

SDMX files carry codes, not labels: the structure they are read against lists the indicator's
codes (and the labels of the provider's mappings, which then apply to what is not one of ours).
Every failure to read is an :class:`~solidarity.stats.opensdg.OpenSdgError` naming the file and,
when known, the row and column, which the import summary reports as one error.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import tempfile
import weakref
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal, InvalidOperation
from itertools import chain
from typing import Any, BinaryIO, cast

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]  # pyarrow ships no type information
import pyarrow.compute as pc  # type: ignore[import-untyped]
import pyarrow.csv as pacsv  # type: ignore[import-untyped]
from django.db.models import Q
from django.utils.translation import gettext as _
from lxml import etree  # type: ignore[import-untyped]  # no lxml-stubs pinned here

from solidarity.indicators.models import Code, Indicator, LabelMapping
from solidarity.indicators.models import Observation as StoredObservation
from solidarity.indicators.sdmx import NOT_APPLICABLE, provider_codes, sdmx_id
from solidarity.stats.opensdg import (
    Observation,
    OpenSdgError,
    Problem,
    Reading,
    normalise_period,
    read_open_sdg,
)
from solidarity.stats.sdmx import (
    SdmxError,
    attribute_ids,
    check_sdmx_csv_header,
    codelist,
    data_structure,
    dimension_ids,
    measure_id,
    observations_from_rows,
    read_sdmx_data,
)

FORMATS = ("open-sdg", "sdmx-csv", "sdmx-ml", "sdmx-json", "xlsx")
SDMX_FORMATS = ("sdmx-csv", "sdmx-ml", "sdmx-json")
REF_AREA = "REF_AREA"
DATA_PROVIDER = "DATA_PROVIDER"
SERIES = "SERIES"
TIME_PERIOD = "TIME_PERIOD"
_SDMX_CSV_LEAD = frozenset({"DATAFLOW", "STRUCTURE", "STRUCTURE_ID", "ACTION"})
_XLSX_MAGIC = b"PK\x03\x04"
# Rows per column batch: large enough that the per-batch work (a few dozen vectorised calls)
# vanishes per row, small enough that a batch stays a few tens of MiB.
BATCH_ROWS = 100_000
# The cells observations_from_rows reads as empty (pandas' renderings of a missing value).
_EMPTY_CELLS = pa.array(["", "<NA>", "nan", "NaN"])
# What Decimal and both databases read alike; anything else is read by Decimal itself.
_PLAIN_NUMBER = r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$"


def batch_schema(columns: int) -> pa.Schema:
    """The columns of a batch of observations as a reading gives them to the validation: the
    row in the file, the label of each disaggregation column (``d0``, ``d1``…; null for the
    total), then what the Open SDG reader's :class:`~solidarity.stats.opensdg.Observation` has,
    the value as the text the database stores."""
    return pa.schema(
        [
            ("row", pa.int64()),
            *((f"d{index}", pa.string()) for index in range(columns)),
            ("series", pa.string()),
            ("time_period", pa.string()),
            ("value", pa.string()),
            ("raw_value", pa.string()),
            ("obs_status", pa.string()),
            ("conf_status", pa.string()),
            ("unit", pa.string()),
            ("unit_multiplier", pa.int64()),
            ("footnote", pa.string()),
        ]
    )


def _batched(observations: Iterator[Observation], columns: int, rows: int) -> Iterator[pa.Table]:
    """Observations read one at a time, gathered into column batches."""
    schema = batch_schema(columns)
    while True:
        lists: list[list[Any]] = [[] for _field in schema]
        row, labels = lists[0], lists[1 : 1 + columns]
        series, period, value, raw, obs_status, conf_status, unit, multiplier, footnote = lists[
            1 + columns :
        ]
        count = 0
        for observation in observations:
            row.append(observation.row)
            for index, (_column, label) in enumerate(observation.dimensions):
                labels[index].append(label)
            series.append(observation.series)
            period.append(observation.time_period)
            value.append(None if observation.value is None else str(observation.value))
            raw.append(observation.raw_value)
            obs_status.append(observation.obs_status)
            conf_status.append(observation.conf_status)
            unit.append(observation.unit)
            multiplier.append(observation.unit_multiplier)
            footnote.append(observation.footnote)
            count += 1
            if count == rows:
                break
        if count == 0:
            return
        yield pa.Table.from_arrays(
            [
                pa.array(column, type=field.type)
                for column, field in zip(lists, schema, strict=True)
            ],
            schema=schema,
        )
        if count < rows:
            return


def reading_batches(
    reading: Reading | SdmxReading, *, rows: int | None = None
) -> Iterator[pa.Table]:
    """The observations of an open reading in column batches of at most ``rows`` rows (see
    :func:`batch_schema`), its problems filling as it goes, as ``reading.observations()`` does.
    """
    rows = rows or BATCH_ROWS
    rows = rows or BATCH_ROWS
    if isinstance(reading, SdmxReading):
        yield from reading.batches(rows=rows)
    else:
        yield from _batched(reading.observations(), len(reading.columns), rows)


def _next_group(reader: Any, rows: int) -> Any:
    """The reader's next blocks as one record batch of at least ``rows`` rows (fewer at the end
    of the file); StopIteration when none is left."""
    blocks = [reader.read_next_batch()]
    count = blocks[0].num_rows
    while count < rows:
        try:
            block = reader.read_next_batch()
        except StopIteration:
            break
        blocks.append(block)
        count += block.num_rows
    return blocks[0] if len(blocks) == 1 else pa.concat_batches(blocks)


class UnknownFormatError(ValueError):
    """The format of a file could not be told from its name or content."""


def detect_format(file: BinaryIO, file_name: str) -> str:
    """The format of a submission, from its first bytes and then its name's extension.

    Raises :class:`UnknownFormatError` when neither tells."""
    file.seek(0)
    head = file.read(4096)
    file.seek(0)
    name = file_name.lower()
    if head.startswith(_XLSX_MAGIC) or name.endswith(".xlsx"):
        return "xlsx"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"<") or name.endswith(".xml"):
        return "sdmx-ml"
    if text.startswith(b"{") or name.endswith(".json"):
        return "sdmx-json"
    first = text.split(b"\n", 1)[0].decode("utf-8", "replace")
    first_cell = re.split(r"[,;\t]", first, maxsplit=1)[0].strip().strip('"').upper()
    if first_cell in ("DATAFLOW", "STRUCTURE"):
        return "sdmx-csv"
    if name.endswith((".csv", ".txt")) or first:
        return "open-sdg"
    raise UnknownFormatError(
        _("cannot tell the format of '%(file)s': give one of %(formats)s")
        % {"file": file_name, "formats": ", ".join(FORMATS)}
    )


def open_reading(
    *,
    format: str,
    indicator: Indicator,
    provider_id: int,
    ref_area: str | None,
    file: BinaryIO,
    file_name: str,
    max_problems: int,
) -> Reading | SdmxReading:
    """Open ``file`` in ``format`` as a stream of Open SDG observations (see the module)."""
    file.seek(0)
    if format in ("open-sdg", "xlsx"):
        lines: Iterator[bytes] = (
            iter(file) if format == "open-sdg" else _xlsx_lines(file, file_name)
        )
        head: list[bytes] = []
        for line in lines:
            head.append(line)
            if line.strip():
                break
        if head and _is_hub_table(head[-1]):
            file = _hub_table_as_sdmx_csv(chain(head, lines), indicator, file_name)
            format = "sdmx-csv"
        elif format == "open-sdg":
            file.seek(0)
            return read_open_sdg(file, file_name=file_name, max_problems=max_problems)
        else:
            # The reader iterates its binary source line by line, which the generator does too.
            rows = cast(BinaryIO, chain(head, lines))
            return read_open_sdg(rows, file_name=file_name, max_problems=max_problems)
    if format in SDMX_FORMATS:
        reading = SdmxReading(
            format=format,
            indicator=indicator,
            provider_id=provider_id,
            ref_area=ref_area,
            file=file,
            file_name=file_name,
            max_problems=max_problems,
        )
        if isinstance(file, tempfile.SpooledTemporaryFile):
            # A hub table's spool is the reading's own: gone with it.
            weakref.finalize(reading, file.close)
        return reading
    raise UnknownFormatError(
        _("unknown format '%(format)s': give one of %(formats)s")
        % {"format": format, "formats": ", ".join(FORMATS)}
    )


# --- Label mapping files -----------------------------------------------------------------------


def read_mapping_file(content: bytes, file_name: str) -> list[dict[str, str]]:
    """The label mappings of a mapping file: JSON, an object whose ``mappings`` list holds one
    object per mapping with ``kind`` (``column`` or ``value``), ``label``, ``dimension`` and,
    for a value, ``code`` (other keys, such as a ``_comment``, are ignored). Raises
    :class:`~solidarity.stats.opensdg.OpenSdgError` naming the file for one that is not."""
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise OpenSdgError(
            _("the mapping file is not JSON (%(error)s)") % {"error": error}, file=file_name
        ) from error
    entries = data.get("mappings") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise OpenSdgError(
            _("the mapping file needs a list of mappings under 'mappings'"), file=file_name
        )
    return [{str(key): str(value) for key, value in entry.items()} for entry in entries]


# --- Which indicator a file is about ---------------------------------------------------------

# A dataflow or data structure of the hub (DF_10_7_3, DF_SDG_10_7_3, DSD_10_7_3) in an SDMX
# file's structure reference, header or DATAFLOW / STRUCTURE_ID column.
_FLOW_ID = re.compile(rb"\b(?:DF|DSD)_(?:SDG_)?([A-Za-z0-9_@$-]+)")
# The names Open SDG gives its data files (indicator_10-7-3.csv, and the ONS's
# uk_ons_sdg_indicator_10-7-3.csv).
_OPEN_SDG_NAME = re.compile(r"indicator_(\d+)-([0-9a-z]+)-([0-9a-z]+)")


def indicator_of_file(*, file: BinaryIO, file_name: str) -> Indicator | None:
    """The indicator a file names, for a submission that does not say: the hub's dataflow or
    structure in an SDMX file (what the hub's own exports carry), the ``INDICATOR`` column of
    the hub's tables, then the file's name (Open SDG's ``indicator_10-7-3.csv``, the hub's
    downloads ``solidarity-10.7.3.csv``). None when nothing names an indicator of the catalogue.
    Reads the file's first 64 KiB and leaves it at its start."""
    codes = list(Indicator.objects.values_list("code", flat=True))
    by_id = {sdmx_id(code): code for code in codes}
    file.seek(0)
    head = file.read(1 << 16)
    file.seek(0)
    candidates: list[str | None] = [
        by_id.get(found.group(1).decode()) for found in _FLOW_ID.finditer(head)
    ]
    lines = head.decode("utf-8-sig", "replace").splitlines()
    if len(lines) > 1:
        header, first = (next(csv.reader([line]), []) for line in lines[:2])
        names = [name.strip() for name in header]
        if "INDICATOR" in names and names.index("INDICATOR") < len(first):
            candidates.append(first[names.index("INDICATOR")].strip())
    name = file_name.rsplit("/", 1)[-1]
    match = _OPEN_SDG_NAME.search(name.lower())
    if match:
        candidates.append(".".join(match.groups()))
    candidates.extend(
        code for code in codes if name.startswith((f"solidarity-{code}.", f"solidarity-{code}-"))
    )
    for code in candidates:
        if code in codes:
            return Indicator.objects.get(code=code)
    return None


# --- The hub's own tables ------------------------------------------------------------------

# The hub's plain tables (``solidarity data export --format csv``, the indicator pages' data.csv
# and data.xlsx) have the SDMX columns (REF_AREA, SERIES, the dimensions, DATA_PROVIDER,
# TIME_PERIOD, OBS_VALUE and the attributes), not an Open SDG file's Year and Value: they are read
# as the SDMX-CSV they nearly are, so that a table downloaded re-imports. The pages' tables add
# the indicator, the version and its publication date (dropped; the indicator must be the one
# imported into) and write the series as stored (blank for none) rather than as its SDMX code.
_TABLE_ONLY = ("INDICATOR", "VERSION", "PUBLISHED")
_TABLE_NEEDS = frozenset({REF_AREA, TIME_PERIOD, "OBS_VALUE"})


def _is_hub_table(first_line: bytes) -> bool:
    text = first_line.decode("utf-8-sig", "replace").strip()
    header = next(csv.reader([text]), [])
    names = {cell.strip() for cell in header}
    return names >= _TABLE_NEEDS and not names & _SDMX_CSV_LEAD


def _hub_table_as_sdmx_csv(lines: Iterable[bytes], indicator: Indicator, file_name: str) -> Any:
    """A hub table as SDMX-CSV 1.0, one line per line of the table (so that row numbers agree),
    in a spool (memory, then a temporary file past 8 MiB)."""
    spool = tempfile.SpooledTemporaryFile(max_size=8 << 20)  # noqa: SIM115  # returned
    text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
    writer = csv.writer(text, lineterminator="\n")
    dataflow = f"SOLIDARITY:DF_{sdmx_id(indicator.code)}(1.0)"
    decoded = (line.decode("utf-8-sig") for line in lines)
    try:
        rows = csv.reader(decoded, strict=True)
        header = [cell.strip() for cell in next(rows)]
        keep = [index for index, name in enumerate(header) if name not in _TABLE_ONLY]
        writer.writerow(["DATAFLOW", *(header[index] for index in keep)])
        where = {name: index for index, name in enumerate(header)}
        for number, cells in enumerate(rows, start=2):
            if not any(cells):
                text.write("\n")
                continue
            if "INDICATOR" in where and where["INDICATOR"] < len(cells):
                code = cells[where["INDICATOR"]].strip()
                if code != indicator.code:
                    raise OpenSdgError(
                        _("the row is of indicator %(code)s, not %(ours)s")
                        % {"code": code, "ours": indicator.code},
                        file=file_name,
                        row=number,
                        column="INDICATOR",
                    )
            if "SERIES" in where and where["SERIES"] < len(cells):
                series = cells[where["SERIES"]].strip()
                cells[where["SERIES"]] = sdmx_id(series) if series else NOT_APPLICABLE
            writer.writerow([dataflow, *(cells[i] if i < len(cells) else "" for i in keep)])
    except (UnicodeDecodeError, csv.Error) as error:
        text.detach()
        spool.close()
        raise OpenSdgError(
            _("the CSV is not valid (%(error)s)") % {"error": error}, file=file_name
        ) from error
    except OpenSdgError:
        text.detach()
        spool.close()
        raise
    text.flush()
    text.detach()
    spool.seek(0)
    return spool


# --- XLSX -----------------------------------------------------------------------------------


def _merged_ranges(file: BinaryIO, file_name: str) -> list[str]:
    """The merged ranges of the workbook's first sheet, read from its XML: openpyxl's read-only
    mode does not report them."""
    try:
        with zipfile.ZipFile(file) as archive:
            names = sorted(
                (n for n in archive.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)),
                key=lambda n: int(re.sub(r"\D", "", n.rsplit("/", 1)[1])),
            )
            if not names:
                return []
            ranges = []
            with archive.open(names[0]) as sheet:
                for _event, element in etree.iterparse(sheet, events=("end",)):
                    if etree.QName(element).localname == "mergeCell":
                        ranges.append(element.get("ref", ""))
                    element.clear(keep_tail=True)
            return ranges
    except (zipfile.BadZipFile, etree.XMLSyntaxError) as error:
        raise OpenSdgError(_unreadable_workbook(error), file=file_name) from error
    finally:
        file.seek(0)


def _xlsx_lines(file: BinaryIO, file_name: str) -> Iterator[bytes]:
    """The first sheet's rows as UTF-8 CSV lines, one per sheet row (so row numbers agree)."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    merged = _merged_ranges(file, file_name)
    try:
        book = load_workbook(file, read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds for a broken archive
        raise OpenSdgError(_unreadable_workbook(error), file=file_name) from error
    try:
        sheet = book.worksheets[0]
        header_row: int | None = None
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        for cells in sheet.iter_rows():
            values: list[str] = []
            row_number = None
            for cell in cells:
                if getattr(cell, "row", None) is None:
                    values.append("")
                    continue
                row_number = cell.row
                if cell.data_type == "f":
                    letter = get_column_letter(cell.column or 1)
                    where = f"{letter}{cell.row}"
                    raise OpenSdgError(
                        _(
                            "cell %(cell)s holds a formula (%(formula)s); save the sheet with "
                            "values only"
                        )
                        % {"cell": where, "formula": cell.value},
                        file=file_name,
                        row=cell.row,
                        column=letter,
                    )
                values.append(_cell_text(cell.value))
            if row_number is not None and header_row is None and any(values):
                header_row = row_number
                for ref in merged:
                    start = ref.split(":", 1)[0]
                    if int(re.sub(r"\D", "", start)) == header_row:
                        raise OpenSdgError(
                            _("header cells %(cells)s are merged; give each column its own header")
                            % {"cells": ref},
                            file=file_name,
                            row=header_row,
                            column=re.sub(r"\d", "", start),
                        )
            if any(values):
                writer.writerow(values)
            else:
                buffer.write("\n")
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    finally:
        book.close()


def _cells_or_null(
    cells: dict[str, pa.Array], empty: dict[str, Any], name: str, stop: int
) -> pa.Array:
    """The first ``stop`` cells of a column, empty ones null; all null when there is none."""
    if name not in cells:
        return pa.nulls(stop, pa.string())
    mask = pa.array(empty[name][:stop])
    return pc.if_else(mask, pa.scalar(None, pa.string()), cells[name].slice(0, stop))


def _unreadable_workbook(error: Exception) -> str:
    return _("the file is not a readable .xlsx workbook (%(error)s)") % {"error": error}


def _not_a_period(text: str | None) -> str:
    return _("'%(period)s' is not a time period") % {"period": text}


def _whole_number(text: str | None) -> tuple[int | None, bool]:
    """A UNIT_MULT cell: (its number, whether it is broken); an empty cell is no number."""
    if text is None or text in ("", "<NA>", "nan", "NaN"):
        return None, False
    try:
        return int(text), False
    except ValueError:
        return None, True


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float):
        return format(Decimal(repr(value)).normalize(), "f") if value == value else ""
    if isinstance(value, int):
        return str(value)
    return str(value)


# --- SDMX -----------------------------------------------------------------------------------


def _structure(
    indicator: Indicator,
    provider_id: int,
    providers: Mapping[int, str] | None = None,
    series: Mapping[str, str] | None = None,
) -> Any:
    """The indicator's data structure as SDMX files are read against it: REF_AREA and its
    dimensions, each with our codes and the labels the provider's (and common) mappings know;
    and DATA_PROVIDER last, coded by every organisation's code, when ``providers`` is given
    (the file has the column: a file the hub sent carries it). SERIES comes first, coded by
    ``series`` (see :func:`_series_codes`), when that is given (the file has the column)."""
    dimensions = [REF_AREA] + [
        link.dimension_id
        for link in indicator.indicatordimension_set.order_by("order")
        if link.dimension_id not in (REF_AREA, TIME_PERIOD, DATA_PROVIDER)
    ]
    scope = Q(provider__isnull=True) | Q(provider_id=provider_id)
    codes: dict[str, dict[str, str]] = {dimension: {} for dimension in dimensions}
    for dimension, code, name in Code.objects.filter(scope, dimension__in=dimensions).values_list(
        "dimension", "code", "name"
    ):
        codes[dimension][code] = str(name) or code
    for dimension, label in LabelMapping.objects.filter(
        scope, kind=LabelMapping.Kind.VALUE, dimension__in=dimensions
    ).values_list("dimension", "label"):
        codes[dimension].setdefault(label, label)
    if providers is not None:
        dimensions.append(DATA_PROVIDER)
        codes[DATA_PROVIDER] = {code: code for code in providers.values()}
    if series is not None:
        dimensions.insert(0, SERIES)
        codes[SERIES] = {code: label or code for code, label in series.items()}
    return data_structure(
        agency="SOLIDARITY",
        id=f"DSD_{re.sub(r'[^A-Za-z0-9_]', '_', indicator.code)}",
        name=indicator.code,
        dimensions={
            d: codelist(f"CL_{d}", codes[d] or {"_T": "Total"}, agency="SOLIDARITY")
            for d in dimensions
        },
    )


def _names(file: BinaryIO, format: str, dimension: str) -> bool:
    """Whether an SDMX file has a DATA_PROVIDER or SERIES column (or dimension), from its first
    MiB: the header of SDMX-CSV, the structure of SDMX-JSON, the first observations of
    SDMX-ML."""
    head = file.read(1 << 20)
    file.seek(0)
    if format == "sdmx-csv":
        first = head.split(b"\n", 1)[0].decode("utf-8", "replace")
        return dimension in (cell.split(":", 1)[0].strip() for cell in first.split(","))
    name = re.escape(dimension.encode())
    # SDMX-ML structure-specific (SERIES="_Z"), generic (id="SERIES"), SDMX-JSON ("id": "SERIES").
    return (
        re.search(rb"\b" + name + rb'="|id="' + name + rb'"|"id":\s*"' + name + rb'"', head)
        is not None
    )


def _series_codes(indicator: Indicator, provider_id: int) -> dict[str, str]:
    """The SERIES codes a file the hub sent may carry for the provider's data of ``indicator``,
    each with the series label it stands for (empty for ``_Z``, no series): the export codes
    the series cell of Open SDG files as an SDMX identifier (:func:`sdmx_id`), so reading one
    back maps the code to the label stored, and the indicator's SDG series codes stand for
    themselves.

    Why the importer reads SERIES rather than the export leaving it out: SERIES is a dimension
    of the hub's key (not an attribute of the SDG shape alone), so two series of one file would
    share a key without it; an export must keep it and a re-import must give each observation
    back its series, or the new version would not hold the same observations."""
    codes = {NOT_APPLICABLE: ""}
    codes.update({code: code for code in indicator.sdg_series.values_list("code", flat=True)})
    labels = (
        StoredObservation.objects.filter(
            version__dataset__indicator=indicator, version__dataset__provider_id=provider_id
        )
        .exclude(series="")
        .values_list("series", flat=True)
        .distinct()
    )
    for label in sorted(labels):
        codes.setdefault(sdmx_id(label), label)
    return codes


class SdmxReading:
    """An SDMX data message read as the Open SDG reader reads a file (same attributes)."""

    def __init__(
        self,
        *,
        format: str,
        indicator: Indicator,
        provider_id: int,
        ref_area: str | None,
        file: BinaryIO,
        file_name: str,
        max_problems: int,
    ) -> None:
        self.file_name = file_name
        self.header_row = 1
        self.rows_read = 0
        self.error_count = 0
        self.warning_count = 0
        self.problems: list[Problem] = []
        self._max_problems = max_problems
        self._format = format
        self._file = file
        self._ref_area = ref_area
        codes = provider_codes()
        # A file may say who provided it (the hub's own answers do): then it must be the
        # submitting provider, as REF_AREA must be the dataset's area.
        self._provider = codes.get(provider_id)
        with_provider = _names(file, format, DATA_PROVIDER)
        self._series = (
            _series_codes(indicator, provider_id) if _names(file, format, SERIES) else None
        )
        self._structure = _structure(
            indicator, provider_id, codes if with_provider else None, self._series
        )
        self.dimensions = [c.id for c in self._structure.components.dimensions]
        self.columns = tuple(
            d for d in self.dimensions if d not in (REF_AREA, TIME_PERIOD, DATA_PROVIDER, SERIES)
        )

    def _add(self, severity: str, row: int | None, column: str | None, value: str | None,
             reason: str) -> None:  # fmt: skip
        if severity == "error":
            self.error_count += 1
        else:
            self.warning_count += 1
        if len(self.problems) < self._max_problems:
            self.problems.append(
                Problem(self.file_name, row, column, value, reason, severity)  # type: ignore[arg-type]
            )

    def _series_label(self, key: Mapping[str, str]) -> str | None:
        """The series label an observation's SERIES code stands for (None: no series)."""
        if self._series is None:
            return None
        return self._series.get(key.get(SERIES, NOT_APPLICABLE)) or None

    def _not_ours(self, area: str | None) -> str:
        return _("%(area)s is not the reference area of this dataset (%(ours)s)") % {
            "area": area,
            "ours": self._ref_area,
        }

    def _not_provider(self, provider: str | None) -> str:
        return _("%(provider)s is not the provider submitting these data (%(ours)s)") % {
            "provider": provider,
            "ours": self._provider,
        }

    def _fail(self, error: Exception, row: int | None = None) -> OpenSdgError:
        # The reader's message itself, so that its code and params reach the summary, which
        # words it in the user's language.
        first = error.args[0] if error.args else None
        return OpenSdgError(
            first if isinstance(first, str) else str(error), file=self.file_name, row=row
        )

    def _csv_rows(self) -> Iterator[dict[str, str]]:
        head = self._file.read(1 << 16)
        self._file.seek(0)
        try:
            check_sdmx_csv_header(head, self._structure)
        except SdmxError as error:
            raise self._fail(error, 1) from error
        decoder = codecs.getincrementaldecoder("utf-8")()
        line_number = 0

        def lines() -> Iterator[str]:
            nonlocal line_number
            for raw in self._file:
                line_number += 1
                try:
                    yield decoder.decode(raw)
                except UnicodeDecodeError as error:
                    raise OpenSdgError(
                        _("the line is not UTF-8; save the file as UTF-8"),
                        file=self.file_name,
                        row=line_number,
                    ) from error

        reader = csv.reader(lines(), strict=True)
        try:
            header = [column.split(":", 1)[0].strip() for column in next(reader)]
            for cells in reader:
                if not cells:
                    continue
                if len(cells) != len(header):
                    raise OpenSdgError(
                        _(
                            "the row has %(cells)s cells, the header %(columns)s (the file may be "
                            "truncated)"
                        )
                        % {"cells": len(cells), "columns": len(header)},
                        file=self.file_name,
                        row=line_number,
                    )
                yield dict(zip(header, cells, strict=True))
        except csv.Error as error:
            raise OpenSdgError(
                _("the CSV is not valid (%(error)s)") % {"error": error},
                file=self.file_name,
                row=line_number,
            ) from error

    def batches(self, *, rows: int) -> Iterator[pa.Table]:
        """The observations in column batches (see :func:`batch_schema`): read by pyarrow and
        checked column by column for an SDMX-CSV file whose rows are each one line, row by row
        by :meth:`observations` otherwise. Same checks, same problems, same errors."""
        if self._format == "sdmx-csv" and self._one_line_rows():
            yield from self._csv_batches(rows)
        else:
            yield from _batched(self.observations(), len(self.columns), rows)

    def _one_line_rows(self) -> bool:
        # No quote means no line break inside a cell; no blank line means that the n-th row
        # pyarrow reads is the file's line n + 1.
        self._file.seek(0)
        tail = b""
        try:
            while chunk := self._file.read(1 << 20):
                window = tail + chunk
                if b'"' in chunk or b"\n\n" in window or b"\n\r\n" in window:
                    return False
                tail = window[-2:]
        finally:
            self._file.seek(0)
        return True

    def _locate_failure(self, error: Exception) -> OpenSdgError:
        """pyarrow says a file is broken but not on which line: the line-by-line reader does."""
        self._file.seek(0)
        for _cells in self._csv_rows():
            pass
        return OpenSdgError(
            _("the CSV is not valid (%(error)s)") % {"error": error}, file=self.file_name
        )

    def _series_column(self, cells: Mapping[str, Any], stop: int) -> Any:
        """The series labels of a batch's first ``stop`` rows (null: no series)."""
        if self._series is None or SERIES not in cells:
            return pa.nulls(stop, pa.string())
        codes = cells[SERIES].slice(0, stop).dictionary_encode()
        labels = [self._series.get(code) or None for code in codes.dictionary.to_pylist()]
        return pa.array(labels, pa.string()).take(codes.indices)

    def _csv_batches(self, rows: int) -> Iterator[pa.Table]:
        head = self._file.read(1 << 16)
        self._file.seek(0)
        try:
            check_sdmx_csv_header(head, self._structure)
        except SdmxError as error:
            raise self._fail(error, 1) from error
        try:
            first = self._file.readline().decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError as error:
            raise self._locate_failure(error) from error
        names = [column.split(":", 1)[0].strip() for column in first.split(",")]
        self._file.seek(0)
        if len(set(names)) != len(names):
            yield from _batched(self.observations(), len(self.columns), rows)
            return
        try:
            reader = pacsv.open_csv(
                self._file,
                # Blocks of at most 4 MiB, grouped into batches of about ``rows`` below:
                # pyarrow reads a file in small blocks faster than in large ones (a million
                # rows in 0.1 s against 0.25 s in 13 MiB blocks), and the first batch sooner.
                read_options=pacsv.ReadOptions(
                    column_names=names,
                    skip_rows=1,
                    block_size=min(4 << 20, max(1 << 20, rows * 128)),
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False
                ),
            )
        except pa.ArrowInvalid as error:
            raise self._locate_failure(error) from error
        structure = self._structure
        allowed = {
            component.id: pa.array(sorted(code.id for code in component.local_codes))
            for component in structure.components
            if component.local_codes is not None and component.id in names
        }
        attributes = [a for a in attribute_ids(structure) if a in names]
        measure = measure_id(structure)
        schema = batch_schema(len(self.columns))
        done = 0  # observations before this batch
        periods_read: dict[str, Any] = {}  # each period text normalised once per file
        while True:
            try:
                batch = _next_group(reader, rows)
            except StopIteration:
                break
            except pa.ArrowInvalid as error:
                raise self._locate_failure(error) from error
            count = batch.num_rows
            cells = {name: batch.column(name) for name in names}
            empty = {
                name: pc.is_in(column, value_set=_EMPTY_CELLS).to_numpy(zero_copy_only=False)
                for name, column in cells.items()
            }
            # Fatal, as observations_from_rows has them: a missing or unknown code, a missing
            # period, a value that is not a number.
            failing = empty[TIME_PERIOD].copy()
            for name in (*dimension_ids(structure), *attributes):
                if name in allowed:
                    known = pc.is_in(cells[name], value_set=allowed[name])
                    unknown = ~known.to_numpy(zero_copy_only=False) & ~empty[name]
                    failing |= unknown
                if name not in attributes:
                    failing |= empty[name]
            values = cells[measure] if measure in cells else pa.nulls(count, pa.string())
            value_empty = empty.get(measure, np.ones(count, dtype=bool))
            plain = pc.match_substring_regex(values, _PLAIN_NUMBER).to_numpy(zero_copy_only=False)
            value_text: list[str | None] | None = None
            for index in np.flatnonzero(~plain & ~value_empty):
                try:
                    number = Decimal(values[index].as_py())
                except InvalidOperation:
                    failing[index] = True
                    continue
                if value_text is None:
                    value_text = values.to_pylist()
                value_text[index] = str(number)
            fatal = np.flatnonzero(failing)
            stop = int(fatal[0]) if fatal.size else count
            # The reading's own checks, on the rows before a fatal one.
            rows_in_file = np.arange(done + 2, done + 2 + stop, dtype=np.int64)
            area = cells[REF_AREA].slice(0, stop)
            problems: list[tuple[int, str, str | None, str]] = []
            wrong_area = (
                pc.not_equal(area, self._ref_area).to_numpy(zero_copy_only=False)
                if (self._ref_area is not None)
                else np.zeros(stop, dtype=bool)
            )
            for index in np.flatnonzero(wrong_area):
                code = area[index].as_py()
                problems.append((int(rows_in_file[index]), REF_AREA, code,
                                 self._not_ours(code)))  # fmt: skip
            periods = cells[TIME_PERIOD].slice(0, stop).dictionary_encode()
            normalised = [
                periods_read[text]
                if text in periods_read
                else periods_read.setdefault(text, normalise_period(text))
                for text in periods.dictionary.to_pylist()
            ]
            sdmx_period = pa.array([p.sdmx for p in normalised], pa.string()).take(periods.indices)
            provider = cells[DATA_PROVIDER].slice(0, stop) if DATA_PROVIDER in cells else None
            if provider is not None:
                wrong_provider = (
                    pc.not_equal(provider, self._provider or "").to_numpy(zero_copy_only=False)
                    & ~wrong_area
                )
                for index in np.flatnonzero(wrong_provider):
                    code = provider[index].as_py()
                    problems.append((int(rows_in_file[index]), DATA_PROVIDER, code,
                                     self._not_provider(code)))  # fmt: skip
                wrong_area = wrong_area | wrong_provider  # either way, not this dataset's
            bad_period = pc.is_null(sdmx_period).to_numpy(zero_copy_only=False) & ~wrong_area
            multipliers = pa.nulls(stop, pa.int64())
            bad_multiplier = np.zeros(stop, dtype=bool)
            if "UNIT_MULT" in cells:
                texts = cells["UNIT_MULT"].slice(0, stop).dictionary_encode()
                parsed = [_whole_number(text) for text in texts.dictionary.to_pylist()]
                multipliers = pa.array([p[0] for p in parsed], pa.int64()).take(texts.indices)
                broken = pa.array([p[1] for p in parsed], pa.bool_()).take(texts.indices)
                bad_multiplier = broken.to_numpy(zero_copy_only=False) & ~wrong_area & ~bad_period
            for index in np.flatnonzero(bad_period):
                text = periods.dictionary[periods.indices[index].as_py()].as_py()
                period = normalised[periods.indices[index].as_py()]
                problems.append((int(rows_in_file[index]), TIME_PERIOD, text,
                                 period.error or _not_a_period(text)))  # fmt: skip
            for index in np.flatnonzero(bad_multiplier):
                text = cells["UNIT_MULT"][index].as_py()
                problems.append((int(rows_in_file[index]), "UNIT_MULT", text,
                                 _("not a whole number")))  # fmt: skip
            for row, column, value, reason in sorted(problems, key=lambda p: p[0]):
                self._add("error", row, column, value, reason)
            self.rows_read += stop
            keep = pa.array(~(wrong_area | bad_period | bad_multiplier))

            value_column = (
                values.slice(0, stop) if value_text is None else pa.array(value_text[:stop])
            )
            value_column = pc.if_else(
                pa.array(value_empty[:stop]), pa.scalar(None, pa.string()), value_column
            )
            table = pa.Table.from_arrays(
                [
                    pa.array(rows_in_file),
                    *(cells[column].slice(0, stop) for column in self.columns),
                    self._series_column(cells, stop),
                    sdmx_period,
                    value_column,
                    pc.fill_null(value_column, ""),
                    *(
                        _cells_or_null(cells, empty, name, stop)
                        for name in ("OBS_STATUS", "CONF_STATUS", "UNIT_MEASURE")
                    ),
                    multipliers,
                    _cells_or_null(cells, empty, "COMMENT_OBS", stop),
                ],
                schema=schema,
            )
            yield table.filter(keep)
            if stop < count:
                broken = {name: cells[name][stop].as_py() for name in names}
                try:
                    for _observation in observations_from_rows(
                        [broken], structure, start=done + stop + 1
                    ):
                        pass
                except SdmxError as error:
                    raise self._fail(error) from error
                raise self._fail(SdmxError(f"observation {done + stop + 1} is not valid"))
            done += count
        if self.rows_read == 0:
            self._add("error", self.header_row, None, None, _("the file holds no observations"))

    def observations(self) -> Iterator[Observation]:
        try:
            if self._format == "sdmx-csv":
                # Row n of the file is observation n - 1 (the header is row 1).
                offset = 1
                stream = observations_from_rows(self._csv_rows(), self._structure)
            else:
                offset = 0
                content = self._file.read()
                stream = iter(read_sdmx_data(content, structure=self._structure).observations)
            number = 0
            for observation in stream:
                number += 1
                self.rows_read += 1
                row = number + offset
                key = dict(observation.key)
                area = key.get(REF_AREA)
                if self._ref_area is not None and area != self._ref_area:
                    self._add(
                        "error",
                        row,
                        REF_AREA,
                        area,
                        self._not_ours(area),
                    )
                    continue
                provider = key.get(DATA_PROVIDER, self._provider)
                if provider != self._provider:
                    self._add("error", row, DATA_PROVIDER, provider, self._not_provider(provider))
                    continue
                period = normalise_period(observation.time_period)
                if period.sdmx is None:
                    self._add(
                        "error",
                        row,
                        TIME_PERIOD,
                        observation.time_period,
                        period.error or _not_a_period(observation.time_period),
                    )
                    continue
                multiplier = observation.attribute("UNIT_MULT")
                try:
                    unit_multiplier = None if multiplier is None else int(multiplier)
                except ValueError:
                    self._add("error", row, "UNIT_MULT", multiplier, _("not a whole number"))
                    continue
                yield Observation(
                    row=row,
                    time_period=period.sdmx,
                    dimensions=tuple((d, key[d]) for d in self.columns),
                    series=self._series_label(key),
                    unit=observation.attribute("UNIT_MEASURE"),
                    unit_multiplier=unit_multiplier,
                    geocode=None,
                    value=observation.value,
                    obs_status=observation.obs_status,
                    conf_status=observation.conf_status,
                    raw_value="" if observation.value is None else str(observation.value),
                    footnote=observation.attribute("COMMENT_OBS"),
                )
        except SdmxError as error:
            raise self._fail(error) from error
        if self.rows_read == 0:
            self._add("error", self.header_row, None, None, _("the file holds no observations"))
