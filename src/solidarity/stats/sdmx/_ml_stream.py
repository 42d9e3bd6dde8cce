"""SDMX-ML data messages written one observation at a time, and their structure-specific schemas.

Written with lxml's incremental `xmlfile` rather than by pysdmx, whose writer (1.21) builds the
whole message from a pandas data frame (memory grows with the data), turns decimals into floats
(``17.0`` becomes ``17``) and quotes values with ``repr`` (a quote, an apostrophe or a backslash
breaks the message). lxml escapes every value as XML requires, and each ``Obs`` element is
written and dropped before the next is built, so memory stays flat. Messages are flat
(``dimensionAtObservation="AllDimensions"``, as pysdmx writes them) or grouped into series with
one dimension at the observation level (``TIME_PERIOD`` for time series, or any other for
cross-sections), one ``Series`` element held at a time; pysdmx and sdmx1 read both back in the
tests.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, Protocol

from lxml import etree  # type: ignore[import-untyped]  # no lxml-stubs pinned here
from pysdmx.model import Codelist, Component, DataStructureDefinition, DataType

from ._csv import decimal_text
from ._errors import SdmxError
from ._model import (
    ALL_DIMENSIONS,
    OBS_VALUE,
    TIME_PERIOD,
    Dataset,
    Observation,
    attribute_ids,
    dimension_ids,
    measure_id,
    observation_dimension,
    series_dimensions,
    series_runs,
)

MlDataFormat = Literal["2.1-structure-specific", "2.1-generic", "3.0-structure-specific"]
MlVersion = Literal["2.1", "3.0"]

_SDMX = "http://www.sdmx.org/resources/sdmxml/schemas/v{v}/"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_XS = "http://www.w3.org/2001/XMLSchema"
_URN = "urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure={agency}:{id}({version})"


class SupportsWriteBytes(Protocol):
    """Anything with ``write(bytes)``: a file opened in binary mode, `io.BytesIO`, a socket."""

    def write(self, data: bytes, /) -> object: ...


def _namespaces(version: str) -> dict[str, str]:
    base = _SDMX.format(v=version.replace(".", "_"))
    return {
        "mes": base + "message",
        "com": base + "common",
        "gen": base + "data/generic",
        "ss": base + "data/structurespecific",
    }


def structure_namespace(
    structure: DataStructureDefinition, at_observation: str = ALL_DIMENSIONS
) -> str:
    """The namespace of a structure's structure-specific data with ``at_observation`` at the
    observation level (every dimension per ``Obs`` by default).

    Examples
    --------
    >>> from solidarity.stats.sdmx import data_structure
    >>> structure_namespace(data_structure(agency="A", id="D", name="D", dimensions={}))
    'urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure=A:D(1.0):ObsLevelDim:AllDimensions'
    """
    urn = _URN.format(agency=structure.agency, id=structure.id, version=structure.version)
    return f"{urn}:ObsLevelDim:{at_observation}"


def _structure_id(structure: DataStructureDefinition) -> str:
    # The header's structureID is an xs:ID (an NCName) that the data set points to.
    return re.sub(r"[^A-Za-z0-9_.-]", "_", structure.id)


def _header(
    structure: DataStructureDefinition,
    *,
    version: str,
    specific: bool,
    sender: str,
    message_id: str,
    prepared: datetime,
    at_observation: str,
) -> etree._Element:
    ns = _namespaces(version)
    mes, com = ns["mes"], ns["com"]
    header = etree.Element(f"{{{mes}}}Header", nsmap={"mes": mes, "com": com})
    etree.SubElement(header, f"{{{mes}}}ID").text = message_id
    etree.SubElement(header, f"{{{mes}}}Test").text = "false"
    etree.SubElement(header, f"{{{mes}}}Prepared").text = prepared.strftime("%Y-%m-%dT%H:%M:%SZ")
    etree.SubElement(header, f"{{{mes}}}Sender", id=sender)
    used = etree.SubElement(header, f"{{{mes}}}Structure", structureID=_structure_id(structure))
    if specific:
        used.set("namespace", structure_namespace(structure, at_observation))
    used.set("dimensionAtObservation", at_observation)
    reference = etree.SubElement(used, f"{{{com}}}Structure")
    if version == "3.0":
        reference.text = _URN.format(
            agency=structure.agency, id=structure.id, version=structure.version
        )
    else:
        etree.SubElement(
            reference,
            "Ref",
            agencyID=str(structure.agency),
            id=structure.id,
            version=structure.version,
            attrib={"class": "DataStructure"},
        )
    return header


def stream_sdmx_ml(
    dataset: Dataset,
    out: SupportsWriteBytes | str | Path,
    *,
    format: MlDataFormat,
    sender: str = "SOLIDARITY",
    message_id: str = "SOLIDARITY",
    prepared: datetime | None = None,
    dimension_at_observation: str = ALL_DIMENSIONS,
) -> int:
    """Write an SDMX-ML data message to a binary stream or a file, one observation (or one
    series) at a time.

    Memory stays flat whatever the number of observations. Values are written exactly as
    their decimals (``17.0`` stays ``17.0``), and any text that XML can hold, quotes,
    apostrophes, backslashes and line breaks included, is escaped as XML requires.

    Parameters
    ----------
    dataset : Dataset
    out : binary stream or path
    format : {"2.1-structure-specific", "2.1-generic", "3.0-structure-specific"}
    sender : str, default "SOLIDARITY"
        The id of the sending organisation, in the message header.
    message_id : str, default "SOLIDARITY"
    prepared : datetime, optional
        When the message was prepared (UTC); now by default.
    dimension_at_observation : str, default "AllDimensions"
        ``AllDimensions`` writes flat observations; ``TIME_PERIOD`` or another dimension
        groups them into series keyed by the other dimensions, that one at the observation
        level. The observations of a series must come one after the other (see
        `series_ordered`); a series that comes back is written again.

    Returns
    -------
    int
        The number of observations written.

    Raises
    ------
    SdmxError
        A value holds a character that XML 1.0 cannot carry (a control character such as
        ``\\x00``); nothing after the observation before it is written.
    SdmxStructureError
        ``dimension_at_observation`` is not a dimension of the structure.

    Examples
    --------
    >>> import io
    >>> from decimal import Decimal
    >>> from solidarity.stats.sdmx import Observation, codelist, data_structure
    >>> dsd = data_structure(agency="SOLIDARITY", id="DSD_DEATHS", name="Deaths",
    ...     dimensions={"SEX": codelist("CL_SEX", {"F": "Female"}, agency="SDMX")},
    ...     attributes={"COMMENT_OBS": None})
    >>> out = io.BytesIO()
    >>> stream_sdmx_ml(Dataset(dsd, [Observation((("SEX", "F"),), "2014", Decimal("17.0"),
    ...     (("COMMENT_OBS", 'the "other" one'),))]), out, format="3.0-structure-specific")
    1
    >>> print(out.getvalue().decode().splitlines()[-3].strip())
    <Obs SEX="F" TIME_PERIOD="2014" OBS_VALUE="17.0" COMMENT_OBS="the &quot;other&quot; one"/>
    """
    version = format[:3]
    generic = format == "2.1-generic"
    ns = _namespaces(version)
    structure = dataset.structure
    dimensions = (*dimension_ids(structure), TIME_PERIOD)
    attributes = attribute_ids(structure)
    measure = measure_id(structure)
    at_observation = observation_dimension(structure, dimension_at_observation)
    series = series_dimensions(structure, at_observation)
    header = _header(
        structure,
        version=version,
        specific=not generic,
        sender=sender,
        message_id=message_id,
        prepared=prepared or datetime.now(UTC),
        at_observation=at_observation,
    )
    count = 0
    target = str(out) if isinstance(out, (str, Path)) else out
    try:
        with etree.xmlfile(target, encoding="UTF-8") as document:
            document.write_declaration()
            if generic:
                root_name, nsmap = "GenericData", {k: ns[k] for k in ("mes", "gen", "com")}
                data_set_attributes = {
                    "structureRef": _structure_id(structure),
                    "action": "Information",
                }
            else:
                root_name = "StructureSpecificData"
                nsmap = {"xsi": _XSI, **{k: ns[k] for k in ("mes", "ss", "com")}}
                nsmap["dsd"] = structure_namespace(structure, at_observation)
                data_set_attributes = {
                    f"{{{ns['ss']}}}structureRef": _structure_id(structure),
                    f"{{{_XSI}}}type": "dsd:DataSetType",
                }
                if version == "2.1":
                    data_set_attributes[f"{{{ns['ss']}}}dataScope"] = "DataStructure"
                data_set_attributes[f"{{{ns['ss']}}}action"] = "Information"
            with document.element(f"{{{ns['mes']}}}{root_name}", nsmap=nsmap):
                document.write("\n")
                _write_tree(document, header)
                document.write("\n")
                with document.element(f"{{{ns['mes']}}}DataSet", data_set_attributes):
                    document.write("\n")
                    for key, run in series_runs(dataset.observations, series) if series else ():
                        count += len(run)
                        document.write(
                            _series(
                                run,
                                key=dict(zip(series, key, strict=True)),
                                at_observation=at_observation,
                                gen=ns["gen"] if generic else None,
                                measure=measure,
                                attributes=attributes,
                            )
                        )
                        document.write("\n")
                    for observation in () if series else dataset.observations:
                        count += 1
                        codes = dict(observation.key)
                        codes[TIME_PERIOD] = observation.time_period
                        values = dict(observation.attributes)
                        value = (
                            None if observation.value is None else decimal_text(observation.value)
                        )
                        if generic:
                            document.write(
                                _generic_obs(
                                    ns["gen"], codes, dimensions, value, values, attributes
                                )
                            )
                        else:
                            obs = etree.Element("Obs")
                            for dimension in dimensions:
                                obs.set(dimension, codes.get(dimension, ""))
                            if value is not None:
                                obs.set(measure, value)
                            for attribute in attributes:
                                if attribute in values:
                                    obs.set(attribute, values[attribute])
                            document.write(obs)
                        document.write("\n")
                document.write("\n")
    except ValueError as error:  # lxml refuses text that XML 1.0 cannot hold
        raise SdmxError(
            f"observation {count}: {error}; XML 1.0 cannot carry control characters: "
            "remove them from the value or export it as SDMX-CSV or SDMX-JSON"
        ) from error
    return count


def _series(
    run: list[Observation],
    *,
    key: dict[str, str],
    at_observation: str,
    gen: str | None,
    measure: str,
    attributes: tuple[str, ...],
) -> etree._Element:
    """One ``Series`` element, generic (``gen`` its namespace) or structure-specific."""
    q = (lambda name: f"{{{gen}}}{name}") if gen is not None else (lambda name: name)
    element = etree.Element(q("Series"), nsmap={"gen": gen} if gen is not None else None)
    if gen is not None:
        series_key = etree.SubElement(element, q("SeriesKey"))
        for dimension, code in key.items():
            etree.SubElement(series_key, q("Value"), id=dimension, value=code)
    else:
        for dimension, code in key.items():
            element.set(dimension, code)
    for observation in run:
        code = (
            observation.time_period
            if at_observation == TIME_PERIOD
            else dict(observation.key).get(at_observation, "")
        )
        value = None if observation.value is None else decimal_text(observation.value)
        values = dict(observation.attributes)
        obs = etree.SubElement(element, q("Obs"))
        if gen is not None:
            etree.SubElement(obs, q("ObsDimension"), value=code)
            if value is not None:
                etree.SubElement(obs, q("ObsValue"), value=value)
            present = [a for a in attributes if a in values]
            if present:
                attached = etree.SubElement(obs, q("Attributes"))
                for attribute in present:
                    etree.SubElement(attached, q("Value"), id=attribute, value=values[attribute])
        else:
            obs.set(at_observation, code)
            if value is not None:
                obs.set(measure, value)
            for attribute in attributes:
                if attribute in values:
                    obs.set(attribute, values[attribute])
    return element


def _write_tree(document: etree.xmlfile, element: etree._Element) -> None:
    # Through xmlfile's own elements, so that the namespaces declared on the root are used
    # rather than declared again on every element written whole.
    with document.element(element.tag, dict(element.attrib)):
        if element.text:
            document.write(element.text)
        for child in element:
            _write_tree(document, child)


def _generic_obs(
    gen: str,
    codes: dict[str, str],
    dimensions: tuple[str, ...],
    value: str | None,
    values: dict[str, str],
    attributes: tuple[str, ...],
) -> etree._Element:
    # Written whole (fast, in C), each Obs declares its namespace again: some 60 bytes.
    obs = etree.Element(f"{{{gen}}}Obs", nsmap={"gen": gen})
    key = etree.SubElement(obs, f"{{{gen}}}ObsKey")
    for dimension in dimensions:
        etree.SubElement(key, f"{{{gen}}}Value", id=dimension, value=codes.get(dimension, ""))
    if value is not None:
        etree.SubElement(obs, f"{{{gen}}}ObsValue", value=value)
    present = [a for a in attributes if a in values]
    if present:
        attached = etree.SubElement(obs, f"{{{gen}}}Attributes")
        for attribute in present:
            etree.SubElement(attached, f"{{{gen}}}Value", id=attribute, value=values[attribute])
    return obs


# Structure-specific schemas -----------------------------------------------------------------


def _simple_type(component: Component) -> etree._Element | None:
    cl = component.local_codes
    if not isinstance(cl, Codelist):
        return None
    simple = etree.Element(f"{{{_XS}}}simpleType", name=f"{component.id}_CodeType")
    restriction = etree.SubElement(simple, f"{{{_XS}}}restriction", base="xs:string")
    for code in cl:
        etree.SubElement(restriction, f"{{{_XS}}}enumeration", value=code.id)
    return simple


def structure_specific_schema(
    structure: DataStructureDefinition,
    *,
    version: MlVersion,
    schema_location: str,
    dimension_at_observation: str = ALL_DIMENSIONS,
) -> bytes:
    """The XML schema of a structure's structure-specific data, as registries publish it.

    A structure-specific data set declares its type (``xsi:type="…:DataSetType"``) in a schema
    derived from its data structure definition, which the official SDMX schemas cannot hold:
    this builds it, the way the SDMX samples ship ``ECB_EXR_Dataflow.xsd``, with the coded
    dimensions and attributes restricted to their codelists, ``TIME_PERIOD`` to SDMX periods
    and the measure to decimals. Flat data (``dimensionAtObservation="AllDimensions"``) have
    ``Obs`` elements only; any other ``dimension_at_observation`` gives ``Series`` elements
    keyed by the other dimensions, each holding ``Obs`` elements keyed by that one.

    Parameters
    ----------
    structure : pysdmx.model.DataStructureDefinition
    version : {"2.1", "3.0"}
    schema_location : str
        Where the official schemas of that version are (a folder path or URL), for the
        schema's imports of ``SDMXCommon.xsd`` and ``SDMXDataStructureSpecific.xsd``.
    dimension_at_observation : str, default "AllDimensions"

    Returns
    -------
    bytes
        The schema, UTF-8 XML; its target namespace is `structure_namespace` (of
        ``dimension_at_observation``).

    Examples
    --------
    >>> from solidarity.stats.sdmx import codelist, data_structure
    >>> dsd = data_structure(agency="A", id="D", name="D",
    ...     dimensions={"SEX": codelist("CL_SEX", {"F": "Female"}, agency="SDMX")})
    >>> schema = structure_specific_schema(dsd, version="3.0", schema_location="schemas")
    >>> b'<xs:attribute name="SEX" type="SEX_CodeType" use="required"/>' in schema
    True
    """
    ns = _namespaces(version)
    at_observation = observation_dimension(structure, dimension_at_observation)
    series = series_dimensions(structure, at_observation)
    target = structure_namespace(structure, at_observation)
    location = schema_location.rstrip("/")
    schema = etree.Element(
        f"{{{_XS}}}schema",
        nsmap={"xs": _XS, "common": ns["com"], "dsd": ns["ss"], None: target},
        targetNamespace=target,
        elementFormDefault="qualified",
        attributeFormDefault="unqualified",
    )
    for namespace, name in ((ns["com"], "SDMXCommon"), (ns["ss"], "SDMXDataStructureSpecific")):
        etree.SubElement(
            schema,
            f"{{{_XS}}}import",
            namespace=namespace,
            schemaLocation=f"{location}/{name}.xsd",
        )
    components = structure.components
    for component in components:
        simple = _simple_type(component)
        if simple is not None:
            schema.append(simple)

    def restricted(name: str, base: str) -> tuple[etree._Element, etree._Element]:
        complex_type = etree.SubElement(schema, f"{{{_XS}}}complexType", name=name)
        content = etree.SubElement(complex_type, f"{{{_XS}}}complexContent")
        restriction = etree.SubElement(content, f"{{{_XS}}}restriction", base=base)
        sequence = etree.SubElement(restriction, f"{{{_XS}}}sequence")
        etree.SubElement(sequence, f"{{{_XS}}}element", ref="common:Annotations", minOccurs="0")
        return restriction, sequence

    def attribute(parent: etree._Element, name: str, type_: str, use: str) -> None:
        etree.SubElement(parent, f"{{{_XS}}}attribute", name=name, type=type_, use=use)

    data_set, sequence = restricted("DataSetType", "dsd:DataSetType")
    etree.SubElement(
        sequence,
        f"{{{_XS}}}element",
        name="DataProvider",
        type="common:DataProviderReferenceType",
        form="unqualified",
        minOccurs="0",
    )
    top = "Series" if series else "Obs"
    if version == "2.1":
        etree.SubElement(
            sequence,
            f"{{{_XS}}}element",
            name=top,
            type=f"{top}Type",
            form="unqualified",
            maxOccurs="unbounded",
        )
        attribute(data_set, "REPORTING_YEAR_START_DAY", "xs:gMonthDay", "prohibited")
    else:
        choice = etree.SubElement(
            sequence, f"{{{_XS}}}choice", minOccurs="0", maxOccurs="unbounded"
        )
        etree.SubElement(
            choice, f"{{{_XS}}}element", name=top, type=f"{top}Type", form="unqualified"
        )

    def dimension_type(dimension: str) -> str:
        if dimension == TIME_PERIOD:
            return "common:ObservationalTimePeriodType"
        cl = components[dimension].local_codes
        return f"{dimension}_CodeType" if isinstance(cl, Codelist) else "common:IDType"

    if series:
        series_type, series_sequence = restricted("SeriesType", "dsd:SeriesType")
        etree.SubElement(
            series_sequence,
            f"{{{_XS}}}element",
            name="Obs",
            type="ObsType",
            form="unqualified",
            minOccurs="0",
            maxOccurs="unbounded",
        )
        for dimension in series:
            attribute(series_type, dimension, dimension_type(dimension), "required")
        if TIME_PERIOD not in series:
            attribute(series_type, TIME_PERIOD, dimension_type(TIME_PERIOD), "prohibited")
        if version == "2.1":
            attribute(series_type, "REPORTING_YEAR_START_DAY", "xs:gMonthDay", "prohibited")

    obs, _ = restricted("ObsType", "dsd:ObsType")
    attribute(obs, "type", "common:IDType", "prohibited")
    at_obs = [*dimension_ids(structure), TIME_PERIOD] if not series else [at_observation]
    for dimension in at_obs:
        attribute(obs, dimension, dimension_type(dimension), "required")
    if TIME_PERIOD not in at_obs:
        attribute(obs, TIME_PERIOD, dimension_type(TIME_PERIOD), "prohibited")
    if version == "2.1":
        attribute(obs, "REPORTING_YEAR_START_DAY", "xs:gMonthDay", "prohibited")
    measure = components[measure_id(structure)]
    decimal = measure.dtype in (DataType.DECIMAL, DataType.FLOAT, DataType.DOUBLE)
    attribute(obs, measure.id or OBS_VALUE, "xs:decimal" if decimal else "xs:string", "optional")
    for name in attribute_ids(structure):
        cl = components[name].local_codes
        attribute(
            obs, name, f"{name}_CodeType" if isinstance(cl, Codelist) else "xs:string", "optional"
        )
    return bytes(etree.tostring(schema, xml_declaration=True, encoding="UTF-8", pretty_print=True))
