"""SDMX-ML data and structure messages, written with pysdmx."""

from __future__ import annotations

from collections.abc import Sequence
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
from ._model import (
    TIME_PERIOD,
    Dataset,
    attribute_ids,
    dimension_ids,
    measure_id,
    structure_artefacts,
)

MlDataFormat = Literal["2.1-structure-specific", "2.1-generic", "3.0-structure-specific"]
MlVersion = Literal["2.1", "3.0"]

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
) -> str:
    """Write a dataset as a flat SDMX-ML data message (``dimensionAtObservation="AllDimensions"``).

    pysdmx writes the message; it needs the whole dataset as one pandas data frame and returns
    the whole document as one string, so this writer does **not** stream: memory grows with the
    dataset (about a kilobyte per observation at the peak). For large exports prefer SDMX-CSV
    (`write_sdmx_csv`) or SDMX-JSON (`write_sdmx_json`), which stream.

    Parameters
    ----------
    dataset : Dataset
    format : {"2.1-structure-specific", "2.1-generic", "3.0-structure-specific"}
    sender : str, default "SOLIDARITY"
        The id of the sending organisation, in the message header.

    Returns
    -------
    str
        The message, UTF-8 XML text.

    Raises
    ------
    SdmxError
        pysdmx could not write the message.

    Examples
    --------
    >>> from decimal import Decimal
    >>> from solidarity.stats.sdmx import Observation, codelist, data_structure
    >>> dsd = data_structure(agency="SOLIDARITY", id="DSD_DEATHS", name="Deaths",
    ...     dimensions={"SEX": codelist("CL_SEX", {"F": "Female"}, agency="SDMX")})
    >>> message = write_sdmx_ml(Dataset(dsd, [Observation((("SEX", "F"),), "2014",
    ...     Decimal("17"))]), format="3.0-structure-specific")
    >>> '<Obs SEX="F" TIME_PERIOD="2014" OBS_VALUE="17"' in message
    True
    """
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
            dimension_at_observation="AllDimensions",
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
