"""Reading SDMX data and structure messages into `Dataset` and pysdmx structures."""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal

from lxml import etree  # type: ignore[import-untyped]  # no lxml-stubs pinned here
from pysdmx.errors import PysdmxError
from pysdmx.io import read_sdmx
from pysdmx.model import Codelist, DataStructureDefinition

from .._messages import message
from ._csv import check_sdmx_csv_header
from ._errors import SdmxError, SdmxFormatError, SdmxStructureError, SdmxSyntaxError
from ._model import (
    TIME_PERIOD,
    Dataset,
    Observation,
    attribute_ids,
    dimension_ids,
    measure_id,
)

Source = str | os.PathLike[str] | bytes
Engine = Literal["pysdmx", "sdmx1"]

MESSAGE_NAMESPACES: Mapping[str, str] = {
    "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message": "2.1",
    "http://www.sdmx.org/resources/sdmxml/schemas/v3_0/message": "3.0",
}


def read_bytes(source: Source) -> bytes:
    """The bytes of a message given as bytes or as a path."""
    if isinstance(source, bytes):
        return source
    return Path(source).read_bytes()


def sdmx_ml_version(content: bytes) -> str:
    """The SDMX-ML version of a message, from its root element's namespace.

    Raises
    ------
    SdmxSyntaxError
        The bytes are not well-formed XML (a truncated file, say); the message gives the line.
    SdmxFormatError
        The root element is not in an SDMX-ML 2.1 or 3.0 message namespace.

    Examples
    --------
    >>> sdmx_ml_version(b'<m:Structure xmlns:m="http://www.sdmx.org/resources/sdmxml/schemas/v3_0/message"/>')
    '3.0'
    >>> sdmx_ml_version(b"<Data><Obs>")
    Traceback (most recent call last):
    ...
    solidarity.stats.sdmx._errors.SdmxSyntaxError: line 1: the XML is not well-formed (the file ...
    """
    try:
        root = etree.fromstring(content, parser=etree.XMLParser(resolve_entities=False))
    except etree.XMLSyntaxError as error:
        raise SdmxSyntaxError(
            f"line {error.lineno}: the XML is not well-formed (the file may be truncated): "
            f"{error.msg}"
        ) from error
    namespace = etree.QName(root).namespace or ""
    version = MESSAGE_NAMESPACES.get(namespace)
    if version is None:
        raise SdmxFormatError(
            f"line {root.sourceline}: the root element {etree.QName(root).localname!r} is in "
            f"namespace {namespace!r}, which is not an SDMX-ML 2.1 or 3.0 message namespace"
        )
    return version


def read_sdmx_structure(source: Source) -> DataStructureDefinition:
    """The (first) data structure definition of an SDMX-ML 2.1 or 3.0 structure message.

    Read by pysdmx. The structure's codelists come with it when the message holds them.

    Raises
    ------
    SdmxSyntaxError, SdmxFormatError
        As `sdmx_ml_version`.
    SdmxStructureError
        The message holds no data structure definition.

    Examples
    --------
    >>> from solidarity.stats.sdmx import codelist, data_structure, write_sdmx_structure
    >>> dsd = data_structure(agency="A", id="D", name="D",
    ...     dimensions={"SEX": codelist("CL_SEX", {"F": "Female"}, agency="SDMX")})
    >>> read = read_sdmx_structure(write_sdmx_structure(dsd, version="3.0").encode())
    >>> read.id, [code.id for code in read.components["SEX"].local_codes]
    ('D', ['F'])
    """
    content = read_bytes(source)
    sdmx_ml_version(content)
    try:
        message = read_sdmx(io.BytesIO(content), validate=False)
    except (PysdmxError, ValueError, KeyError) as error:
        raise SdmxError(f"pysdmx could not read the structure message: {error}") from error
    for artefact in message.structures or ():
        if isinstance(artefact, DataStructureDefinition):
            return artefact
    raise SdmxStructureError("the structure message holds no data structure definition")


