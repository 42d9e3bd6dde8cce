"""The streaming, checking reader of the UN DESA International Migrant Stock 2020 workbook."""

from __future__ import annotations

import enum
import itertools
import os
import zipfile
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, BinaryIO, Literal, NamedTuple

import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from .._messages import message
from ._errors import CellError, LayoutError, MissingSheetError, WorkbookError

Source = str | os.PathLike[str] | BinaryIO
Sex = Literal["_T", "M", "F"]


class Measure(enum.StrEnum):
    """What a record measures; each table of the workbook holds one to three measures."""

    #: Table 1: international migrants living in the country or area at mid-year (persons).
    MIGRANT_STOCK = "MIGRANT_STOCK"
    #: Table 2: total population at mid-year (the workbook gives thousands of persons).
    TOTAL_POPULATION = "TOTAL_POPULATION"
    #: Table 3: migrant stock as a percentage of the total population.
    MIGRANT_SHARE = "MIGRANT_SHARE"
    #: Table 4: female migrants as a percentage of the migrant stock.
    FEMALE_MIGRANT_SHARE = "FEMALE_MIGRANT_SHARE"
    #: Table 5: annual rate of change of the migrant stock over the five years to ``year``.
    MIGRANT_STOCK_CHANGE_RATE = "MIGRANT_STOCK_CHANGE_RATE"
    #: Table 6: refugees and asylum seekers at mid-year (persons), both sexes only.
    REFUGEE_STOCK = "REFUGEE_STOCK"
    #: Table 6: refugees and asylum seekers as a percentage of the migrant stock.
    REFUGEE_SHARE = "REFUGEE_SHARE"
    #: Table 6: annual rate of change of the refugee stock over the five years to ``year``.
    REFUGEE_STOCK_CHANGE_RATE = "REFUGEE_STOCK_CHANGE_RATE"


#: The symbols the workbook writes instead of a number (its Notes sheet explains them), read as
#: (OBS_STATUS, CONF_STATUS) of the SDMX cross-domain code lists, as the Open SDG reader does.
VALUE_SYMBOLS: dict[str, tuple[str, str | None]] = {
    # "Two dots (..) indicate that data are not available or are not reported separately."
    "..": ("O", None),
    # "The tilde (~) indicates that the data are protected for privacy reasons because the number
    # […] is less than five": suppressed for confidentiality, so never to be published.
    "~": ("Q", "C"),
    # "An em dash (—) indicates that the magnitude is not zero, but less than half of the unit
    # employed": CL_OBS_STATUS "N", not significant. (The 2020 workbook shows real zeros as a
    # dash through a number format, but stores 0; a text dash has not been seen.)
    "\u2014": ("N", None),
}

_TITLE = "International Migrant Stock 2020: Destination"
_DOCUMENT = "POP/DB/MIG/Stock/Rev.2020"
_CITATION_PREFIX = "Suggested citation: "
_LOCATION_HEADINGS = ("Region, development group, country or area", "Notes", "Location code")
_TYPE_HEADING = "Type of data"
_YEARS = (1990, 1995, 2000, 2005, 2010, 2015, 2020)
_FIRST_DATA_ROW = 12
_HEADING_ROW = 8
_COLUMN_ROW = 11
_FIRST_VALUE_COLUMN = 6  # F
# M49 codes below 900 are countries or areas; UN DESA numbers its regions and groups from 900.
_FIRST_AGGREGATE_CODE = 900


@dataclass(frozen=True, slots=True)
class _Block:
    """A run of columns under one heading of row 8: one measure, one sex, seven years or six
    five-year periods."""

    heading: str
    measure: Measure
    sex: Sex
    unit: str
    unit_multiplier: int
    periods: bool = False

    @property
    def width(self) -> int:
        return len(_YEARS) - 1 if self.periods else len(_YEARS)

    def labels(self) -> tuple[int | str, ...]:
        if self.periods:
            return tuple(f"{a}-{b}" for a, b in itertools.pairwise(_YEARS))
        return _YEARS


@dataclass(frozen=True, slots=True)
class _TableSpec:
    number: int
    title: str
    blocks: tuple[_Block, ...]

    @property
    def sheet(self) -> str:
        return f"Table {self.number}"


