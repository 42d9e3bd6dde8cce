"""The exceptions of the SDMX exchange layer, and the problems its validators report."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One way a message breaks its schema, as a validator reports it.

    Attributes
    ----------
    line : int or None
        The line of the message the problem is on, when the validator knows it (XML).
    message : str
        What is wrong, as the schema validator words it.
    path : str or None
        Where in a JSON message the problem is, as a JSON path (``$.data.dataSets[0]``).

    Examples
    --------
    >>> print(Problem(12, "Element 'Obs': attribute 'SEX' is required"))
    line 12: Element 'Obs': attribute 'SEX' is required
    >>> print(Problem(None, "'id' is a required property", path="$.meta"))
    $.meta: 'id' is a required property
    """

    line: int | None
    message: str
    path: str | None = None

    def __str__(self) -> str:
        if self.path is not None:
            return f"{self.path}: {self.message}"
        if self.line is None:
            return self.message
        return f"line {self.line}: {self.message}"


class SdmxError(Exception):
    """A message that cannot be read or written as SDMX.

    Every exception of `solidarity.stats.sdmx` derives from this one, so that a caller can catch
    them all, and none of them is an exception of the underlying libraries (pysdmx, sdmx1,
    lxml): those are translated, with the original kept as ``__cause__``.

    The hierarchy::

        SdmxError
        ├── SdmxSyntaxError      not well-formed: truncated XML, broken JSON, bad CSV
        ├── SdmxFormatError      well-formed, but not the SDMX format expected (wrong namespace,
        │                        a semicolon-separated or BOM-prefixed SDMX-CSV file)
        └── SdmxStructureError   the message does not fit its data structure (unknown
                                 dimension, missing column, a code outside its codelist)

    Examples
    --------
    >>> error = SdmxStructureError("the header names an unknown dimension 'GENDER'")
    >>> isinstance(error, SdmxError), str(error)
    (True, "the header names an unknown dimension 'GENDER'")
    """


class SdmxSyntaxError(SdmxError):
    """The bytes are not well-formed XML, JSON or CSV (a truncated file, a stray quote)."""


class SdmxFormatError(SdmxError):
    """The message is well-formed but not in the SDMX format and version expected."""


class SdmxStructureError(SdmxError):
    """The message does not fit its data structure definition."""
