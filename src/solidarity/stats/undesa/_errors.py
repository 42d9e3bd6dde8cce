"""The exceptions of the UN DESA International Migrant Stock reader."""

from __future__ import annotations

from .._messages import ReaderError


def _where(
    file: str, sheet: str | None, row: int | None, column: str | None, value: object = None
) -> str:
    place = file
    if sheet is not None:
        place += f", sheet {sheet!r}"
    if row is not None and column is not None:
        place += f", cell {column}{row}"
    elif row is not None:
        place += f", row {row}"
    elif column is not None:
        place += f", column {column}"
    if value is not None:
        place += f" ({value!r})"
    return place


class UndesaError(ReaderError):
    """A workbook that cannot be read as the UN DESA International Migrant Stock 2020 workbook.

    The reader checks the layout it relies on (sheets, title rows, column headings) before it
    yields anything, and every cell it reads afterwards; an exception names the file, the sheet,
    and the row and column (spreadsheet letter) when they are known, both in its message and in
    its attributes, as the Open SDG reader's exceptions do.

    The hierarchy::

        UndesaError
        ├── WorkbookError      the file is not an .xlsx workbook at all
        ├── MissingSheetError  a table (or the Notes sheet) is absent
        ├── LayoutError        a heading is not where or what it should be
        └── CellError          a data cell cannot be read (a value that is neither a number
                               nor one of the workbook's symbols, a location code that is not
                               a whole number, a region listed twice with different figures)

    Attributes
    ----------
    file : str
    sheet : str or None
    row : int or None
        The row as the spreadsheet shows it (1-based).
    column : str or None
        The column's letter (``F``).
    value : object
        The cell's content, or None.
    reason : str
        The message without the place.

    Examples
    --------
    >>> error = CellError("is not a number", file="ims.xlsx", sheet="Table 1", row=12,
    ...                   column="F", value="abc")
    >>> str(error)
    "ims.xlsx, sheet 'Table 1', cell F12 ('abc'): is not a number"
    >>> isinstance(error, UndesaError), error.row, error.column
    (True, 12, 'F')
    """

    def __init__(
        self,
        reason: str,
        *,
        file: str,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        value: object = None,
    ) -> None:
        self.sheet = sheet
        self.value = value
        super().__init__(reason, file=file, row=row, column=column)

    def place(self) -> str:
        return _where(self.file, self.sheet, self.row, self.column, self.value)


class WorkbookError(UndesaError):
    """The file cannot be opened as an Excel .xlsx workbook."""


class MissingSheetError(UndesaError):
    """A sheet the reader needs (``Table 1`` … ``Table 6``, ``Notes``) is not in the workbook."""


class LayoutError(UndesaError):
    """A title or heading is not the expected one: rows were inserted, columns moved, or the
    workbook is another revision or another publication."""


class CellError(UndesaError):
    """A cell in the data area cannot be read."""
