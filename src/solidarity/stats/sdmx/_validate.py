"""Validation of SDMX-ML messages against the official XML schemas."""

from __future__ import annotations

import os
import tempfile
from functools import lru_cache
from pathlib import Path

from lxml import etree  # type: ignore[import-untyped]  # no lxml-stubs pinned here
from pysdmx.model import DataStructureDefinition

from ._errors import Problem, SdmxFormatError, SdmxStructureError, SdmxSyntaxError
from ._ml_stream import structure_namespace, structure_specific_schema
from ._model import ALL_DIMENSIONS, observation_dimension
from ._read import MESSAGE_NAMESPACES, Source, read_bytes, sdmx_ml_version

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


def _structure_specific_schema(
    message_schema: Path, structure: DataStructureDefinition, version: str, at_observation: str
) -> etree.XMLSchema:
    # The official message schema plus the schema derived from the structure, joined by a
    # schema that imports both; the derived one imports the official schemas from the same
    # files, so that each namespace is read once.
    official = message_schema.parent
    message_namespace = next(ns for ns, v in MESSAGE_NAMESPACES.items() if v == version)
    with tempfile.TemporaryDirectory(prefix="sdmx-schema-") as folder:
        derived = Path(folder) / "structure.xsd"
        derived.write_bytes(
            structure_specific_schema(
                structure,
                version=version,  # type: ignore[arg-type]  # "2.1" or "3.0", from the namespace
                schema_location=official.as_uri(),
                dimension_at_observation=at_observation,
            )
        )
        both = Path(folder) / "message.xsd"
        imports = {
            message_namespace: message_schema,
            structure_namespace(structure, at_observation): derived,
        }
        both.write_text(
            '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">'
            + "".join(
                f'<xs:import namespace="{namespace}" schemaLocation="{path.as_uri()}"/>'
                for namespace, path in imports.items()
            )
            + "</xs:schema>",
            encoding="utf-8",
        )
        return etree.XMLSchema(etree.parse(str(both)))


def validate_sdmx_ml(
    source: Source,
    *,
    schema_dir: str | os.PathLike[str],
    structure: DataStructureDefinition | None = None,
) -> list[Problem]:
    """Validate an SDMX-ML 2.1 or 3.0 message against the official XML schemas.

    The version is chosen from the namespace of the message's root element, and the schema
    ``schemas-<version>/SDMXMessage.xsd`` of ``schema_dir`` is compiled once (lxml) and kept.

    Structure-specific data messages declare their data set's type (``xsi:type``) in a schema
    derived from their data structure, which the official schemas do not contain: given the
    ``structure``, that schema is built (`structure_specific_schema`, for the observation
    dimension the message's header declares: flat, time series or cross-sections) and the
    message validates fully, codes against their codelists
    included; without it such a message reports that the type does not resolve. Generic data
    and structure messages validate fully against the official schemas alone.

    Parameters
    ----------
    source : bytes or path
    schema_dir : path
        The folder holding ``schemas-2.1/`` and ``schemas-3.0/`` (see
        `schema_dir_from_environment`).
    structure : pysdmx.model.DataStructureDefinition, optional
        The structure of a structure-specific data message; ignored for other messages.

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
    try:
        document = etree.fromstring(content, parser=etree.XMLParser(resolve_entities=False))
    except etree.XMLSyntaxError as error:  # pragma: no cover - sdmx_ml_version parsed it
        raise SdmxSyntaxError(str(error)) from error
    if structure is not None and etree.QName(document).localname == "StructureSpecificData":
        used = document.find("{*}Header/{*}Structure")
        at_observation = ALL_DIMENSIONS if used is None else used.get("dimensionAtObservation")
        try:
            at_observation = observation_dimension(structure, at_observation or ALL_DIMENSIONS)
        except SdmxStructureError as error:
            return [Problem(None if used is None else used.sourceline, str(error))]
        schema = _structure_specific_schema(
            schema_path.resolve(), structure, version, at_observation
        )
    else:
        schema = _message_schema(schema_path.resolve())
    if schema.validate(document):
        return []
    return [Problem(error.line, error.message) for error in schema.error_log]
