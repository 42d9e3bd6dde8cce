"""Numbers, status symbols and status words as providers write them, read into SDMX terms."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import NamedTuple

from .._messages import message

#: Symbols and words written in place of a number, read as (OBS_STATUS, CONF_STATUS).
#: OBS_STATUS and CONF_STATUS are the SDMX cross-domain code lists CL_OBS_STATUS and
#: CL_CONF_STATUS. Matching ignores case and surrounding spaces.
VALUE_SYMBOLS: dict[str, tuple[str, str | None]] = {
    # Blank: nothing reported. "O" is CL_OBS_STATUS's plain "Missing value".
    "": ("O", None),
    # ":" (Eurostat) and ".." (UN, OECD, World Bank): not available.
    ":": ("O", None),
    "..": ("O", None),
    "...": ("O", None),
    # Not applicable: the value cannot exist ("M"). A dash sometimes means nil; write 0 then.
    "n/a": ("M", None),
    "na": ("M", None),
    "-": ("M", None),
    # Suppressed: "Q" is "Missing value; suppressed". "x" (Statistics Canada) and "c" (UK ONS)
    # are suppressed for confidentiality, so CONF_STATUS "C" (confidential) as well: cells a
    # provider marks confidential must never be published.
    "suppressed": ("Q", None),
    "x": ("Q", "C"),
    "c": ("Q", "C"),
    "confidential": ("Q", "C"),
}

#: Words of the ``Observation status`` column and the CL_OBS_STATUS code each means. The codes
#: themselves (``A``, ``P``…) are accepted too. Matching ignores case and surrounding spaces.
OBS_STATUS_WORDS: dict[str, str] = {
    "normal value": "A",
    "normal": "A",
    "time series break": "B",
    "break": "B",
    "definition differs": "D",
    "estimated value": "E",
    "estimated": "E",
    "estimate": "E",
    "forecast value": "F",
    "forecast": "F",
    "experimental value": "G",
    "experimental": "G",
    "imputed value": "I",
    "imputed": "I",
    "missing value; data exist but were not collected": "L",
    "missing value; data cannot exist": "M",
    "not applicable": "M",
    "not significant": "N",
    "missing value": "O",
    "missing": "O",
    "provisional value": "P",
    "provisional": "P",
    "missing value; suppressed": "Q",
    "suppressed": "Q",
    "low reliability": "U",
    "unvalidated value": "V",
    "unvalidated": "V",
}
_OBS_STATUS_CODES = frozenset(OBS_STATUS_WORDS.values())
#: The OBS_STATUS codes that say there is no value.
MISSING_CODES = frozenset({"L", "M", "O", "Q"})

#: Words of the ``Unit multiplier`` column and the SDMX UNIT_MULT exponent (a power of ten) each
#: means. Digits are accepted as they are.
UNIT_MULTIPLIER_WORDS: dict[str, int] = {
    "units": 0,
    "unit": 0,
    "ones": 0,
    "tens": 1,
    "hundreds": 2,
    "thousands": 3,
    "tens of thousands": 4,
    "hundreds of thousands": 5,
    "millions": 6,
    "billions": 9,
    "trillions": 12,
}

_POINT = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_COMMA_DECIMAL = re.compile(r"[+-]?\d+,\d+")
_COMMA_THOUSANDS_POINT_DECIMAL = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_POINT_THOUSANDS_COMMA_DECIMAL = re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+,\d+")
_DIGITS_AND_MARKS = re.compile(r"[+-]?[\d.,]*\d[\d.,]*")


class Value(NamedTuple):
    """The outcome of reading one ``Value`` cell."""

    number: Decimal | None
    obs_status: str | None = None
    conf_status: str | None = None
    error: str | None = None
    warning: str | None = None


def parse_value(text: str, *, decimal_comma: bool) -> Value:
    """Read a ``Value`` cell: a number, a status symbol, or an error.

    A number is written with a ``.`` decimal point (``3.8``, ``-2``, ``1.5e3``). A ``,`` decimal
    comma (``3,8``) is accepted only when ``decimal_comma`` is true, which the reader sets for
    semicolon-separated files, the only layout where it cannot be confused with a separator.
    Thousands separators are accepted only where no other reading exists, that is when both
    marks appear (``1,234.5``; ``1.234,5`` in a semicolon file), with a warning; ``1,234`` is
    rejected, as it may be 1234 or 1.234.

    The symbols of `VALUE_SYMBOLS` (blank, ``:``, ``..``, ``x``, ``c``, ``suppressed``,
    ``confidential``, ``n/a``, ``-``) give no number, an SDMX OBS_STATUS (and CONF_STATUS ``C``
    for confidential cells) and a warning. Anything else is an error.

    Parameters
    ----------
    text : str
        The cell, already stripped of surrounding spaces.
    decimal_comma : bool
        Whether ``,`` may be a decimal comma.

    Returns
    -------
    Value

    Examples
    --------
    >>> parse_value("17.0", decimal_comma=False).number
    Decimal('17.0')
    >>> parse_value("3,8", decimal_comma=True).number
    Decimal('3.8')
    >>> parse_value("x", decimal_comma=False)[:3]
    (None, 'Q', 'C')
    >>> parse_value("=SUM(A1:A3)", decimal_comma=False).error
    'is a spreadsheet formula, not a number: export the computed values'
    """
    if _POINT.fullmatch(text):
        return Value(Decimal(text))
    symbol = VALUE_SYMBOLS.get(text.lower())
    if symbol is not None:
        return Value(None, symbol[0], symbol[1], warning=_NO_VALUE if text == "" else _SYMBOL)
    if decimal_comma and _COMMA_DECIMAL.fullmatch(text):
        return Value(Decimal(text.replace(",", ".")))
    if "." in text and _COMMA_THOUSANDS_POINT_DECIMAL.fullmatch(text):
        return Value(Decimal(text.replace(",", "")), warning=_THOUSANDS)
    if decimal_comma and _POINT_THOUSANDS_COMMA_DECIMAL.fullmatch(text):
        return Value(
            Decimal(text.replace(".", "").replace(",", ".")),
            warning=_THOUSANDS,
        )
    if text.startswith("="):
        return Value(None, error=_FORMULA)
    if "," in text and _DIGITS_AND_MARKS.fullmatch(text):
        return Value(None, error=_AMBIGUOUS)
    return Value(None, error=_NOT_A_NUMBER)


_NO_VALUE = message("no_value", "no value given")
_SYMBOL = message("status_symbol", "no value: the cell holds a status symbol")
_THOUSANDS = message("thousands_separators", "thousands separators ignored")
_FORMULA = message("formula", "is a spreadsheet formula, not a number: export the computed values")
_AMBIGUOUS = message(
    "ambiguous_number",
    "is ambiguous: ',' may separate thousands or decimals; write the number without thousands "
    "separators and with a '.' decimal point",
)
_NOT_A_NUMBER = message("not_a_number", "is not a number")


def parse_obs_status(text: str) -> tuple[str | None, bool]:
    """Map an ``Observation status`` cell to its SDMX OBS_STATUS code.

    Returns the code and whether it was recognised; an unknown word comes back as written, with
    False, so that the reader can warn and keep it.

    Examples
    --------
    >>> parse_obs_status("Missing value; suppressed")
    ('Q', True)
    >>> parse_obs_status("Revised")
    ('Revised', False)
    """
    if text == "":
        return None, True
    code = OBS_STATUS_WORDS.get(text.lower())
    if code is not None:
        return code, True
    if text.upper() in _OBS_STATUS_CODES:
        return text.upper(), True
    return text, False


def parse_unit_multiplier(text: str) -> int | None:
    """Map a ``Unit multiplier`` cell to the SDMX UNIT_MULT exponent, or None if unknown.

    Examples
    --------
    >>> [parse_unit_multiplier(text) for text in ("Units", "Thousands", "6", "Lots")]
    [0, 3, 6, None]
    """
    if text.isdigit() and len(text) <= 2:
        return int(text)
    return UNIT_MULTIPLIER_WORDS.get(text.lower())
