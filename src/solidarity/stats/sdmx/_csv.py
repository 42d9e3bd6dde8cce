"""SDMX-CSV 1.0 and 2.0: a streaming writer and the checks run before pysdmx reads a file."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from decimal import Decimal
from typing import Literal

from pysdmx.model import Dataflow, DataStructureDefinition

from .._messages import message
from ._errors import SdmxFormatError, SdmxStructureError
from ._model import TIME_PERIOD, Dataset, attribute_ids, dimension_ids, measure_id

CsvVersion = Literal["1.0", "2.0"]

# The leading columns that name the structure, per version; every other column is a component.
_STRUCTURE_COLUMNS: dict[str, tuple[str, ...]] = {
    "1.0": ("DATAFLOW",),
    "2.0": ("STRUCTURE", "STRUCTURE_ID", "ACTION"),
}


def decimal_text(value: Decimal | None) -> str:
    """A decimal as SDMX writes it: fixed point, never an exponent (``xs:decimal`` has none).

    Examples
    --------
    >>> decimal_text(Decimal("1.5E+3")), decimal_text(Decimal("17.0")), decimal_text(None)
    ('1500', '17.0', '')
    """
    if value is None:
        return ""
    return format(value, "f")


def write_sdmx_csv(
    dataset: Dataset, *, version: CsvVersion = "2.0", dataflow: Dataflow | None = None
) -> Iterator[str]:
    """Write a dataset as SDMX-CSV, one line at a time.

    Written by hand with the standard ``csv`` module because both pysdmx and sdmx1 build an
    SDMX-CSV file from a whole pandas data frame; this writer holds one observation at a time,
    so a million observations stream to a file or an HTTP response in constant memory. Files it
    writes are read back by both libraries in the tests.

    Parameters
    ----------
    dataset : Dataset
    version : {"2.0", "1.0"}, default "2.0"
        SDMX-CSV 2.0 (``STRUCTURE,STRUCTURE_ID,ACTION,…``) or 1.0 (``DATAFLOW,…``).
    dataflow : pysdmx.model.Dataflow, optional
        The dataflow the data are reported for; the data structure definition itself when
        None (SDMX-CSV 1.0 names it in its ``DATAFLOW`` column all the same).

    Yields
    ------
    str
        The header line, then one line per observation, each ending in ``\\r\\n``.

    Examples
    --------
    >>> from solidarity.stats.sdmx import Observation, codelist, data_structure
    >>> dsd = data_structure(agency="SOLIDARITY", id="DSD_DEATHS", name="Deaths",
    ...     dimensions={"SEX": codelist("CL_SEX", {"F": "Female"}, agency="SDMX")},
    ...     attributes={"OBS_STATUS": None})
    >>> rows = [Observation((("SEX", "F"),), "2014", Decimal("17"), (("OBS_STATUS", "A"),))]
    >>> for line in write_sdmx_csv(Dataset(dsd, rows)):
    ...     print(line.rstrip())
    STRUCTURE,STRUCTURE_ID,ACTION,SEX,TIME_PERIOD,OBS_VALUE,OBS_STATUS
    datastructure,SOLIDARITY:DSD_DEATHS(1.0),I,F,2014,17,A
    """
    structure = dataset.structure
    dimensions = dimension_ids(structure)
    attributes = attribute_ids(structure)
    reference = dataflow if dataflow is not None else structure
    urn = f"{reference.agency}:{reference.id}({reference.version})"
    if version == "1.0":
        lead: list[str] = [urn]
    else:
        lead = ["dataflow" if dataflow is not None else "datastructure", urn, "I"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(cells: list[str]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(cells)
        return buffer.getvalue()

    yield line(
        [*_STRUCTURE_COLUMNS[version], *dimensions, TIME_PERIOD, measure_id(structure), *attributes]
    )
    for observation in dataset.observations:
        codes = dict(observation.key)
        values = dict(observation.attributes)
        yield line(
            [
                *lead,
                *(codes.get(dimension, "") for dimension in dimensions),
                observation.time_period,
                decimal_text(observation.value),
                *(values.get(attribute, "") for attribute in attributes),
            ]
        )


def check_sdmx_csv_header(content: bytes, structure: DataStructureDefinition) -> None:
    """Refuse, with a clear message, an SDMX-CSV file that pysdmx would misread.

    pysdmx takes any column it does not know for one more attribute and reads a semicolon-
    separated file as one column, so these checks come first.

    Raises
    ------
    SdmxFormatError
        The file starts with a byte-order mark, or is separated by semicolons or tabs, or its
        first column is neither ``DATAFLOW`` (1.0) nor ``STRUCTURE`` (2.0).
    SdmxStructureError
        The header names a column that is no component of the structure, or lacks a dimension.

    Examples
    --------
    >>> from solidarity.stats.sdmx import codelist, data_structure
    >>> dsd = data_structure(agency="A", id="D", name="D",
    ...     dimensions={"SEX": codelist("CL_SEX", {"F": "Female"}, agency="SDMX")})
    >>> check_sdmx_csv_header(b"DATAFLOW,GENDER,TIME_PERIOD,OBS_VALUE\\r\\n", dsd)
    Traceback (most recent call last):
    ...
    solidarity.stats.sdmx._errors.SdmxStructureError: line 1: column 'GENDER' is not a ...
    """
    if content.startswith(b"\xef\xbb\xbf"):
        raise SdmxFormatError(
            message(
                "byte_order_mark",
                "line 1: the file starts with a UTF-8 byte-order mark; SDMX-CSV files are plain "
                "UTF-8: save the file without the mark (in Excel: 'CSV UTF-8' adds it, 'CSV' "
                "does not)",
            )
        )
    first_line = content.split(b"\n", 1)[0].decode("utf-8", "replace").rstrip("\r")
    header = next(csv.reader([first_line]))
    if len(header) == 1:
        for separator, name in ((";", "semicolons"), ("\t", "tabs")):
            if separator in first_line:
                raise SdmxFormatError(
                    message(
                        "not_commas",
                        "line 1: the columns are separated by {separator}; SDMX-CSV separates "
                        "them by commas",
                        separator=name,
                    )
                )
    version = next(
        (v for v, columns in _STRUCTURE_COLUMNS.items() if header[:1] == [columns[0]]), None
    )
    if version is None:
        raise SdmxFormatError(
            message(
                "first_column",
                "line 1: the first column is {column!r}; an SDMX-CSV file starts with "
                "DATAFLOW (version 1.0) or STRUCTURE (version 2.0)",
                column=header[0],
            )
        )
    lead = [c for c in header if c in _STRUCTURE_COLUMNS[version]]
    components = [c.id for c in structure.components]
    for column in header[len(lead) :]:
        if column.split(":", 1)[0] not in components:
            raise SdmxStructureError(
                message(
                    "unknown_column",
                    "line 1: column {column!r} is not a component of {structure} (its "
                    "components: {components})",
                    column=column,
                    structure=f"{structure.agency}:{structure.id}({structure.version})",
                    components=", ".join(components),
                )
            )
    missing = [d for d in (*dimension_ids(structure), TIME_PERIOD) if d not in header]
    if missing:
        raise SdmxStructureError(
            message(
                "missing_dimensions",
                "line 1: the header lacks the dimension(s) {dimensions}",
                dimensions=", ".join(missing),
            )
        )
