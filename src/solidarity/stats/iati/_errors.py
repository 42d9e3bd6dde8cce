"""The exceptions of the IATI layer and the problems its checks report."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One way a file breaks the IATI schema or one of Solidarity's rules.

    Attributes
    ----------
    file : str
        The file's name.
    line : int or None
        The line of the offending element.
    element : str
        The element (``transaction/value``) or attribute (``iati-activities/@version``).
    rule : str
        Which rule: ``schema`` for the official XSD, else the name of Solidarity's own rule.
    message : str
        What is wrong.

    Examples
    --------
    >>> print(Problem("a.xml", 3, "iati-activities/@version", "required", "is missing"))
    a.xml, line 3, iati-activities/@version [required]: is missing
    """

    file: str
    line: int | None
    element: str
    rule: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}, line {self.line}"
        return f"{where}, {self.element} [{self.rule}]: {self.message}"


class IatiError(Exception):
    """A file that cannot be read as IATI at all (not XML, not an activity file).

    Every exception of `solidarity.stats.iati` derives from it; lxml's own errors are translated,
    the original kept as ``__cause__``. Problems inside a readable file are reported as
    :class:`Problem` values instead, all of them, not raised one at a time.

    Examples
    --------
    >>> str(IatiError("a.xml, line 1: not well-formed"))
    'a.xml, line 1: not well-formed'
    """


class IatiSyntaxError(IatiError):
    """The bytes are not well-formed XML."""