def read_sdmx_data(
    source: Source, *, structure: DataStructureDefinition, engine: Engine = "pysdmx"
) -> Dataset:
    """Read an SDMX data message: SDMX-CSV 1.0/2.0, SDMX-ML 2.1/3.0 or SDMX-JSON 2.0/2.1.

    The format is told from the content. Messages are read by pysdmx (by default) or sdmx1
    (``engine="sdmx1"``, SDMX-ML only). Both libraries read the whole message into memory.
    SDMX-JSON is read by `read_sdmx_json`, whatever the engine.

    Parameters
    ----------
    source : bytes or path
    structure : pysdmx.model.DataStructureDefinition
        The structure the data follow; it tells dimensions from attributes, and coded
        dimensions' codes are checked against their codelists.
    engine : {"pysdmx", "sdmx1"}, default "pysdmx"

    Returns
    -------
    Dataset
        With the observations as a tuple, in the order of the message; every value is a
        `~decimal.Decimal` (or None), so nothing is lost to floats.

    Raises
    ------
    SdmxSyntaxError
        Truncated or ill-formed XML or JSON.
    SdmxFormatError
        Not SDMX in a format this reader knows (a wrong namespace, a semicolon-separated or
        BOM-prefixed SDMX-CSV file).
    SdmxStructureError
        The data do not fit ``structure`` (an unknown column, a code outside its codelist, a
        value that is not a number).

    Examples
    --------
    >>> from solidarity.stats.sdmx import codelist, data_structure
    >>> dsd = data_structure(agency="A", id="D", name="D",
    ...     dimensions={"SEX": codelist("CL_SEX", {"F": "Female"}, agency="SDMX")},
    ...     attributes={"OBS_STATUS": None})
    >>> data = b"DATAFLOW,SEX,TIME_PERIOD,OBS_VALUE,OBS_STATUS\\r\\nA:D(1.0),F,2014,17,A\\r\\n"
    >>> [observation] = read_sdmx_data(data, structure=dsd).observations
    >>> observation.key, observation.time_period, observation.value, observation.obs_status
    ((('SEX', 'F'),), '2014', Decimal('17'), 'A')
    """
    content = read_bytes(source)
    start = content.lstrip()[:1]
    if start == b"{":
        from ._json import read_sdmx_json  # _json builds on this module

        return read_sdmx_json(content, structure=structure)
    if start == b"<":
        sdmx_ml_version(content)
        if engine == "sdmx1":
            rows: Iterable[Mapping[str, Any]] = _sdmx1_rows(content, structure)
        else:
            rows = _pysdmx_rows(content)
    else:
        check_sdmx_csv_header(content, structure)
        if engine == "sdmx1":
            raise SdmxFormatError("engine 'sdmx1' reads SDMX-ML; read SDMX-CSV with pysdmx")
        rows = _pysdmx_rows(content)
    return Dataset(structure, tuple(observations_from_rows(rows, structure)))


def _pysdmx_rows(content: bytes) -> Iterator[Mapping[str, Any]]:
    try:
        message = read_sdmx(io.BytesIO(content), validate=False)
    except (PysdmxError, ValueError, KeyError) as error:
        raise SdmxError(f"pysdmx could not read the data message: {error}") from error
    for data in message.data or ():
        yield from data.data.to_dict("records")  # type: ignore[attr-defined]


def _sdmx1_rows(content: bytes, structure: DataStructureDefinition) -> Iterator[Mapping[str, Any]]:
    # sdmx1 needs its own model of the structure: pysdmx writes it and sdmx1 reads it back,
    # which also checks that the two libraries agree on the structure message. Always as
    # SDMX-ML 2.1: sdmx1 2.28 does not read the MeasureRelationship of pysdmx's 3.0 structures,
    # and its model of a structure is the same whichever version it came from.
    import sdmx  # sdmx1 is imported only when asked for: it is slow to import.
    import sdmx.reader.xml.v30
    from sdmx.exceptions import XMLParseError

    from ._xml import write_sdmx_structure

    try:
        structures: Any = sdmx.read_sdmx(
            io.BytesIO(write_sdmx_structure(structure, version="2.1").encode())
        )
        dsd = structures.structure[structure.id]
        message: Any = sdmx.read_sdmx(io.BytesIO(content), structure=dsd)
    except (ValueError, KeyError, TypeError, NotImplementedError, XMLParseError) as error:
        raise SdmxError(f"sdmx1 could not read the data message: {error}") from error
    for data in message.data:
        for obs in data.obs:
            row: dict[str, Any] = {
                dimension: value.value for dimension, value in obs.key.values.items()
            }
            row[measure_id(structure)] = obs.value
            for attribute, value in obs.attached_attribute.items():
                row[attribute] = value.value
            yield row


