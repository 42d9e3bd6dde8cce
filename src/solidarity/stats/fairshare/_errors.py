"""The fair-share library's exceptions: one base class, and messages that name the file, the row
and the field at fault."""

from __future__ import annotations


class FairShareError(ValueError):
    """Base class of every error this library raises."""


class KeyDeclarationError(FairShareError):
    """A key declaration that cannot be used: unknown field, negative weight, no terms…

    ``source`` names the file (or ``"<key>"`` for a mapping) and ``field`` the offending field.
    """

    def __init__(self, message: str, *, source: str = "<key>", field: str = "") -> None:
        self.source = source
        self.field = field
        where = f"{source}, field {field}" if field else source
        super().__init__(f"{where}: {message}")


class FiguresError(FairShareError):
    """A figures file that cannot be read: ``file``, ``row`` (1 = the header) and ``field``."""

    def __init__(self, message: str, *, file: str, row: int | None = None, field: str = "") -> None:
        self.file = file
        self.row = row
        self.field = field
        where = file
        if row is not None:
            where += f", row {row}"
        if field:
            where += f", field {field}"
        super().__init__(f"{where}: {message}")


class NoUsableStates(FairShareError):  # noqa: N818 (a state of the data, not a failure class)
    """No State of the group has every figure the key needs, so no share can be computed."""
