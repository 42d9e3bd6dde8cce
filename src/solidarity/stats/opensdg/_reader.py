"""The streaming, validating reader of Open SDG indicator CSV files."""

from __future__ import annotations

import codecs
import csv
import hashlib
import os
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from itertools import chain
from pathlib import Path
from typing import BinaryIO

from .._messages import message
from ._errors import (
    CsvSyntaxError,
    DuplicateColumnError,
    EmptyFileError,
    EncodingError,
    HeaderError,
    MissingColumnError,
    Problem,
    Severity,
)
from ._keys import KeyIndex
from ._periods import normalise_period
from ._values import MISSING_CODES, parse_obs_status, parse_unit_multiplier, parse_value

Source = str | os.PathLike[str] | BinaryIO

_SEPARATOR_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs"}

# Header names (compared without case) with a fixed meaning in Open SDG; every other column is a
# disaggregation.
_RESERVED = {
    "year": "year",
    "value": "value",
    "series": "series",
    "units": "unit",
    "unit measure": "unit",
    "unit multiplier": "unit_multiplier",
    "geocode": "geocode",
    "observation status": "obs_status",
    # Open SDG's observation attribute for footnotes (its ``observation_attributes`` setting).
    "comment_obs": "footnote",
}


@dataclass(frozen=True, slots=True)
class Observation:
    """One observation of an indicator file, in SDMX terms.

    Attributes
    ----------
    row : int
        The line of the file the observation is on (the header is row 1).
    time_period : str
        The period in its SDMX form (see `normalise_period`): ``2014``, ``2014-Q1``,
        ``2014-01``, ``2014-A1``…
    dimensions : tuple of (str, str or None)
        ``(column, value)`` for every disaggregation column, in the file's order; None is the
        total (a blank cell, or one of the reader's ``total_labels``).
    series, unit, geocode : str or None
        The ``Series``, ``Units`` (or ``Unit measure``) and ``GeoCode`` cells, None when blank
        or absent.
    unit_multiplier : int or None
        The SDMX UNIT_MULT exponent: 0 for units, 3 for thousands…
    value : Decimal or None
        The number, or None when the cell holds a status symbol or nothing.
    obs_status : str or None
        The SDMX OBS_STATUS code (``A`` normal, ``P`` provisional, ``E`` estimated, ``Q``
        suppressed…), or the ``Observation status`` cell as written when it is not a known word.
    conf_status : str or None
        The SDMX CONF_STATUS code: ``C`` (confidential) for cells suppressed for
        confidentiality; such cells must never be published.
    raw_value : str
        The ``Value`` cell exactly as written.
    footnote : str or None
        The observation's footnote: the ``COMMENT_OBS`` cell (Open SDG's observation attribute
        for footnotes, SDMX's observation comment), None when blank or absent.
    """

    row: int
    time_period: str
    dimensions: tuple[tuple[str, str | None], ...]
    series: str | None
    unit: str | None
    unit_multiplier: int | None
    geocode: str | None
    value: Decimal | None
    obs_status: str | None
    conf_status: str | None
    raw_value: str
    footnote: str | None = None


@dataclass(frozen=True, slots=True)
class _Layout:
    """Where each meaning sits in a row (column indexes)."""

    year: int
    value: int
    dimensions: tuple[int, ...]
    series: int | None = None
    unit: int | None = None
    unit_multiplier: int | None = None
    geocode: int | None = None
    obs_status: int | None = None
    footnote: int | None = None
    constant_series: str | None = None


@dataclass(slots=True)
class _Start:
    delimiter: str
    header: list[str]
    header_row: int
    reader: Iterator[list[str]]
    offset: int  # blank lines before the header, which the csv reader never saw
    lines_read: Callable[[], int]


