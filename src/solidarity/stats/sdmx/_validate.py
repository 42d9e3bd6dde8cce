"""Validation of SDMX-ML messages against the official XML schemas."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from lxml import etree  # type: ignore[import-untyped]  # no lxml-stubs pinned here

from ._errors import Problem, SdmxFormatError, SdmxSyntaxError
from ._read import Source, read_bytes, sdmx_ml_version

SCHEMA_DIR_VARIABLE = "SOLIDARITY_SDMX_SCHEMA_DIR"


def schema_dir_from_environment() -> Path:
    """The folder of the official SDMX schemas, from ``SOLIDARITY_SDMX_SCHEMA_DIR``.

    The folder holds ``schemas-2.1/`` and ``schemas-3.0/`` (the SDMX Technical Working Group's
    SDMX-ML schemas) and ``json/``; the project does not ship them.

    Raises
    ------
    SdmxFormatError
        The variable is not set.

    Examples
    --------
    >>> import os
    >>> os.environ[SCHEMA_DIR_VARIABLE] = "/srv/sdmx"
    >>> schema_dir_from_environment()
    PosixPath('/srv/sdmx')
    >>> del os.environ[SCHEMA_DIR_VARIABLE]
    """
    value = os.environ.get(SCHEMA_DIR_VARIABLE)
    if not value:
        raise SdmxFormatError(
            f"set {SCHEMA_DIR_VARIABLE} to the folder that holds the official SDMX schemas "
            "(schemas-2.1/, schemas-3.0/, json/)"
        )
    return Path(value)


@lru_cache(maxsize=4)
def _message_schema(path: Path) -> etree.XMLSchema:
    # Compiling the SDMX message schema takes a while (it includes some fifty files), and the
    # compiled schema is immutable, so it is compiled once per folder and version.
    return etree.XMLSchema(etree.parse(str(path)))


def validate_sdmx_ml(source: Source, *, schema_dir: str | os.PathLike[str]) -> list[Problem]:
    """Validate an SDMX-ML 2.1 or 3.0 message against the official XML schemas.

    The version is chosen from the namespace of the message's root element, and the schema
    ``schemas-<version>/SDMXMessage.xsd`` of ``schema_dir`` is compiled once (lxml) and kept.

    Structure-specific data messages declare their data set's type (``xsi:type``) in a schema
    derived from their data structure, which the official schemas do not contain: against the
    official schemas alone such a message reports that the type does not resolve. Generic data
    and structure messages validate fully.

    Parameters
    ----------
    source : bytes or path
    schema_dir : path
        The folder holding ``schemas-2.1/`` and ``schemas-3.0/`` (see
        `schema_dir_from_environment`).

    Returns
    -------
    list of Problem
        Empty when the message is valid.

    Raises
    ------
    SdmxSyntaxError
        The message is not well-formed XML.
    SdmxFormatError
        The root element is not an SDMX-ML 2.1 or 3.0 message.

    Examples
    --------
    >>> import os
    >>> from solidarity.stats.sdmx import codelist, data_structure, write_sdmx_structure
    >>> dsd = data_structure(agency="A", id="D", name="D",
    ...     dimensions={"SEX": codelist("CL_SEX", {"F": "Female"}, agency="SDMX")})
    >>> message = write_sdmx_structure(dsd, version="3.0").encode()
    >>> schema_dir = os.environ.get(SCHEMA_DIR_VARIABLE, "../shared/data/sdmx")
    >>> validate_sdmx_ml(message, schema_dir=schema_dir) if os.path.isdir(schema_dir) else []
    []
    """
    content = read_bytes(source)
    version = sdmx_ml_version(content)
    schema_path = Path(schema_dir) / f"schemas-{version}" / "SDMXMessage.xsd"
    if not schema_path.is_file():
        raise SdmxFormatError(f"{schema_path} does not exist: is {schema_dir} the schema folder?")
    schema = _message_schema(schema_path.resolve())
    try:
        document = etree.fromstring(content, parser=etree.XMLParser(resolve_entities=False))
    except etree.XMLSyntaxError as error:  # pragma: no cover - sdmx_ml_version parsed it
        raise SdmxSyntaxError(str(error)) from error
    if schema.validate(document):
        return []
    return [Problem(error.line, error.message) for error in schema.error_log]
