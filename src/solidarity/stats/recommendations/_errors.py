"""The exceptions of the recommendations library."""

from __future__ import annotations


class RecommendationsError(Exception):
    """A file or a model that cannot be used; the message names the file, row and column.

    Every exception of this package derives from it. The hierarchy::

        RecommendationsError
        ├── FileFormatError   a recommendations or decisions file that cannot be read
        └── ModelError        a trained model file that is missing, damaged or of another version

    Attributes
    ----------
    file : str
    row : int or None
        The row as a spreadsheet shows it (the header is row 1), or None for the whole file.
    column : str or None
    reason : str
        The message without the place.

    Examples
    --------
    >>> error = FileFormatError("is empty", file="upr.csv", row=7, column="Text")
    >>> str(error)
    'upr.csv, row 7, column Text: is empty'
    """

    def __init__(
        self, reason: str, *, file: str, row: int | None = None, column: str | None = None
    ) -> None:
        self.reason = reason
        self.file = file
        self.row = row
        self.column = column
        place = file
        if row is not None:
            place += f", row {row}"
        if column is not None:
            place += f", column {column}"
        super().__init__(f"{place}: {reason}")


class FileFormatError(RecommendationsError):
    """A recommendations or decisions file that cannot be read: encoding, CSV, header or a cell."""


class ModelError(RecommendationsError):
    """A trained model file that is missing, damaged, or written by another format version."""
