"""Messages the readers give people, and the one exception class their file errors share.

The readers (:mod:`~solidarity.stats.opensdg`, :mod:`~solidarity.stats.undesa`,
:mod:`~solidarity.stats.sdmx`) cannot import Django, so they cannot translate what they say.
Each message is a `Message`: the English text, as before (it *is* a ``str``, so everything that
compares, prints or stores it keeps working), plus a stable ``code`` and the ``params`` the text
was filled with. A translating layer (the web apps) looks the code up in its own catalogue of
templates and fills it with the params, falling back to the English text for a code it does not
know.

`ReaderError` is the base of the readers' file errors: the file, the row and the column where
reading stopped, in the message and in attributes, and the message's code and params.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class Message(str):
    """English text with a stable ``code`` and the ``params`` it was filled with.

    Examples
    --------
    >>> reason = message("not_a_number", "is not a number")
    >>> reason == "is not a number", reason.code
    (True, 'not_a_number')
    >>> late = message("bad_row", "the row has {cells} cells", cells=3)
    >>> str(late), dict(late.params)
    ('the row has 3 cells', {'cells': 3})
    """

    code: str
    params: Mapping[str, Any]

    def __new__(cls, text: str, code: str = "", params: Mapping[str, Any] | None = None) -> Message:
        made = super().__new__(cls, text)
        made.code = code
        made.params = dict(params or {})
        return made

    def __reduce__(self) -> tuple[Any, ...]:  # keep code and params through pickling
        return (Message, (str(self), self.code, dict(self.params)))


def message(code: str, template: str, /, **params: Any) -> Message:
    """``template`` (``str.format`` fields) filled with ``params``, carrying both."""
    return Message(template.format(**params) if params else template, code, params)


def code_of(text: str | None) -> str:
    """The code of a message, ``""`` for plain text."""
    return getattr(text, "code", "")


def params_of(text: str | None) -> Mapping[str, Any]:
    """The params of a message, empty for plain text."""
    return getattr(text, "params", {})


class ReaderError(Exception):
    """A file that a reader cannot read, or cannot go on reading.

    Attributes
    ----------
    reason : str
        The message without the place (a `Message` when the reader coded it).
    file : str
    row : int or None
    column : str or None
    code : str
        The reason's stable code (``""`` when it has none).
    params : mapping
        What the reason was filled with.
    """

    def __init__(
        self, reason: str, *, file: str, row: int | None = None, column: str | None = None
    ) -> None:
        self.reason = reason
        self.file = file
        self.row = row
        self.column = column
        super().__init__(f"{self.place()}: {reason}")

    def place(self) -> str:
        """Where reading stopped, as the message starts: ``a.csv, row 3, column Value``."""
        return where(self.file, self.row, self.column)

    @property
    def code(self) -> str:
        return code_of(self.reason)

    @property
    def params(self) -> Mapping[str, Any]:
        return params_of(self.reason)


def where(file: str, row: int | None, column: str | None, value: str | None = None) -> str:
    """A place in a file as people read it.

    >>> where("a.csv", 3, "Value", "x")
    "a.csv, row 3, column Value ('x')"
    """
    place = file
    if row is not None:
        place += f", row {row}"
    if column is not None:
        place += f", column {column}"
    if value is not None:
        place += f" ({value!r})"
    return place