def _by_sex(
    heading: str, measure: Measure, unit: str, multiplier: int = 0, *, periods: bool = False
) -> tuple[_Block, ...]:
    suffix = " (thousands)" if multiplier == 3 else ""
    sexes: tuple[tuple[str, Sex], ...] = (
        ("both sexes combined", "_T"),
        ("males", "M"),
        ("females", "F"),
    )
    return tuple(
        _Block(f"{heading}, {words}{suffix}", measure, sex, unit, multiplier, periods)
        for words, sex in sexes
    )


_P = "percent"
_TABLES: dict[int, _TableSpec] = {
    spec.number: spec
    for spec in (
        _TableSpec(
            1,
            "Table 1: International migrant stock at mid-year by sex and by region, country or "
            "area of destination, 1990-2020",
            _by_sex("International migrant stock at mid-year", Measure.MIGRANT_STOCK, "persons"),
        ),
        _TableSpec(
            2,
            "Table 2: Total population at mid-year by sex and by region, country or area of "
            "destination, 1990-2020 (thousands)",
            _by_sex("Total population at mid-year", Measure.TOTAL_POPULATION, "persons", 3),
        ),
        _TableSpec(
            3,
            "Table 3: International migrant stock as a percentage of the total population by sex "
            "and by region, country or area of destination, 1990-2020",
            _by_sex(
                "International migrant stock as a percentage of the total population",
                Measure.MIGRANT_SHARE,
                _P,
            ),
        ),
        _TableSpec(
            4,
            "Table 4: Female migrants as a percentage of the international migrant stock by "
            "region, country or area of destination, 1990-2020",
            (
                _Block(
                    "Female migrants as a percentage of the international migrant stock",
                    Measure.FEMALE_MIGRANT_SHARE,
                    "F",
                    _P,
                    0,
                ),
            ),
        ),
        _TableSpec(
            5,
            "Table 5: Annual rate of change of the migrant stock by sex and by region, country or "
            "area of destination, 1990-2020 (percentage)",
            _by_sex(
                "Annual rate of change of the migrant stock",
                Measure.MIGRANT_STOCK_CHANGE_RATE,
                _P,
                periods=True,
            ),
        ),
        _TableSpec(
            6,
            "Table 6: Estimated refugee stock (including asylum seekers) at mid-year by region, "
            "country or area of destination, 1990-2020",
            (
                _Block(
                    "Refugee and asylum seekers at mid-year, both sexes combined",
                    Measure.REFUGEE_STOCK,
                    "_T",
                    "persons",
                    0,
                ),
                _Block(
                    "Refugee and asylum seekers as a percentage of the international migrant stock",
                    Measure.REFUGEE_SHARE,
                    "_T",
                    _P,
                    0,
                ),
                _Block(
                    "Annual rate of change of the refugee and asylum seekers, both sexes combined",
                    Measure.REFUGEE_STOCK_CHANGE_RATE,
                    "_T",
                    _P,
                    0,
                    periods=True,
                ),
            ),
        ),
    )
}


@dataclass(frozen=True, slots=True)
class MigrantStockTable:
    """One table (sheet) of the workbook, as found and checked.

    Attributes
    ----------
    number : int
        1 to 6.
    sheet : str
        The sheet's name (``Table 1``).
    title : str
        The table's title as the workbook writes it.
    measures : tuple of Measure
        The measures its columns hold, in the workbook's order.
    """

    number: int
    sheet: str
    title: str
    measures: tuple[Measure, ...]


