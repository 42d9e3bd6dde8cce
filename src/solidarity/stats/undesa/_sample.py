"""A miniature of the International Migrant Stock 2020 workbook, for examples and tests."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl

from ._reader import _CITATION_PREFIX, _DOCUMENT, _TABLES, _TITLE

_LICENCE = (
    "Copyright © 2020 by United Nations, made available under a Creative Commons license "
    "CC BY 3.0 IGO: http://creativecommons.org/licenses/by/3.0/igo/"
)
_CITATION = (
    "United Nations Department of Economic and Social Affairs, Population Division (2020). "
    "International Migrant Stock 2020."
)
# (index, name as indented in the workbook, note, M49 code, type of data)
_LOCATIONS: tuple[tuple[int, str, int | None, int, str], ...] = (
    (1, "WORLD", None, 900, ""),
    (2, " EUROPE", None, 908, ""),
    (3, "   Norway*", 1, 578, "B"),
)
# The world's row of Tables 1 and 2 as published, so that examples show real figures.
_WORLD: dict[int, list[float]] = {
    1: [
        *(152986157, 161289976, 173230585, 191446828, 220983187, 247958644, 280598105),
        *(77563467, 81581501, 87719833, 97663081, 113940881, 128238058, 145655844),
        *(75422690, 79708475, 85510752, 93783747, 107042306, 119720586, 134942261),
    ],
    2: [
        *(5327231.041, 5744212.93, 6143493.806, 6541906.956, 6956823.588, 7379796.967),
        *(7794798.729, 2680895.262, 2892141.549, 3093433.858, 3296485.267, 3507703.635),
        *(3720696.374, 3929973.953, 2646335.779, 2852071.381, 3050059.948, 3245421.689),
        *(3449119.953, 3659100.593, 3864824.776),
    ],
}


def _figure(table: int, code: int, column: int) -> object:
    if code == 900 and table in _WORLD:
        return _WORLD[table][column]
    if table == 2 and code == 578:
        return float(Decimal("4241.636") + column)
    if table == 6 and code == 578 and column in (5, 6):
        return "~"  # protected for privacy, as the workbook does for small refugee numbers
    if table == 1 and code == 578 and column == 0:
        return ".."
    return (code + 7 * column) * (1000 if table in (1, 6) and column < 7 else 1)


def sample_workbook() -> io.BytesIO:
    """Build, in memory, a three-row miniature of the International Migrant Stock 2020 workbook.

    It has every sheet, title and heading of the real workbook in the same cells, and three
    rows: the world (900, with its published figures in Tables 1 and 2), Europe (908) and
    Norway (578, a country with note 1). Some cells hold the workbook's symbols: ``..`` in
    Norway's 1990 migrant stock, ``~`` in its refugee stock of 2015 and 2020. For examples, and for
    tests of code that reads the workbook (load it with openpyxl to break it on purpose).

    Returns
    -------
    io.BytesIO
        The .xlsx file, positioned at its start.

    Examples
    --------
    >>> import openpyxl
    >>> from solidarity.stats.undesa import sample_workbook
    >>> book = openpyxl.load_workbook(sample_workbook())
    >>> book.sheetnames
    ['Table of contents', 'Table 1', 'Table 2', 'Table 3', 'Table 4', 'Table 5', 'Table 6', 'Notes']
    >>> book["Table 1"]["D12"].value, book["Table 1"]["L12"].value
    (900, 280598105)
    """
    book = openpyxl.Workbook()
    book.active.title = "Table of contents"  # type: ignore[union-attr]  # a new book has one
    for spec in _TABLES.values():
        sheet = book.create_sheet(spec.sheet)
        for row, text in enumerate(
            (_TITLE, spec.title, _DOCUMENT, _CITATION_PREFIX + _CITATION, _LICENCE), start=2
        ):
            sheet.cell(row, 5, text)
        headings = ["Region, development group, country or area", "Notes", "Location code"]
        for column, heading in enumerate([*headings, "Type of data"], start=2):
            sheet.cell(11, column, heading)
        column = 6
        for block in spec.blocks:
            sheet.cell(8, column, block.heading)
            for label in block.labels():
                sheet.cell(11, column, label)
                column += 1
        for row, location in enumerate(_LOCATIONS, start=12):
            for index, cell in enumerate(location, start=1):
                sheet.cell(row, index, cell)
            for offset in range(column - 6):
                sheet.cell(row, 6 + offset, _figure(spec.number, location[3], offset))
    notes = book.create_sheet("Notes")
    notes["B12"] = "* For country notes, please refer to Notes"
    notes["B19"] = (
        "Two dots (..) indicate that data are not available or are not reported separately"
    )
    notes["A23"] = 1
    notes["B23"] = "For statistical purposes, the foreign-born population includes … (a sample)."
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer
