"""The exceptions of the privacy engine.

Every error names the file it comes from and, when known, the key, row, column or value, both in
its message and in its attributes, so that the command line can print it as is and a web page can
point at the field.

The hierarchy::

    PrivacyError
    ├── SpecError        the table specification (YAML) is not valid
    ├── MicrodataError   the microdata cannot be read or do not fit the specification
    └── OutputError      a published directory cannot be read back

Examples
--------
>>> error = MicrodataError("is not a number", file="people.csv", row=12, column="age",
...                        value="abc")
>>> str(error)
"people.csv, row 12, column 'age' ('abc'): is not a number"
>>> str(SpecError("must be a list", file="spec.yaml", key="tables"))
'spec.yaml, key tables: must be a list'
"""

from __future__ import annotations


def _where(file: str, key: str | None, row: int | None, column: str | None, value: object) -> str:
    place = file
    if key is not None:
        place += f", key {key}"
    if row is not None:
        place += f", row {row}"
    if column is not None:
        place += f", column {column!r}"
    if value is not None:
        place += f" ({value!r})"
    return place


class PrivacyError(Exception):
    """Something the privacy engine refuses to work with; nothing has been written.

    Attributes
    ----------
    reason : str
        The message without the place.
    file : str
    key : str or None
        The dotted path of the YAML key (``dimensions.AGE.bins``).
    row : int or None
        The record's row: the line of a CSV file (the header is line 1), or the 1-based row of
        a Parquet file.
    column : str or None
    value : object
    """

    def __init__(
        self,
        reason: str,
        *,
        file: str,
        key: str | None = None,
        row: int | None = None,
        column: str | None = None,
        value: object = None,
    ) -> None:
        self.reason = reason
        self.file = file
        self.key = key
        self.row = row
        self.column = column
        self.value = value
        super().__init__(f"{_where(file, key, row, column, value)}: {reason}")


class SpecError(PrivacyError):
    """The table specification is not valid YAML or breaks one of its rules."""


class MicrodataError(PrivacyError):
    """The microdata file is missing, empty, not UTF-8, lacks a column, or holds a value the
    specification cannot code."""


class OutputError(PrivacyError):
    """A directory of published tables is incomplete or not as the engine writes it."""