def _letter(index: int) -> str:
    """The spreadsheet letter of a column: 0 → A, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


_TRAILING_CELLS = message("trailing_cells", "empty cells after the last column ignored")
_UNKNOWN_STATUS = message("unknown_status", "is not a known observation status; kept as written")
_NOT_A_MULTIPLIER = message(
    "not_a_multiplier",
    "is not a unit multiplier: write Units, Thousands, Millions… or the power of ten (0, 3, 6…)",
)
_NO_DATA_ROWS = message("no_data_rows", "the file has a header but no data rows")


def _decoded_lines(binary: Iterable[bytes], file_name: str) -> Iterator[str]:
    """Decode a byte stream line by line, so that a bad byte is reported with its line."""
    offset = 0
    for number, line in enumerate(binary, start=1):
        text_start = 0
        if number == 1:
            if line.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                raise EncodingError(
                    message("utf16", "the file is UTF-16, not UTF-8: save it as CSV UTF-8"),
                    file=file_name,
                    row=1,
                )
            if line.startswith(codecs.BOM_UTF8):
                text_start = len(codecs.BOM_UTF8)
        if b"\x00" in line:
            # Python's csv module reads NUL as a character; in a CSV file it means UTF-16 or a
            # file that is not text at all (a spreadsheet saved under a .csv name).
            raise EncodingError(
                message(
                    "nul_byte",
                    "byte 0x00 (NUL) at byte {offset}: the file is not UTF-8 text; it may be "
                    "UTF-16 or a spreadsheet: save it as CSV UTF-8",
                    offset=offset + line.index(0),
                ),
                file=file_name,
                row=number,
            )
        try:
            yield line[text_start:].decode("utf-8")
        except UnicodeDecodeError as error:
            position = text_start + error.start
            raise EncodingError(
                message(
                    "not_utf8",
                    "the file is not UTF-8: byte 0x{byte} at byte {offset} (character "
                    "{character} of the line) is not valid UTF-8; it may be Windows-1252 or "
                    "Latin-1: save the file as CSV UTF-8",
                    byte=f"{line[position]:02X}",
                    offset=offset + position,
                    character=len(line[text_start:position].decode("utf-8", "replace")) + 1,
                ),
                file=file_name,
                row=number,
            ) from None
        offset += len(line)


def _start(lines: Iterator[str], file_name: str) -> _Start:
    """Skip leading blank lines, detect the separator and read the header."""
    skipped = 0
    for first in lines:
        if first.strip(" \t\r\n,;"):
            break
        skipped += 1
    else:
        raise EmptyFileError(
            message("empty_file", "the file is empty: it has no header and no data"),
            file=file_name,
        )
    delimiter = _detect_delimiter(first)
    reader = csv.reader(chain([first], lines), delimiter=delimiter, strict=True)
    header_row = skipped + 1
    try:
        header = [name.strip() for name in next(reader)]
    except csv.Error as error:
        raise CsvSyntaxError(
            message("header_not_csv", "the header is not valid CSV: {error}", error=str(error)),
            file=file_name,
            row=header_row,
        ) from None
    return _Start(delimiter, header, header_row, reader, skipped, lambda: reader.line_num)


def _detect_delimiter(line: str) -> str:
    """Choose among comma, semicolon and tab by inspecting the header line.

    csv.Sniffer guesses from character frequencies and can pick a letter; here the header must
    name Year and Value, so the right separator is the one that yields both. Failing that, the
    one that splits the line into the most columns, so that the error names the missing columns.
    """
    best, best_count = ",", 0
    for delimiter in (",", ";", "\t"):
        names = {name.strip().lower() for name in next(csv.reader([line], delimiter=delimiter))}
        if {"year", "value"} <= names:
            return delimiter
        if len(names) > best_count:
            best, best_count = delimiter, len(names)
    return best


def _check_names(header: list[str], file_name: str, header_row: int) -> None:
    seen: dict[str, int] = {}
    for index, name in enumerate(header):
        if not name:
            raise DuplicateColumnError(
                message(
                    "unnamed_column",
                    "column {column} of the header has no name",
                    column=_letter(index),
                ),
                file=file_name,
                row=header_row,
            )
        first = seen.setdefault(name.lower(), index)
        if first != index:
            raise DuplicateColumnError(
                message(
                    "duplicate_column",
                    "two columns are named {name!r} (columns {first} and {second}); each column "
                    "needs its own name",
                    name=name,
                    first=_letter(first),
                    second=_letter(index),
                ),
                file=file_name,
                row=header_row,
                column=name,
            )


def _open_sdg_layout(header: list[str], file_name: str, header_row: int) -> _Layout:
    roles: dict[str, int] = {}
    dimensions: list[int] = []
    for index, name in enumerate(header):
        role = _RESERVED.get(name.lower())
        if role is None:
            dimensions.append(index)
        elif role in roles:
            raise HeaderError(
                message(
                    "two_unit_columns",
                    "columns {first!r} and {second!r} both give the unit; keep one",
                    first=header[roles[role]],
                    second=name,
                ),
                file=file_name,
                row=header_row,
                column=name,
            )
        else:
            roles[role] = index
    missing = [name for name in ("Year", "Value") if name.lower() not in roles]
    if missing:
        owid = {"entity", "code"} <= {name.lower() for name in header}
        template = (
            "the header has no {missing} column; an Open SDG indicator file needs Year and "
            "Value columns"
        )
        if owid:
            template += " (this looks like an Our World in Data export: read it with read_owid)"
        raise MissingColumnError(
            message(
                "missing_owid_columns" if owid else "missing_columns",
                template,
                missing=" and no ".join(missing),
            ),
            file=file_name,
            row=header_row,
        )
    return _Layout(
        year=roles["year"],
        value=roles["value"],
        dimensions=tuple(dimensions),
        series=roles.get("series"),
        unit=roles.get("unit"),
        unit_multiplier=roles.get("unit_multiplier"),
        geocode=roles.get("geocode"),
        obs_status=roles.get("obs_status"),
        footnote=roles.get("footnote"),
    )


def _owid_layout(header: list[str], file_name: str, header_row: int) -> _Layout:
    if len(header) != 4 or [name.lower() for name in header[:3]] != ["entity", "code", "year"]:
        raise MissingColumnError(
            message(
                "owid_header",
                "an Our World in Data file has four columns: Entity, Code, Year and the "
                "indicator; this header has {header}",
                header=", ".join(header),
            ),
            file=file_name,
            row=header_row,
        )
    return _Layout(year=2, value=3, dimensions=(0,), geocode=1, constant_series=header[3])


class Reading:
    """An indicator file opened for reading: its header, then its observations as a stream.

    Create it with `read_open_sdg` (or `read_owid`). The header has been read and checked when
    the object exists; rows are read, checked and yielded one at a time by `observations`, which
    can be called once. `problems` fills while iterating.

    Attributes
    ----------
    file_name : str
    delimiter : str
        The separator the file uses: ``","``, ``";"`` or ``"\\t"``.
    columns : tuple of str
        The disaggregation columns, in the file's order.
    header_row : int
        The row of the header (1 unless blank lines come first).
    problems : list of Problem
        The first ``max_problems`` problems found so far.
    error_count, warning_count : int
        How many errors and warnings were found so far, including those beyond ``max_problems``.
    rows_read : int
        How many data rows (not blank lines) were read so far.
    """

    def __init__(
        self,
        *,
        source: Source,
        file_name: str,
        max_problems: int,
        total_labels: Collection[str],
        layout_of: Callable[[list[str], str, int], _Layout],
    ) -> None:
        if max_problems < 0:
            raise ValueError("max_problems must be zero or more")
        self.file_name = file_name
        self.problems: list[Problem] = []
        self.error_count = 0
        self.warning_count = 0
        self.rows_read = 0
        self._max_problems = max_problems
        self._total_labels = frozenset(label.strip().lower() for label in total_labels)
        self._source = source
        self._consumed = False
        self._pending: _Start | None = None
        if isinstance(source, str | os.PathLike):
            with open(source, "rb") as binary:
                start = _start(_decoded_lines(binary, file_name), file_name)
        else:
            start = self._pending = _start(_decoded_lines(source, file_name), file_name)
        self.delimiter = start.delimiter
        self.header_row = start.header_row
        self._header = start.header
        _check_names(start.header, file_name, start.header_row)
        self._layout = layout_of(start.header, file_name, start.header_row)
        self.columns = tuple(start.header[index] for index in self._layout.dimensions)
        if start.delimiter != ",":
            semicolons = start.delimiter == ";"
            template = "the file is separated by {separator}, not commas; read as such"
            if semicolons:
                template += ", with ',' read as a decimal comma"
            self._add(
                "warning",
                start.header_row,
                None,
                None,
                message(
                    "semicolons" if semicolons else "separator",
                    template,
                    separator=_SEPARATOR_NAMES[start.delimiter],
                ),
            )

    @property
    def has_errors(self) -> bool:
        """Whether any error (not warning) was found so far."""
        return self.error_count > 0

    def _add(
        self,
        severity: Severity,
        row: int | None,
        column: str | None,
        value: str | None,
        reason: str,
    ) -> None:
        if severity == "error":
            self.error_count += 1
        else:
            self.warning_count += 1
        if len(self.problems) < self._max_problems:
            self.problems.append(Problem(self.file_name, row, column, value, reason, severity))

    def observations(self) -> Iterator[Observation]:
        """Read, check and yield the observations one row at a time.

        Rows with an error yield nothing (the error is in `problems`); rows with only warnings
        yield their observation. Memory stays constant but for the indexes of keys and of keys
        with their figures that find duplicates (about 100 bytes per distinct observation, see
        `KeyIndex`). A row that repeats an earlier one's key and figure (value and statuses) is
        read once, with a warning; with another figure, it is an error.

        Raises
        ------
        EncodingError, CsvSyntaxError
            When a later line is not UTF-8 or not valid CSV; the observations before it have
            been yielded.
        RuntimeError
            When called a second time.
        """
        if self._consumed:
            raise RuntimeError("observations() reads the file once; read the file again")
        self._consumed = True
        if self._pending is not None:
            yield from self._iterate(self._pending)
            return
        assert isinstance(self._source, str | os.PathLike)
        with open(self._source, "rb") as binary:
            yield from self._iterate(_start(_decoded_lines(binary, self.file_name), self.file_name))

    def _iterate(self, start: _Start) -> Iterator[Observation]:
        layout = self._layout
        header = self._header
        width = len(header)
        file_name = self.file_name
        decimal_comma = self.delimiter == ";"
        totals = self._total_labels
        dimensions = [(index, header[index]) for index in layout.dimensions]
        year_name = header[layout.year]
        value_name = header[layout.value]
        add = self._add
        seen = KeyIndex()
        seen_figures = KeyIndex()
        reader = start.reader
        previous = start.lines_read()
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error as error:
                raise CsvSyntaxError(
                    message("not_csv", "the file is not valid CSV: {error}", error=str(error)),
                    file=file_name,
                    row=start.offset + previous + 1,
                ) from None
            row = start.offset + previous + 1
            previous = start.lines_read()
            if not any(cells):
                continue  # a blank line, or a row of empty cells that spreadsheets leave
            self.rows_read += 1
            if len(cells) != width:
                if len(cells) > width and not any(cell.strip() for cell in cells[width:]):
                    add("warning", row, None, None, _TRAILING_CELLS)
                    cells = cells[:width]
                else:
                    short = len(cells) < width
                    add(
                        "error",
                        row,
                        None,
                        None,
                        message(
                            "short_row" if short else "long_row",
                            "the row has {cells} cells but the header has {columns} columns"
                            + (" (a truncated row?)" if short else ""),
                            cells=len(cells),
                            columns=width,
                        ),
                    )
                    continue
            errors = self.error_count
            year_text = cells[layout.year].strip()
            period = normalise_period(year_text)
            if period.error is not None:
                add("error", row, year_name, year_text, period.error)
            elif period.warning is not None:
                add("warning", row, year_name, year_text, period.warning)
            raw_value = cells[layout.value]
            value = parse_value(raw_value.strip(), decimal_comma=decimal_comma)
            obs_status = value.obs_status
            if layout.obs_status is not None:
                status_text = cells[layout.obs_status].strip()
                code, known = parse_obs_status(status_text)
                if not known:
                    add(
                        "warning",
                        row,
                        header[layout.obs_status],
                        status_text,
                        _UNKNOWN_STATUS,
                    )
                if code is not None and (value.number is not None or code in MISSING_CODES):
                    obs_status = code
            if value.error is not None:
                add("error", row, value_name, raw_value, value.error)
            elif value.warning is not None:
                add("warning", row, value_name, raw_value, value.warning)
            unit_multiplier = None
            if layout.unit_multiplier is not None:
                multiplier_text = cells[layout.unit_multiplier].strip()
                if multiplier_text:
                    unit_multiplier = parse_unit_multiplier(multiplier_text)
                    if unit_multiplier is None:
                        add(
                            "error",
                            row,
                            header[layout.unit_multiplier],
                            multiplier_text,
                            _NOT_A_MULTIPLIER,
                        )
            if self.error_count != errors:
                continue
            series = (
                layout.constant_series
                if layout.series is None
                else cells[layout.series].strip() or None
            )
            unit = None if layout.unit is None else cells[layout.unit].strip() or None
            geocode = None if layout.geocode is None else cells[layout.geocode].strip() or None
            breakdown = []
            for index, name in dimensions:
                label = cells[index].strip()
                breakdown.append((name, None if not label or label.lower() in totals else label))
            assert period.sdmx is not None
            key = "\x1f".join(
                [period.sdmx, series or "\x1e", unit or "\x1e", geocode or "\x1e"]
                + [label or "\x1e" for _, label in breakdown]
            )
            first = seen.first_row(hashlib.blake2b(key.encode(), digest_size=16).digest(), row)
            # The same key with the same figure (Statistics Canada writes its totals both blank
            # and "Total") is read once; with another figure it is an error.
            figure = "\x1f".join(
                [
                    key,
                    "\x1e" if value.number is None else str(value.number.normalize()),
                    obs_status or "\x1e",
                    value.conf_status or "\x1e",
                ]
            )
            same = seen_figures.first_row(
                hashlib.blake2b(figure.encode(), digest_size=16).digest(), row
            )
            if first != row and same != row:
                add(
                    "warning",
                    row,
                    None,
                    None,
                    message(
                        "repeated_figure",
                        "repeats row {row} with the same value: read once",
                        row=same,
                    ),
                )
                continue
            if first != row:
                add(
                    "error",
                    row,
                    None,
                    None,
                    message(
                        "duplicate_key",
                        "duplicates row {row} with another value: same period, series, unit, "
                        "GeoCode and disaggregation",
                        row=first,
                    ),
                )
                continue
            yield Observation(
                row=row,
                time_period=period.sdmx,
                dimensions=tuple(breakdown),
                series=series,
                unit=unit,
                unit_multiplier=unit_multiplier,
                geocode=geocode,
                value=value.number,
                obs_status=obs_status,
                conf_status=value.conf_status,
                raw_value=raw_value,
                footnote=None
                if layout.footnote is None
                else cells[layout.footnote].strip() or None,
            )
        if self.rows_read == 0:
            add("error", self.header_row, None, None, _NO_DATA_ROWS)


def _name_of(source: Source, file_name: str | None) -> str:
    if file_name is not None:
        return file_name
    if isinstance(source, str | os.PathLike):
        return Path(source).name
    name = getattr(source, "name", None)
    return Path(name).name if isinstance(name, str) else "<stream>"


def read_open_sdg(
    path_or_binary_file: Source,
    *,
    file_name: str | None = None,
    max_problems: int = 1000,
    total_labels: Collection[str] = ("Total",),
) -> Reading:
    """Open an Open SDG indicator CSV file for streaming, validated reading.

    The layout is Open SDG's: a header row; a ``Year`` column and a ``Value`` column; optional
    ``Series``, ``Units`` (or ``Unit measure``), ``Unit multiplier``, ``GeoCode``,
    ``Observation status`` and ``COMMENT_OBS`` (a footnote) columns (names compared without
    case); every other column is a disaggregation, whose blank cell means the total. The file
    is UTF-8, with or without a byte-order mark, separated by commas (semicolons and tabs are
    detected from the header and reported with a warning). Blank lines are skipped.

    The header is read and checked now; rows are read by `Reading.observations`, one at a time,
    so a file of any length is read in constant memory (apart from the index of keys that finds
    duplicate observations).

    Parameters
    ----------
    path_or_binary_file : str, os.PathLike or binary file
        A path, or a file opened in binary mode (an upload); the reader never closes a file it
        did not open.
    file_name : str, optional
        The name problems and errors give the file; by default the path's last part.
    max_problems : int, default 1000
        How many problems `Reading.problems` keeps; the counts go on beyond it.
    total_labels : collection of str, default ("Total",)
        Disaggregation labels read as the total, like a blank cell (compared without case):
        some providers, Statistics Canada among them, write ``Total`` explicitly. Pass ``()``
        to keep such labels as written.

    Returns
    -------
    Reading

    Raises
    ------
    OpenSdgError
        `EncodingError` when the header is not UTF-8, `CsvSyntaxError` when it is not CSV,
        `EmptyFileError`, `MissingColumnError` (no Year or no Value),
        `DuplicateColumnError`, or `HeaderError` (both Units and Unit measure).

    Examples
    --------
    >>> import io
    >>> reading = read_open_sdg(
    ...     io.BytesIO(b"Year,Sex,Value\\n2014,,17.0\\n2015 Q1,Female,x\\n"), file_name="a.csv"
    ... )
    >>> reading.columns
    ('Sex',)
    >>> for observation in reading.observations():
    ...     print(observation.time_period, observation.dimensions, observation.value,
    ...           observation.obs_status, observation.conf_status)
    2014 (('Sex', None),) 17.0 None None
    2015-Q1 (('Sex', 'Female'),) None Q C
    >>> print(*reading.problems, sep="\\n")
    a.csv, row 3, column Value ('x'): no value: the cell holds a status symbol [warning]
    """
    name = _name_of(path_or_binary_file, file_name)
    return Reading(
        source=path_or_binary_file,
        file_name=name,
        max_problems=max_problems,
        total_labels=total_labels,
        layout_of=_open_sdg_layout,
    )


def read_owid(
    path_or_binary_file: Source, *, file_name: str | None = None, max_problems: int = 1000
) -> Reading:
    """Open an Our World in Data indicator export (``Entity, Code, Year, <indicator>``).

    Our World in Data republishes the UN SDG Global Database one indicator per file. Each row
    becomes an observation whose single disaggregation is ``Entity`` (the country or region
    name), whose ``geocode`` is ``Code`` (ISO 3166 alpha-3, or Our World in Data's own code for
    regions) and whose ``series`` is the indicator column's name. Values, periods, problems and
    errors are as for `read_open_sdg`.

    Parameters
    ----------
    path_or_binary_file : str, os.PathLike or binary file
    file_name : str, optional
    max_problems : int, default 1000

    Returns
    -------
    Reading

    Examples
    --------
    >>> import io
    >>> export = b"Entity,Code,Year,10.7.2 - All Domains\\nAngola,AGO,2019,3\\n"
    >>> reading = read_owid(io.BytesIO(export))
    >>> [(o.geocode, o.time_period, o.value, o.series) for o in reading.observations()]
    [('AGO', '2019', Decimal('3'), '10.7.2 - All Domains')]
    """
    name = _name_of(path_or_binary_file, file_name)
    return Reading(
        source=path_or_binary_file,
        file_name=name,
        max_problems=max_problems,
        total_labels=(),
        layout_of=_owid_layout,
    )