@dataclass(frozen=True, slots=True)
class MigrantStockRecord:
    """One figure of the workbook: a measure for one destination, one year (or five-year
    period) and one sex.

    Attributes
    ----------
    table : int
        The table it comes from (1 to 6).
    measure : Measure
    m49 : int
        The UN M49 code of the destination (the workbook's ``Location code``): a country or
        area below 900, a region or group of UN DESA from 900 on (``900`` is the world).
    location : str
        The destination's name without the indentation and the ``*`` note marker.
    is_country : bool
        True for a country or area, False for a region or a group of countries.
    year : int
        The mid-year (1 July) of the figure; for a rate of change, the end of its period.
    start_year : int or None
        The start of the five-year period for rates of change (``1990`` for ``1990-1995``),
        None for figures at one date.
    sex : {"_T", "M", "F"}
        SDMX codes: both sexes, males, females. Table 4 (female migrants as a percentage of
        the stock) is ``F``; Table 6 has both sexes only.
    value : Decimal or None
        The figure as the workbook stores it, in ``unit`` times ``10 ** unit_multiplier``;
        None when the cell holds a symbol instead (see `obs_status`).
    unit : {"persons", "percent"}
    unit_multiplier : int
        The SDMX UNIT_MULT exponent: 3 for Table 2, which counts thousands of persons, 0 for
        every other table.
    obs_status, conf_status : str or None
        For a symbol, its CL_OBS_STATUS and CL_CONF_STATUS codes (see `VALUE_SYMBOLS`): ``..``
        is ``O`` (missing); ``~`` is ``Q``/``C`` (fewer than five persons, protected for privacy:
        never publish); None for a number.
    type_of_data : str or None
        The workbook's ``Type of data`` for countries (``B`` foreign-born, ``C`` foreign
        citizens, ``R`` refugees added, ``I`` imputed; e.g. ``B R``), None for aggregates.
    note : int or None
        The number of the destination's note on the Notes sheet.
    note_text : str or None
        That note's text.
    cell : str
        Where the figure is: ``'Table 1'!F12``.
    source : str
        The citation and licence (CC BY 3.0 IGO) every use of the figure must carry.
    """

    table: int
    measure: Measure
    m49: int
    location: str
    is_country: bool
    year: int
    start_year: int | None
    sex: Sex
    value: Decimal | None
    unit: str
    unit_multiplier: int
    obs_status: str | None
    conf_status: str | None
    type_of_data: str | None
    note: int | None
    note_text: str | None
    cell: str
    source: str

    @property
    def time_period(self) -> str:
        """The period as the workbook writes it: ``2020``, or ``2015-2020`` for rates."""
        if self.start_year is None:
            return str(self.year)
        return f"{self.start_year}-{self.year}"


@dataclass(frozen=True, slots=True)
class MigrantStockReading:
    """A checked workbook, ready to stream.

    Made by `read_undesa_migrant_stock`, which has already checked every sheet's layout;
    `records` then reads the figures, one row of the sheet at a time.

    Attributes
    ----------
    file : str
        The workbook's name, for messages.
    source : str
        The citation, document code and licence, as the workbook states them.
    tables : tuple of MigrantStockTable
        The tables that `records` reads, in order.
    notes : dict of int to str
        The numbered country notes of the Notes sheet.
    """

    file: str
    source: str
    tables: tuple[MigrantStockTable, ...]
    notes: dict[int, str]
    _workbook: Source = field(repr=False)

    def records(self) -> Iterator[MigrantStockRecord]:
        """Yield every figure of the chosen tables, table by table, row by row.

        A region the workbook lists twice (it shows Australia and New Zealand, 927, both among
        the SDG regions and under Oceania) is yielded once.

        Raises
        ------
        CellError
            When a data cell cannot be read; the records before it have been yielded.
        """
        workbook = _open(self._workbook, self.file)
        try:
            for table in self.tables:
                yield from _records(workbook[table.sheet], _TABLES[table.number], self)
        finally:
            workbook.close()


