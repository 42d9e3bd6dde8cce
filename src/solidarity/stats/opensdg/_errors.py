"""The problems and exceptions of the Open SDG reader."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from .._messages import ReaderError, code_of, params_of, where

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong (``"error"``) or worth a look (``"warning"``) in a file.

    Errors block an import: the row they are on yields no observation. Warnings do not: the row's
    observation is yielded and the warning says what was assumed.

    Attributes
    ----------
    file : str
        The file's name, as the provider knows it.
    row : int or None
        The line of the file as a spreadsheet shows it (the header is row 1), or None when the
        problem concerns the whole file.
    column : str or None
        The column's name from the header, or None when the problem concerns the whole row.
    value : str or None
        The cell's text as written in the file, or None.
    reason : str
        What is wrong, in words a data provider understands (a
        :class:`~solidarity.stats._messages.Message`: its ``code`` and ``params`` let a
        caller translate it).
    severity : {"error", "warning"}

    Examples
    --------
    >>> print(Problem("a.csv", 3, "Value", "x", "is not a number", "error"))
    a.csv, row 3, column Value ('x'): is not a number [error]
    """

    file: str
    row: int | None
    column: str | None
    value: str | None
    reason: str
    severity: Severity

    def __str__(self) -> str:
        place = where(self.file, self.row, self.column, self.value)
        return f"{place}: {self.reason} [{self.severity}]"

    @property
    def code(self) -> str:
        """The reason's stable code, ``""`` when it has none."""
        return code_of(self.reason)

    @property
    def params(self) -> Mapping[str, Any]:
        return params_of(self.reason)


class OpenSdgError(ReaderError):
    """A file that cannot be read as an Open SDG indicator file at all.

    Row-level trouble (a bad number, a bad year, a duplicate) is reported as a `Problem` and
    reading goes on; an exception means reading could not start or could not go on. Every
    exception names the file, and the row and column when they are known, both in its message and
    in its attributes.

    The hierarchy::

        OpenSdgError
        ├── EncodingError        the bytes are not UTF-8
        ├── CsvSyntaxError       the text is not valid CSV (unterminated quote, NUL byte)
        └── HeaderError          the header cannot be used
            ├── EmptyFileError       nothing but blank lines
            ├── MissingColumnError   no Year or no Value column
            └── DuplicateColumnError two columns with the same name (or a column with none)

    Attributes
    ----------
    file : str
    row : int or None
    column : str or None
    reason : str
        The message without the place.
    code, params
        The reason's stable code and what it was filled with (see `ReaderError`).

    Examples
    --------
    >>> error = MissingColumnError("the header has no Value column", file="a.csv", row=1)
    >>> str(error)
    'a.csv, row 1: the header has no Value column'
    >>> isinstance(error, OpenSdgError), error.row
    (True, 1)
    """


class EncodingError(OpenSdgError):
    """The file is not UTF-8 (with or without a byte-order mark); the reader never guesses."""


class CsvSyntaxError(OpenSdgError):
    """The text cannot be split into cells: an unterminated quote, a NUL byte."""


class HeaderError(OpenSdgError):
    """The header row cannot be used."""


class EmptyFileError(HeaderError):
    """The file holds nothing but blank lines, so there is no header."""


class MissingColumnError(HeaderError):
    """A column every Open SDG file must have (``Year``, ``Value``) is absent."""


class DuplicateColumnError(HeaderError):
    """Two columns share a name (or a column has none), so cells cannot be told apart."""
