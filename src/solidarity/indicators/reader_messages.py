"""The file readers' messages in the user's language.

The readers of :mod:`solidarity.stats` (Open SDG, UN DESA, SDMX) cannot import Django: each of
their messages is a :class:`~solidarity.stats._messages.Message`, English text with a stable
``code`` and the ``params`` it was filled with. Here each code has its template, marked for
translation; :func:`reader_text` fills the template of the active language, and falls back to
the reader's English text for a code it does not know (a new message not yet listed here), so
that nothing is ever lost, only left untranslated.
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from solidarity.stats._messages import code_of, params_of

MESSAGES: dict[str, Promise] = {
    # Open SDG CSV files -------------------------------------------------------------------
    "utf16": _("the file is UTF-16, not UTF-8: save it as CSV UTF-8"),
    "nul_byte": _(
        "byte 0x00 (NUL) at byte %(offset)s: the file is not UTF-8 text; it may be UTF-16 or a "
        "spreadsheet: save it as CSV UTF-8"
    ),
    "not_utf8": _(
        "the file is not UTF-8: byte 0x%(byte)s at byte %(offset)s (character %(character)s of "
        "the line) is not valid UTF-8; it may be Windows-1252 or Latin-1: save the file as CSV "
        "UTF-8"
    ),
    "empty_file": _("the file is empty: it has no header and no data"),
    "header_not_csv": _("the header is not valid CSV: %(error)s"),
    "unnamed_column": _("column %(column)s of the header has no name"),
    "duplicate_column": _(
        "two columns are named '%(name)s' (columns %(first)s and %(second)s); each column needs "
        "its own name"
    ),
    "two_unit_columns": _("columns '%(first)s' and '%(second)s' both give the unit; keep one"),
    "missing_columns": _(
        "the header has no %(missing)s column; an Open SDG indicator file needs Year and Value "
        "columns"
    ),
    "missing_owid_columns": _(
        "the header has no %(missing)s column; an Open SDG indicator file needs Year and Value "
        "columns (this looks like an Our World in Data export: read it with read_owid)"
    ),
    "owid_header": _(
        "an Our World in Data file has four columns: Entity, Code, Year and the indicator; this "
        "header has %(header)s"
    ),
    "separator": _("the file is separated by %(separator)s, not commas; read as such"),
    "semicolons": _(
        "the file is separated by semicolons, not commas; read as such, with ',' read as a "
        "decimal comma"
    ),
    "not_csv": _("the file is not valid CSV: %(error)s"),
    "trailing_cells": _("empty cells after the last column ignored"),
    "short_row": _(
        "the row has %(cells)s cells but the header has %(columns)s columns (a truncated row?)"
    ),
    "long_row": _("the row has %(cells)s cells but the header has %(columns)s columns"),
    "unknown_status": _("is not a known observation status; kept as written"),
    "not_a_multiplier": _(
        "is not a unit multiplier: write Units, Thousands, Millions… or the power of ten (0, 3, 6…)"
    ),
    "repeated_figure": _("repeats row %(row)s with the same value: read once"),
    "duplicate_key": _(
        "duplicates row %(row)s with another value: same period, series, unit, GeoCode and "
        "disaggregation"
    ),
    "no_data_rows": _("the file has a header but no data rows"),
    "no_value": _("no value given"),
    "status_symbol": _("no value: the cell holds a status symbol"),
    "thousands_separators": _("thousands separators ignored"),
    "formula": _("is a spreadsheet formula, not a number: export the computed values"),
    "ambiguous_number": _(
        "is ambiguous: ',' may separate thousands or decimals; write the number without "
        "thousands separators and with a '.' decimal point"
    ),
    "not_a_number": _("is not a number"),
    "not_a_period": _(
        "is not a time period: write a year ('2014'), a quarter ('2014 Q1'), a month "
        "('2014-01') or a fiscal year ('2014/15')"
    ),
    "not_a_fiscal_year": _(
        "is not a fiscal year: a fiscal year spans two consecutive years ('2014/15')"
    ),
    "not_a_date": _("is not a date of the calendar"),
    "month_or_fiscal_year": _(
        "read as the month %(year)s-%(second)s (ISO 8601); if a fiscal year is meant, write it "
        "with a slash: %(year)s/%(second)s"
    ),
    # The UN DESA workbook -----------------------------------------------------------------
    "missing_sheet": _("the workbook has no sheet '%(sheet)s' (it has %(sheets)s)"),
    "not_a_workbook": _("the file is not an Excel .xlsx workbook (%(error)s)"),
    "unexpected_heading": _(
        "expected '%(wanted)s', found '%(found)s': the sheet does not have the layout of "
        "International Migrant Stock 2020 (rows inserted or deleted, columns moved, or another "
        "revision)"
    ),
    "unexpected_heading_start": _(
        "expected '%(wanted)s' at the start, found '%(found)s': the sheet does not have the "
        "layout of International Migrant Stock 2020 (rows inserted or deleted, columns moved, "
        "or another revision)"
    ),
    "missing_name": _("the name of the region, country or area is missing"),
    "not_a_note": _("is not the number of a note on the Notes sheet"),
    "not_m49": _("the location code is not an M49 code (a positive whole number)"),
    "type_not_text": _("the type of data is not text"),
    "region_with_type": _(
        "a region or group (code %(code)s, 900 or more) cannot have a type of data"
    ),
    "listed_twice": _("location code %(code)s is listed twice with different figures"),
    "boolean_cell": _("is a true/false value, not a number"),
    "not_a_figure": _("is neither a number nor one of the workbook's symbols (%(symbols)s)"),
    # SDMX files ---------------------------------------------------------------------------
    "byte_order_mark": _(
        "line 1: the file starts with a UTF-8 byte-order mark; SDMX-CSV files are plain UTF-8: "
        "save the file without the mark (in Excel: 'CSV UTF-8' adds it, 'CSV' does not)"
    ),
    "not_commas": _(
        "line 1: the columns are separated by %(separator)s; SDMX-CSV separates them by commas"
    ),
    "first_column": _(
        "line 1: the first column is '%(column)s'; an SDMX-CSV file starts with DATAFLOW "
        "(version 1.0) or STRUCTURE (version 2.0)"
    ),
    "unknown_column": _(
        "line 1: column '%(column)s' is not a component of %(structure)s (its components: "
        "%(components)s)"
    ),
    "missing_dimensions": _("line 1: the header lacks the dimension(s) %(dimensions)s"),
    "no_code": _("observation %(number)s: no code for %(dimension)s"),
    "unknown_code": _(
        "observation %(number)s: %(dimension)s '%(code)s' is not a code of %(codelist)s"
    ),
    "no_period": _("observation %(number)s: no TIME_PERIOD"),
    "value_not_a_number": _("observation %(number)s: %(measure)s '%(value)s' is not a number"),
    "unknown_observation_dimension": _(
        "dimensionAtObservation '%(name)s' is not a dimension of %(structure)s: give "
        "AllDimensions, TIME_PERIOD or one of %(dimensions)s"
    ),
}


def reader_text(text: str | None) -> str:
    """A reader's message in the active language; its English text when its code is unknown
    (or it has none), or its template does not fit its params.

    >>> from django.utils import translation
    >>> from solidarity.stats._messages import message
    >>> with translation.override("en"):
    ...     reader_text(message("repeated_figure", "repeats row {row} …", row=3))
    'repeats row 3 with the same value: read once'
    >>> reader_text("plain English")
    'plain English'
    """
    if text is None:
        return ""
    template = MESSAGES.get(code_of(text))
    if template is None:
        return str(text)
    params: dict[str, Any] = {name: _plain(value) for name, value in params_of(text).items()}
    try:
        return str(template) % params
    except (KeyError, ValueError, TypeError):
        return str(text)


def _plain(value: object) -> object:
    # A list (the sheets of a workbook) reads as the reader wrote it.
    return str(value) if isinstance(value, (list, tuple)) else value


def error_reason(error: Exception) -> str:
    """The translated reason of a reader's exception: its ``reason`` (or first argument) when
    that is a coded message, else the exception's text."""
    reason = getattr(error, "reason", None)
    if reason is None and error.args and isinstance(error.args[0], str):
        reason = error.args[0]
    return reader_text(reason) if reason is not None else str(error)