def read_undesa_migrant_stock(
    workbook: Source, *, tables: Collection[int] | None = None, file_name: str | None = None
) -> MigrantStockReading:
    """Open the UN DESA International Migrant Stock 2020 "Destination" workbook and check it.

    The workbook (``undesa_pd_2020_ims_stock_by_sex_and_destination.xlsx``, document
    POP/DB/MIG/Stock/Rev.2020) has six tables, each a sheet with one row per region, group,
    country or area of destination and one column per year (1990 to 2020, every five years) and
    sex. This function checks the titles and headings of every chosen table against the
    published layout and reads the Notes sheet; figures are read, and each cell checked, as
    `MigrantStockReading.records` streams them (openpyxl's read-only mode: memory stays flat).

    Parameters
    ----------
    workbook : path or binary file
        The .xlsx file. A binary file must be seekable: `records` reads it again.
    tables : collection of int, optional
        The tables to read (1 to 6); all six by default.
    file_name : str, optional
        The name used in messages; by default the path's last part, or ``workbook.xlsx``.

    Returns
    -------
    MigrantStockReading

    Raises
    ------
    WorkbookError
        The file is not an .xlsx workbook.
    MissingSheetError
        A chosen table's sheet, or the Notes sheet, is absent.
    LayoutError
        A title or heading is not the expected one (the message names sheet, row and column).
    ValueError
        ``tables`` names a table the workbook does not have.

    Examples
    --------
    >>> from solidarity.stats.undesa import read_undesa_migrant_stock, sample_workbook
    >>> reading = read_undesa_migrant_stock(sample_workbook(), tables=[1, 2])
    >>> [table.sheet for table in reading.tables]
    ['Table 1', 'Table 2']
    >>> reading.source[:57]
    'United Nations Department of Economic and Social Affairs,'
    >>> world = [r for r in reading.records() if r.m49 == 900 and r.year == 2020]
    >>> [(r.measure.value, r.sex, r.value, r.unit, r.unit_multiplier) for r in world][:4]
    ... # doctest: +NORMALIZE_WHITESPACE
    [('MIGRANT_STOCK', '_T', Decimal('280598105'), 'persons', 0),
     ('MIGRANT_STOCK', 'M', Decimal('145655844'), 'persons', 0),
     ('MIGRANT_STOCK', 'F', Decimal('134942261'), 'persons', 0),
     ('TOTAL_POPULATION', '_T', Decimal('7794798.729'), 'persons', 3)]
    """
    if tables is None:
        numbers = tuple(_TABLES)
    else:
        numbers = tuple(sorted(set(tables)))
        unknown = [number for number in numbers if number not in _TABLES]
        if unknown:
            raise ValueError(f"the workbook has tables 1 to 6, not {unknown}")
    if file_name is None:
        file_name = (
            os.path.basename(os.fspath(workbook))
            if isinstance(workbook, str | os.PathLike)
            else "workbook.xlsx"
        )
    book = _open(workbook, file_name)
    try:
        for sheet in [*(f"Table {number}" for number in numbers), "Notes"]:
            if sheet not in book.sheetnames:
                raise MissingSheetError(
                    message(
                        "missing_sheet",
                        "the workbook has no sheet {sheet!r} (it has {sheets})",
                        sheet=sheet,
                        sheets=book.sheetnames,
                    ),
                    file=file_name,
                    sheet=sheet,
                )
        found = [_check_layout(book[f"Table {n}"], _TABLES[n], file_name) for n in numbers]
        notes = _read_notes(book["Notes"])
    finally:
        book.close()
    return MigrantStockReading(
        file=file_name,
        source=found[0][1],
        tables=tuple(table for table, _ in found),
        notes=notes,
        _workbook=workbook,
    )


class UndesaRow(NamedTuple):
    """A row of the compact derived table: one figure, in the measure's base unit."""

    m49: int
    year: int
    sex: str
    measure: str
    value: Decimal | None


def undesa_to_rows(
    records: Iterable[MigrantStockRecord],
    *,
    measures: Collection[Measure] | None = None,
    countries_only: bool = False,
) -> Iterator[UndesaRow]:
    """Turn records into plain ``(m49, year, sex, measure, value)`` rows for a compact CSV.

    Values are brought to the measure's base unit, so that one column holds one unit per
    measure: persons for the stocks and the population (Table 2's thousands are multiplied by
    1000, exactly), percent for shares and rates. A rate of change has the end of its five-year
    period as its year. Symbols become None (write an empty cell); the record's `source` must go
    with the file.

    Parameters
    ----------
    records : iterable of MigrantStockRecord
    measures : collection of Measure, optional
        Keep only these measures; all by default.
    countries_only : bool, default False
        Drop regions and groups.

    Examples
    --------
    >>> from solidarity.stats.undesa import (
    ...     Measure, read_undesa_migrant_stock, sample_workbook, undesa_to_rows)
    >>> reading = read_undesa_migrant_stock(sample_workbook(), tables=[2])
    >>> rows = undesa_to_rows(reading.records(), countries_only=True)
    >>> next(rows)
    UndesaRow(m49=578, year=1990, sex='_T', measure='TOTAL_POPULATION', value=Decimal('4241636'))
    """
    wanted = None if measures is None else frozenset(measures)
    for record in records:
        if wanted is not None and record.measure not in wanted:
            continue
        if countries_only and not record.is_country:
            continue
        value = record.value
        if value is not None and record.unit_multiplier:
            value = value.scaleb(record.unit_multiplier)
            if value.as_tuple().exponent > 0:  # type: ignore[operator]  # an int for finite values
                value = value.quantize(Decimal(1))
        yield UndesaRow(record.m49, record.year, record.sex, record.measure.value, value)