def _text(cell: Any) -> str | None:
    """A cell as text, None when empty (pandas gives None, NaN, pd.NA or "")."""
    if cell is None or cell != cell:  # NaN is the one value unequal to itself
        return None
    try:
        text = str(cell)
    except TypeError:  # pd.NA refuses bool() but prints; keep the check simple
        return None
    if text in ("", "<NA>", "nan", "NaN"):
        return None
    return text


def _allowed_codes(structure: DataStructureDefinition) -> dict[str, frozenset[str]]:
    return {
        component.id: frozenset(code.id for code in component.local_codes)
        for component in structure.components
        if isinstance(component.local_codes, Codelist)
    }


def observations_from_rows(
    rows: Iterable[Mapping[str, Any]], structure: DataStructureDefinition, *, start: int = 1
) -> Iterator[Observation]:
    """Turn flat rows (column id → cell) into observations, checking codes and values.

    ``start`` is the number errors give the first row (``observation 1`` by default), for a
    caller that checks a file in parts.

    Examples
    --------
    >>> from solidarity.stats.sdmx import codelist, data_structure
    >>> dsd = data_structure(agency="A", id="D", name="D",
    ...     dimensions={"SEX": codelist("CL_SEX", {"F": "Female"}, agency="SDMX")})
    >>> list(observations_from_rows([{"SEX": "X", "TIME_PERIOD": "2014"}], dsd))
    Traceback (most recent call last):
    ...
    solidarity.stats.sdmx._errors.SdmxStructureError: observation 1: SEX 'X' is not a code of CL_SEX
    """
    dimensions = dimension_ids(structure)
    attributes = attribute_ids(structure)
    measure = measure_id(structure)
    allowed = _allowed_codes(structure)
    codelist_ids = {
        c.id: c.local_codes.id for c in structure.components if isinstance(c.local_codes, Codelist)
    }
    for number, row in enumerate(rows, start=start):
        key = []
        for dimension in dimensions:
            code = _text(row.get(dimension))
            if code is None:
                raise SdmxStructureError(
                    message(
                        "no_code",
                        "observation {number}: no code for {dimension}",
                        number=number,
                        dimension=dimension,
                    )
                )
            if dimension in allowed and code not in allowed[dimension]:
                raise SdmxStructureError(
                    message(
                        "unknown_code",
                        "observation {number}: {dimension} {code!r} is not a code of {codelist}",
                        number=number,
                        dimension=dimension,
                        code=code,
                        codelist=codelist_ids[dimension],
                    )
                )
            key.append((dimension, code))
        period = _text(row.get(TIME_PERIOD))
        if period is None:
            raise SdmxStructureError(
                message("no_period", "observation {number}: no TIME_PERIOD", number=number)
            )
        raw = _text(row.get(measure))
        try:
            value = None if raw is None else Decimal(raw)
        except InvalidOperation:
            raise SdmxStructureError(
                message(
                    "value_not_a_number",
                    "observation {number}: {measure} {value!r} is not a number",
                    number=number,
                    measure=measure,
                    value=raw,
                )
            ) from None
        values = []
        for attribute in attributes:
            text = _text(row.get(attribute))
            if text is None:
                continue
            if attribute in allowed and text not in allowed[attribute]:
                raise SdmxStructureError(
                    message(
                        "unknown_code",
                        "observation {number}: {dimension} {code!r} is not a code of {codelist}",
                        number=number,
                        dimension=attribute,
                        code=text,
                        codelist=codelist_ids[attribute],
                    )
                )
            values.append((attribute, text))
        yield Observation(tuple(key), period, value, tuple(values))
