"""Time periods as providers write them, normalised to SDMX forms."""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from typing import NamedTuple

from .._messages import message

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}

_YEAR = re.compile(r"\d{4}")
_QUARTER_AFTER = re.compile(r"(\d{4})\s*[-\s]?\s*Q([1-4])", re.IGNORECASE)
_QUARTER_BEFORE = re.compile(r"Q([1-4])\s*[-\s]?\s*(\d{4})", re.IGNORECASE)
_SEMESTER = re.compile(r"(\d{4})\s*[-\s]?\s*S([12])", re.IGNORECASE)
_YEAR_HYPHEN_TWO = re.compile(r"(\d{4})-(\d{2})")
_FISCAL = re.compile(r"(\d{4})\s*/\s*(\d{2}|\d{4})|(\d{4})-(\d{4})")
_MONTH_NAME = re.compile(r"([A-Za-z]{3,9})\.?\s+(\d{4})")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


class Period(NamedTuple):
    """The outcome of normalising one cell: the SDMX period, or why there is none."""

    sdmx: str | None
    error: str | None = None
    warning: str | None = None


def normalise_period(text: str) -> Period:
    """Normalise a time period as providers write it to its SDMX 2.1 form.

    ================================  ===============  ============================================
    written                           returned         meaning
    ================================  ===============  ============================================
    ``2014``                          ``2014``         calendar year
    ``2013 Q1``, ``2013-Q1``,         ``2013-Q1``      quarter
    ``Q1 2013``, ``2013Q1``
    ``2013 S2``, ``2013-S2``          ``2013-S2``      half-year
    ``2013-01``, ``Jan 2013``,        ``2013-01``      month
    ``January 2013``
    ``2013-01-31``                    ``2013-01-31``   day
    ``2002/03``, ``2002/2003``,       ``2002-A1``      fiscal year starting in 2002
    ``2002-2003``, ``2012-13``
    ================================  ===============  ============================================

    Fiscal years become SDMX 2.1 *reporting years* (``YYYY-A1``): the reporting year that starts
    in ``YYYY``, whose start day is given by the ``REPORTING_YEAR_START_DAY`` attribute (for
    instance ``--04-01`` for the UK, ``--07-01`` for Australia). A time range such as
    ``2002-04-01/P1Y`` would be exact, but an Open SDG file does not say when its fiscal year
    starts, and inventing a month would publish a wrong date; the reporting year keeps what the
    file says and leaves the start day to the indicator's metadata, where it belongs.

    ``YYYY-MM`` with ``MM`` from 01 to 12 is a month, as in ISO 8601 and SDMX, even when it could
    be read as a fiscal year (``2011-12``); that case carries a warning asking the provider to
    write fiscal years with a slash. ``2012-13`` cannot be a month, so it is a fiscal year.

    Parameters
    ----------
    text : str
        The cell, already stripped of surrounding spaces.

    Returns
    -------
    Period
        ``sdmx`` is the normalised period, or None with ``error`` saying why; ``warning`` is set
        when the reading was a choice between two meanings.

    Examples
    --------
    >>> normalise_period("2013 Q1").sdmx, normalise_period("Q1 2013").sdmx
    ('2013-Q1', '2013-Q1')
    >>> normalise_period("2002/03").sdmx, normalise_period("Jan 2013").sdmx
    ('2002-A1', '2013-01')
    >>> print(normalise_period("20144").error)  # doctest: +NORMALIZE_WHITESPACE
    is not a time period: write a year ('2014'), a quarter ('2014 Q1'), a month ('2014-01') or a
    fiscal year ('2014/15')
    """
    return _normalise(text)


_NOT_A_PERIOD = message(
    "not_a_period",
    "is not a time period: write a year ('2014'), a quarter ('2014 Q1'), a month ('2014-01') "
    "or a fiscal year ('2014/15')",
)
_NOT_FISCAL = message(
    "not_a_fiscal_year",
    "is not a fiscal year: a fiscal year spans two consecutive years ('2014/15')",
)
_NOT_A_DATE = message("not_a_date", "is not a date of the calendar")


# Periods repeat on every row of a file; the cache is bounded so that a file full of distinct
# bad cells cannot grow it.
@lru_cache(maxsize=4096)
def _normalise(text: str) -> Period:
    if _YEAR.fullmatch(text):
        return Period(text)
    if match := _QUARTER_AFTER.fullmatch(text):
        return Period(f"{match[1]}-Q{match[2]}")
    if match := _QUARTER_BEFORE.fullmatch(text):
        return Period(f"{match[2]}-Q{match[1]}")
    if match := _SEMESTER.fullmatch(text):
        return Period(f"{match[1]}-S{match[2]}")
    if match := _YEAR_HYPHEN_TWO.fullmatch(text):
        year, second = int(match[1]), int(match[2])
        if 1 <= second <= 12:
            warning = None
            if second == (year + 1) % 100:
                warning = message(
                    "month_or_fiscal_year",
                    "read as the month {year}-{second} (ISO 8601); if a fiscal year is meant, "
                    "write it with a slash: {year}/{second}",
                    year=match[1],
                    second=match[2],
                )
            return Period(text, warning=warning)
        if second == (year + 1) % 100:
            return Period(f"{match[1]}-A1")
        return Period(None, _NOT_A_PERIOD)
    if match := _FISCAL.fullmatch(text):
        start = int(match[1] or match[3])
        end_text = match[2] or match[4]
        end = int(end_text)
        expected = start + 1 if len(end_text) == 4 else (start + 1) % 100
        if end != expected:
            return Period(None, _NOT_FISCAL)
        return Period(f"{start:04d}-A1")
    if match := _MONTH_NAME.fullmatch(text):
        month = _MONTHS.get(match[1].lower())
        if month is not None:
            return Period(f"{match[2]}-{month:02d}")
        return Period(None, _NOT_A_PERIOD)
    if _DAY.fullmatch(text):
        try:
            date.fromisoformat(text)
        except ValueError:
            return Period(None, _NOT_A_DATE)
        return Period(text)
    return Period(None, _NOT_A_PERIOD)