def _open(workbook: Source, file_name: str) -> Workbook:
    if not isinstance(workbook, str | os.PathLike):
        workbook.seek(0)
    try:
        return openpyxl.load_workbook(workbook, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError) as error:
        raise WorkbookError(
            message(
                "not_a_workbook", "the file is not an Excel .xlsx workbook ({error})", error=error
            ),
            file=file_name,
        ) from None


def _values(sheet: ReadOnlyWorksheet, **bounds: int) -> Iterator[tuple[object, ...]]:
    """The cells' values, row by row, as openpyxl's read-only mode streams them."""
    # types-openpyxl binds ReadOnlyWorksheet.iter_rows to Worksheet (it is borrowed from it).
    return sheet.iter_rows(values_only=True, **bounds)  # type: ignore[misc]


def _check_layout(
    sheet: ReadOnlyWorksheet, spec: _TableSpec, file_name: str
) -> tuple[MigrantStockTable, str]:
    """Check rows 1 to 11 of a table; return the table and the source citation."""
    width = _FIRST_VALUE_COLUMN - 1 + sum(block.width for block in spec.blocks)
    rows = [list(row) for row in _values(sheet, min_row=1, max_row=_COLUMN_ROW, max_col=width)]
    rows += [[None] * width] * (_COLUMN_ROW - len(rows))

    def expect(row: int, column: int, wanted: object, *, prefix: bool = False) -> Any:
        found = rows[row - 1][column - 1]
        text = " ".join(found.split()) if isinstance(found, str) else found
        if (prefix and isinstance(text, str) and text.startswith(str(wanted))) or text == wanted:
            return text
        raise LayoutError(
            message(
                "unexpected_heading_start" if prefix else "unexpected_heading",
                "expected {wanted!r}"
                + (" at the start" if prefix else "")
                + ", found {found!r}: the sheet does not have the layout of International "
                "Migrant Stock 2020 (rows inserted or deleted, columns moved, or another "
                "revision)",
                wanted=wanted,
                found=found,
            ),
            file=file_name,
            sheet=sheet.title,
            row=row,
            column=get_column_letter(column),
        )

    expect(2, 5, _TITLE)
    title: str = expect(3, 5, spec.title)
    expect(4, 5, _DOCUMENT)
    citation = expect(5, 5, _CITATION_PREFIX, prefix=True)[len(_CITATION_PREFIX) :]
    licence = expect(6, 5, "Copyright", prefix=True)
    if "CC BY 3.0 IGO" not in licence:
        expect(6, 5, "Copyright © 2020 by United Nations, made available under … CC BY 3.0 IGO")
    for column, heading in enumerate(_LOCATION_HEADINGS, start=2):
        expect(_COLUMN_ROW, column, heading)
    expect(_COLUMN_ROW, 5, _TYPE_HEADING)
    column = _FIRST_VALUE_COLUMN
    for block in spec.blocks:
        expect(_HEADING_ROW, column, block.heading)
        for label in block.labels():
            expect(_COLUMN_ROW, column, label)
            column += 1
    table = MigrantStockTable(
        spec.number,
        spec.sheet,
        title,
        tuple(dict.fromkeys(block.measure for block in spec.blocks)),
    )
    return table, f"{citation} {_DOCUMENT}. {licence}"


def _read_notes(sheet: ReadOnlyWorksheet) -> dict[int, str]:
    """The numbered country notes: the number in column A, the text in column B."""
    notes: dict[int, str] = {}
    for number, text in _values(sheet, min_col=1, max_col=2):
        if isinstance(number, int) and isinstance(text, str):
            notes[number] = text.strip()
    return notes


