"""SDMX-ML data and structure messages: data streamed with lxml (or written by pysdmx), structures
written by pysdmx."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from typing import Literal

import pandas as pd  # type: ignore[import-untyped]  # no pandas-stubs pinned here
from pysdmx.errors import PysdmxError
from pysdmx.io import write_sdmx
from pysdmx.io.format import Format
from pysdmx.io.pd import PandasDataset
from pysdmx.model import Dataflow, DataStructureDefinition, Organisation, Schema
from pysdmx.model.message import Header

from ._csv import decimal_text
from ._errors import SdmxError
from ._ml_stream import MlDataFormat, MlVersion, stream_sdmx_ml
from ._model import (
    ALL_DIMENSIONS,
    TIME_PERIOD,
    Dataset,
    attribute_ids,
    dimension_ids,
    measure_id,
    observation_dimension,
    structure_artefacts,
)

MlEngine = Literal["lxml", "pysdmx"]

_DATA_FORMATS: dict[str, Format] = {
    "2.1-structure-specific": Format.DATA_SDMX_ML_2_1_STR,
    "2.1-generic": Format.DATA_SDMX_ML_2_1_GEN,
    "3.0-structure-specific": Format.DATA_SDMX_ML_3_0,
}
_STRUCTURE_FORMATS: dict[str, Format] = {
    "2.1": Format.STRUCTURE_SDMX_ML_2_1,
    "3.0": Format.STRUCTURE_SDMX_ML_3_0,
}


def _schema(structure: DataStructureDefinition) -> Schema:
    return Schema(
        context="datastructure",
        agency=str(structure.agency),
        id=structure.id,
        version=structure.version,
        components=structure.components,
        name=structure.name,
    )


def write_sdmx_ml(
    dataset: Dataset,
    *,
    format: MlDataFormat,
    sender: str = "SOLIDARITY",
    engine: MlEngine = "lxml",
    prepared: datetime | None = None,
    dimension_at_observation: str = ALL_DIMENSIONS,
) -> str:
    """Write a dataset as an SDMX-ML data message, flat (``dimensionAtObservation=
    "AllDimensions"``, the default) or by series (``TIME_PERIOD`` or another dimension at the
    observation level).

    By default the message is streamed by `stream_sdmx_ml` (lxml) into a string: values stay
    exactly as their decimals and any text is escaped as XML requires. To write a large
    dataset to a file or a response without holding the message, call `stream_sdmx_ml`.

    ``engine="pysdmx"`` has pysdmx write the message instead, from one pandas data frame:
    memory grows with the dataset, decimals go through floats (``17.0`` is written ``17``),
    and values with a quote, an apostrophe, a backslash or an unprintable character are
    refused, as pysdmx 1.21 would mangle them.

    Parameters
    ----------
    dataset : Dataset
    format : {"2.1-structure-specific", "2.1-generic", "3.0-structure-specific"}
    sender : str, default "SOLIDARITY"
        The id of the sending organisation, in the message header.
    engine : {"lxml", "pysdmx"}, default "lxml"
    prepared : datetime, optional
        When the message was prepared (lxml engine); now by default.
    dimension_at_observation : str, default "AllDimensions"
        As for `stream_sdmx_ml`; pysdmx groups the series itself.

    Returns
    -------
    str
        The message, UTF-8 XML text.

    Raises
    ------
    SdmxError
        The message could not be written (a control character in a value; with pysdmx, a
        value it would mangle, or an error of its own).

    Examples
    --------
    >>> from decimal import Decimal
    >>> from solidarity.stats.sdmx import Observation, codelist, data_structure
    >>> dsd = data_structure(agency="SOLIDARITY", id="DSD_DEATHS", name="Deaths",
    ...     dimensions={"SEX": codelist("CL_SEX", {"F": "Female"}, agency="SDMX")})
    >>> rows = [Observation((("SEX", "F"),), "2014", Decimal("17.0"))]
    >>> '<Obs SEX="F" TIME_PERIOD="2014" OBS_VALUE="17.0"/>' in write_sdmx_ml(
    ...     Dataset(dsd, rows), format="3.0-structure-specific")
    True
    >>> '<Obs SEX="F" TIME_PERIOD="2014" OBS_VALUE="17"' in write_sdmx_ml(
    ...     Dataset(dsd, rows), format="3.0-structure-specific", engine="pysdmx")
    True
    """
    if engine == "lxml":
        out = io.BytesIO()
        stream_sdmx_ml(
            dataset,
            out,
            format=format,
            sender=sender,
            prepared=prepared,
            dimension_at_observation=dimension_at_observation,
        )
        return out.getvalue().decode("utf-8")
    structure = dataset.structure
    dimensions = dimension_ids(structure)
    attributes = attribute_ids(structure)
    measure = measure_id(structure)
    columns: dict[str, list[str | None]] = {
        c: [] for c in (*dimensions, TIME_PERIOD, measure, *attributes)
    }
    for observation in dataset.observations:
        codes = dict(observation.key)
        values = dict(observation.attributes)
        for dimension in dimensions:
            columns[dimension].append(codes.get(dimension))
        columns[TIME_PERIOD].append(observation.time_period)
        columns[measure].append(
            None if observation.value is None else decimal_text(observation.value)
        )
        for attribute in attributes:
            columns[attribute].append(values.get(attribute))
    frame = pd.DataFrame(
        {column: [_writable(cell) for cell in cells] for column, cells in columns.items()},
        dtype=object,
    )
    data = PandasDataset(structure=_schema(structure), data=frame)
    try:
        message = write_sdmx(
            data,
            _DATA_FORMATS[format],
            header=Header(sender=Organisation(id=sender)),
            dimension_at_observation=observation_dimension(structure, dimension_at_observation),
        )
    except PysdmxError as error:
        raise SdmxError(f"pysdmx could not write the {format} message: {error}") from error
    assert message is not None  # write_sdmx returns the text when given no path
    return message


def _writable(cell: str | None) -> str | None:
    """Refuse a value that pysdmx 1.21 would write into an ill-formed or altered message.

    pysdmx escapes ``&``, ``<`` and ``>`` in data values, but quotes each value with ``repr``
    and then turns every apostrophe into a quotation mark: a quote, an apostrophe, a backslash
    or an unprintable character in a value (an observation comment, say) would break the
    message or change the value. Such values are refused rather than mangled; SDMX-CSV and
    SDMX-JSON carry them.
    """
    if cell is None:
        return None
    if any(character in cell for character in "\"'\\") or not cell.isprintable():
        raise SdmxError(
            f"the value {cell!r} holds a quote, an apostrophe, a backslash or an unprintable "
            "character, which pysdmx cannot write to SDMX-ML: export it as SDMX-CSV or "
            "SDMX-JSON"
        )
    return cell


def write_sdmx_structure(
    structure: DataStructureDefinition,
    *,
    version: MlVersion,
    flows: Sequence[Dataflow] = (),
    sender: str = "SOLIDARITY",
) -> str:
    """Write a structure message: codelists, concept scheme, data structure, dataflows.

    pysdmx writes it, as one string (structure messages are small).

    Parameters
    ----------
    structure : pysdmx.model.DataStructureDefinition
        Built by `data_structure`, so that every concept has its concept scheme.
    version : {"2.1", "3.0"}
    flows : sequence of pysdmx.model.Dataflow, optional
    sender : str, default "SOLIDARITY"

    Returns
    -------
    str

    Examples
    --------
    >>> from solidarity.stats.sdmx import codelist, data_structure
    >>> dsd = data_structure(agency="SOLIDARITY", id="DSD_DEATHS", name="Deaths",
    ...     dimensions={"SEX": codelist("CL_SEX", {"F": "Female"}, agency="SDMX")})
    >>> message = write_sdmx_structure(dsd, version="2.1")
    >>> all(tag in message for tag in ("<str:Codelist ", "<str:ConceptScheme ",
    ...                                "<str:DataStructure "))
    True
    """
    try:
        message = write_sdmx(
            structure_artefacts(structure, flows=flows),
            _STRUCTURE_FORMATS[version],
            header=Header(sender=Organisation(id=sender)),
        )
    except PysdmxError as error:
        raise SdmxError(f"pysdmx could not write the structure message: {error}") from error
    assert message is not None  # write_sdmx returns the text when given no path
    return message