def _records(
    sheet: ReadOnlyWorksheet, spec: _TableSpec, reading: MigrantStockReading
) -> Iterator[MigrantStockRecord]:
    file_name = reading.file
    width = _FIRST_VALUE_COLUMN - 1 + sum(block.width for block in spec.blocks)
    letters = [get_column_letter(column) for column in range(1, width + 1)]
    seen: dict[int, tuple[object, ...]] = {}
    for row_number, row in enumerate(
        _values(sheet, min_row=_FIRST_DATA_ROW, max_col=width),
        start=_FIRST_DATA_ROW,
    ):
        cells = tuple(row) + (None,) * (width - len(row))
        if all(cell is None or cell == "" for cell in cells):
            continue

        def fail(
            reason: str, column: int, *, row: int = row_number, cells: Any = cells
        ) -> CellError:
            return CellError(
                reason,
                file=file_name,
                sheet=spec.sheet,
                row=row,
                column=letters[column],
                value=cells[column],
            )

        _, name, note, code, type_of_data = cells[:5]
        if not isinstance(name, str) or not name.strip():
            raise fail(
                message("missing_name", "the name of the region, country or area is missing"), 1
            )
        if note is not None and (not isinstance(note, int) or note not in reading.notes):
            raise fail(message("not_a_note", "is not the number of a note on the Notes sheet"), 2)
        if not isinstance(code, int) or isinstance(code, bool) or code <= 0:
            raise fail(
                message(
                    "not_m49", "the location code is not an M49 code (a positive whole number)"
                ),
                3,
            )
        if type_of_data is not None and not isinstance(type_of_data, str):
            raise fail(message("type_not_text", "the type of data is not text"), 4)
        kind = " ".join(type_of_data.split()) if type_of_data else None
        is_country = code < _FIRST_AGGREGATE_CODE
        if kind and not is_country:
            raise fail(
                message(
                    "region_with_type",
                    "a region or group (code {code}, 900 or more) cannot have a type of data",
                    code=code,
                ),
                4,
            )
        values = cells[_FIRST_VALUE_COLUMN - 1 :]
        if code in seen:
            if seen[code] != values:
                raise fail(
                    message(
                        "listed_twice",
                        "location code {code} is listed twice with different figures",
                        code=code,
                    ),
                    3,
                )
            continue
        seen[code] = values
        location = name.strip().rstrip("*").strip()
        column = _FIRST_VALUE_COLUMN - 1
        for block in spec.blocks:
            for label in block.labels():
                value, obs_status, conf_status = _value(cells[column], fail, column)
                if block.periods:
                    start, end = (int(part) for part in str(label).split("-"))
                else:
                    start, end = None, int(label)
                yield MigrantStockRecord(
                    table=spec.number,
                    measure=block.measure,
                    m49=code,
                    location=location,
                    is_country=is_country,
                    year=end,
                    start_year=start,
                    sex=block.sex,
                    value=value,
                    unit=block.unit,
                    unit_multiplier=block.unit_multiplier,
                    obs_status=obs_status,
                    conf_status=conf_status,
                    type_of_data=kind,
                    note=note,
                    note_text=None if note is None else reading.notes[note],
                    cell=f"'{spec.sheet}'!{letters[column]}{row_number}",
                    source=reading.source,
                )
                column += 1


def _value(cell: object, fail: Any, column: int) -> tuple[Decimal | None, str | None, str | None]:
    if isinstance(cell, bool):
        raise fail(message("boolean_cell", "is a true/false value, not a number"), column)
    if isinstance(cell, int):
        return Decimal(cell), None, None
    if isinstance(cell, float):
        # repr is the shortest text that reads back as the same float: the figure as stored,
        # without the binary expansion Decimal(float) would give.
        return Decimal(repr(cell)), None, None
    if isinstance(cell, str) and cell.strip() in VALUE_SYMBOLS:
        obs_status, conf_status = VALUE_SYMBOLS[cell.strip()]
        return None, obs_status, conf_status
    symbols = ", ".join(repr(symbol) for symbol in VALUE_SYMBOLS)
    raise fail(
        message(
            "not_a_figure",
            "is neither a number nor one of the workbook's symbols ({symbols})",
            symbols=symbols,
        ),
        column,
    )
