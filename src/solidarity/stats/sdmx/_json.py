"""SDMX-JSON 2.x data messages: a streaming writer, a reader and validation against the schema.

Written and read by hand with the standard ``json`` module: pysdmx 1.21 reads and writes no
SDMX-JSON data, and sdmx1 2.28 reads only SDMX-JSON 1.0 and writes none. The message layout
is that of SDMX-JSON 2.0 and 2.1 (``meta``, then ``data`` with ``structures`` and
``dataSets``), written flat — every dimension at the observation level, so an observation is
``"<index>:<index>:…": [OBS_VALUE, <attribute index>…]`` — or by series, with one dimension
(``TIME_PERIOD``, or another for cross-sections) at the observation level: ``"series":
{"<index>:…": {"observations": {"<index>": […]}}}``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from pysdmx.model import Codelist, Component, Concept, Dataflow, DataStructureDefinition

from ._csv import decimal_text
from ._errors import Problem, SdmxFormatError, SdmxStructureError, SdmxSyntaxError
from ._model import (
    ALL_DIMENSIONS,
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
from ._read import Source, observations_from_rows, read_bytes

#: The schema this package writes to and validates against.
SDMX_JSON_DATA_SCHEMA = "https://json.sdmx.org/2.1/sdmx-json-data-schema.json"

# The SDMX-JSON data schemas whose layout the reader knows (2.0 and 2.1 share it).
_SCHEMA_URL = re.compile(r"/(?P<version>\d+\.\d+)(?:\.\d+)?/sdmx-json-data-schema\.json$")
_READABLE_VERSIONS = ("2.0", "2.1")
_ID = re.compile(r"^[A-Za-z0-9_@$-]+$")  # what the schema allows as a value's id
_URN = "urn:sdmx:org.sdmx.infomodel.datastructure.{kind}={agency}:{id}({version})"
# Observations are spooled to memory up to this size, then to a temporary file.
_SPOOL_IN_MEMORY = 4 * 1024 * 1024


class SupportsWriteStr(Protocol):
    """Anything with ``write(str)``: an open text file, `io.StringIO`, a response stream."""

    def write(self, text: str, /) -> object: ...


class _Index:
    """The positions of a component's values, fixed by a codelist or given on first sight."""

    def __init__(self, component: Component) -> None:
        self.component = component
        cl = component.local_codes
        self.coded = isinstance(cl, Codelist)
        self.codelist_id = cl.id if isinstance(cl, Codelist) else None
        self.positions: dict[str, int] = {}
        self.names: dict[str, str] = {}
        if isinstance(cl, Codelist):
            for code in cl:
                self.names[code.id] = str(code.name or code.id)
                self.positions[code.id] = len(self.positions)

    def position(self, value: str, *, number: int) -> int:
        found = self.positions.get(value)
        if found is not None:
            return found
        if self.coded:
            raise SdmxStructureError(
                f"observation {number}: {self.component.id} {value!r} is not a code of "
                f"{self.codelist_id}"
            )
        self.positions[value] = len(self.positions)
        return self.positions[value]

    def values(self) -> list[dict[str, str]]:
        if self.coded:
            return [{"id": code, "name": self.names[code]} for code in self.positions]
        # A value that is no code (a period, a comment) is written as an id only when the
        # schema's pattern for ids allows it; otherwise as a plain value.
        return [
            {"id": value, "name": value} if _ID.match(value) else {"value": value}
            for value in self.positions
        ]

    def description(self, *, key_position: int | None = None) -> dict[str, Any]:
        concept = self.component.concept
        name = concept.name if isinstance(concept, Concept) and concept.name else None
        described: dict[str, Any] = {"id": self.component.id, "name": name or self.component.id}
        if key_position is not None:
            described["keyPosition"] = key_position
            if self.component.id == TIME_PERIOD:
                described["roles"] = [TIME_PERIOD]
        else:
            described["relationship"] = {"observation": {}}
        values = self.values()
        if values:  # the schema wants at least one value when the list is there
            described["values"] = values
        return described


def _number(value: Decimal | None, *, number: int) -> str:
    if value is None:
        return "null"
    if not value.is_finite():
        raise SdmxStructureError(
            f"observation {number}: {value} cannot be written as a JSON number"
        )
    return decimal_text(value)


def write_sdmx_json(
    dataset: Dataset,
    out: SupportsWriteStr,
    *,
    dataflow: Dataflow | None = None,
    sender: str = "SOLIDARITY",
    message_id: str = "SOLIDARITY",
    prepared: datetime | None = None,
    language: str = "en",
    dimension_at_observation: str = ALL_DIMENSIONS,
) -> int:
    """Write a dataset as an SDMX-JSON 2.1 data message, reading the observations once.

    The message starts with the structure: the values of every dimension and attribute, which
    the observations then name by their position. Coded components list their codelist, so
    their positions are known before the first observation; the time periods and the values of
    free-text attributes are only known once every observation has been seen, so the
    observations are written to a temporary spool (in memory up to 4 MiB, then a file) and
    copied after the structure. Memory stays flat whatever the size of the dataset; values are
    written exactly as their decimals (``17.0`` stays ``17.0``).

    Parameters
    ----------
    dataset : Dataset
    out : writable text stream
        Receives the message, in pieces.
    dataflow : pysdmx.model.Dataflow, optional
        The dataflow the data are reported for, linked from the message's structure.
    sender : str, default "SOLIDARITY"
        The id of the sending organisation.
    message_id : str, default "SOLIDARITY"
        The message's id (letters, digits, ``_@$-``).
    prepared : datetime, optional
        When the message was prepared, with a time zone; now by default.
    language : str, default "en"
        The language of the names in the message.
    dimension_at_observation : str, default "AllDimensions"
        ``AllDimensions`` writes flat observations; ``TIME_PERIOD`` or another dimension
        writes series keyed by the other dimensions, that one at the observation level. The
        observations of a series must come one after the other (see `series_ordered`).

    Returns
    -------
    int
        The number of observations written.

    Raises
    ------
    SdmxStructureError
        An observation's code is not in its dimension's or attribute's codelist, or its value
        is not finite.

    Examples
    --------
    >>> import io, json
    >>> from solidarity.stats.sdmx import Observation, codelist, data_structure
    >>> dsd = data_structure(agency="SOLIDARITY", id="DSD_DEATHS", name="Deaths",
    ...     dimensions={"SEX": codelist("CL_SEX", {"F": "Female", "M": "Male"},
    ...                                 agency="SDMX")},
    ...     attributes={"OBS_STATUS": None})
    >>> rows = [Observation((("SEX", "M"),), "2014", Decimal("17.0"), (("OBS_STATUS", "A"),))]
    >>> out = io.StringIO()
    >>> write_sdmx_json(Dataset(dsd, rows), out)
    1
    >>> json.loads(out.getvalue())["data"]["dataSets"][0]["observations"]
    {'1:0': [17.0, 0]}
    """
    structure = dataset.structure
    components = structure.components
    key_order = (*dimension_ids(structure), TIME_PERIOD)
    dimensions = [_Index(components[d]) for d in key_order]
    at_observation = observation_dimension(structure, dimension_at_observation)
    series = series_dimensions(structure, at_observation)
    by_id = {index.component.id: index for index in dimensions}
    series_indexes = [by_id[d] for d in series]
    observation_indexes = [by_id[at_observation]] if series else dimensions
    attributes = [_Index(components[a]) for a in attribute_ids(structure)]
    measure = components[measure_id(structure)]
    count = 0

    def cells(observation: Observation) -> str:
        values = dict(observation.attributes)
        written = [_number(observation.value, number=count)]
        for index in attributes:
            value = values.get(index.component.id)
            written.append("null" if value is None else str(index.position(value, number=count)))
        while len(written) > 1 and written[-1] == "null":  # trailing nulls may be left out
            written.pop()
        return f"[{','.join(written)}]"

    def key_of(observation: Observation, indexes: list[_Index]) -> str:
        codes = dict(observation.key)
        codes[TIME_PERIOD] = observation.time_period
        key = []
        for index in indexes:
            code = codes.get(index.component.id)
            if code is None:
                raise SdmxStructureError(f"observation {count}: no code for {index.component.id}")
            key.append(str(index.position(code, number=count)))
        return ":".join(key)

    with tempfile.SpooledTemporaryFile(
        max_size=_SPOOL_IN_MEMORY, mode="w+", encoding="utf-8", newline=""
    ) as spool:
        if series:
            for number, (_key, run) in enumerate(series_runs(dataset.observations, series)):
                for position, observation in enumerate(run):
                    count += 1
                    if not position:
                        where = key_of(observation, series_indexes)
                        spool.write(f'{"," if number else ""}"{where}":{{"observations":{{')
                    where = key_of(observation, observation_indexes)
                    spool.write(f'{"," if position else ""}"{where}":{cells(observation)}')
                spool.write("}}")
        else:
            for count, observation in enumerate(dataset.observations, start=1):
                where = key_of(observation, dimensions)
                spool.write(f'{"," if count > 1 else ""}"{where}":{cells(observation)}')
        structure_urn = _URN.format(
            kind="DataStructure",
            agency=structure.agency,
            id=structure.id,
            version=structure.version,
        )
        links = [{"urn": structure_urn, "rel": "datastructure"}]
        if dataflow is not None:
            links.insert(
                0,
                {
                    "urn": _URN.format(
                        kind="Dataflow",
                        agency=dataflow.agency,
                        id=dataflow.id,
                        version=dataflow.version,
                    ),
                    "rel": "dataflow",
                },
            )
        measure_name = (
            measure.concept.name if isinstance(measure.concept, Concept) else None
        ) or measure.id
        message_structure = {
            "name": str((dataflow.name if dataflow else None) or structure.name or structure.id),
            "links": links,
            "dataSets": [0],
            "dimensions": {
                "dataSet": [],
                "series": [
                    index.description(key_position=key_order.index(index.component.id))
                    for index in series_indexes
                ],
                "observation": [
                    index.description(key_position=key_order.index(index.component.id))
                    for index in observation_indexes
                ],
            },
            "measures": {"observation": [{"id": measure.id, "name": measure_name}]},
            "attributes": {
                "dataSet": [],
                "series": [],
                "observation": [index.description() for index in attributes],
            },
        }
        when = prepared or datetime.now(UTC)
        meta = {
            "id": message_id,
            "test": False,
            "prepared": when.isoformat(timespec="seconds"),
            "contentLanguages": [language],
            "sender": {"id": sender},
        }

        def dump(value: object) -> str:
            return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

        out.write(f'{{"$schema":{dump(SDMX_JSON_DATA_SCHEMA)},"meta":{dump(meta)},')
        out.write(f'"data":{{"structures":[{dump(message_structure)}],')
        level = "series" if series else "observations"
        out.write(f'"dataSets":[{{"structure":0,"action":"Information","{level}":{{')
        spool.seek(0)
        shutil.copyfileobj(spool, out)
        out.write("}}]}}")
    return count


# Reading ------------------------------------------------------------------------------------


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # json keeps the last of two equal keys without a word; two observations with one key
    # would lose one of them silently.
    found = dict(pairs)
    if len(found) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise SdmxStructureError(f"the key {key!r} appears twice in one JSON object")
            seen.add(key)
    return found


def _parse(content: bytes) -> Any:
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as error:
        raise SdmxSyntaxError(
            f"byte {error.start}: the message is not UTF-8, as SDMX-JSON must be"
        ) from error
    if text.startswith("\ufeff"):
        raise SdmxFormatError(
            "the message starts with a UTF-8 byte-order mark, which JSON does not allow"
        )
    try:
        return json.loads(text, parse_float=Decimal, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as error:
        raise SdmxSyntaxError(
            f"line {error.lineno} column {error.colno}: the JSON is not well-formed (the file "
            f"may be truncated): {error.msg}"
        ) from error


def sdmx_json_version(message: Mapping[str, Any]) -> str:
    """The SDMX-JSON version of a parsed data message: ``2.0`` or ``2.1``.

    Told from ``$schema`` (or the older ``meta.schema``); a message that names no schema but
    has the 2.x layout (``meta`` and ``data.structures``) is taken for 2.1.

    Raises
    ------
    SdmxFormatError
        The message names another schema or version, or has the SDMX-JSON 1.0 layout.

    Examples
    --------
    >>> sdmx_json_version({"$schema": "https://json.sdmx.org/2.0/sdmx-json-data-schema.json"})
    '2.0'
    >>> sdmx_json_version({"header": {}, "dataSets": []})
    Traceback (most recent call last):
    ...
    solidarity.stats.sdmx._errors.SdmxFormatError: the message has the SDMX-JSON 1.0 layout ...
    """
    meta = message.get("meta")
    schema = message.get("$schema") or (meta.get("schema") if isinstance(meta, Mapping) else None)
    if schema is not None:
        match = _SCHEMA_URL.search(str(schema))
        if match is None or match["version"] not in _READABLE_VERSIONS:
            raise SdmxFormatError(
                f"the message follows the schema {schema!r}; SDMX-JSON data messages of "
                f"version {' or '.join(_READABLE_VERSIONS)} are read"
            )
        return match["version"]
    if "header" in message or "structure" in message:
        raise SdmxFormatError(
            "the message has the SDMX-JSON 1.0 layout (header, structure, dataSets); "
            f"SDMX-JSON data messages of version {' or '.join(_READABLE_VERSIONS)} are read"
        )
    data = message.get("data")
    if not isinstance(data, Mapping) or "structures" not in data:
        raise SdmxFormatError("the message has no data.structures: it is no SDMX-JSON data message")
    return "2.1"


def _text(value: Any, language: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, Mapping):  # localised text
        return str(value.get(language, next(iter(value.values()), "")))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class _Level:
    """The components of one attachment level (data set, series, observation) of a structure."""

    def __init__(self, components: Any, where: str) -> None:
        self.components: list[Mapping[str, Any]] = list(components or ())
        self.where = where

    def value(self, position: int, index: Any, *, at: str, language: str) -> tuple[str, Any]:
        component = self.components[position]
        values = component.get("values") or []
        if index is None:
            return component["id"], None
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(values):
            raise SdmxStructureError(
                f"{at}: index {index!r} of {component['id']} points to no value "
                f"({self.where} lists {len(values)})"
            )
        chosen = values[index]
        if chosen is None:
            return component["id"], None
        if "id" in chosen:
            return component["id"], str(chosen["id"])
        return component["id"], _text(chosen.get("value"), language)


class _Layout:
    """Where one data set's components are: which level, which position, which values."""

    def __init__(
        self, described: Mapping[str, Any], *, where: str, measure: str, language: str
    ) -> None:
        dims = described.get("dimensions") or {}
        attrs = described.get("attributes") or {}
        self.dimensions = {
            level: _Level(dims.get(level), f"{where}.dimensions.{level}") for level in _LEVELS
        }
        self.attributes = {
            level: _Level(attrs.get(level), f"{where}.attributes.{level}") for level in _LEVELS
        }
        measures = (described.get("measures") or {}).get("observation") or [{"id": measure}]
        measure_ids = [m.get("id") for m in measures]
        self.measure = measure
        self.measure_count = len(measures)
        self.measure_at = measure_ids.index(measure) if measure in measure_ids else 0
        self.language = language

    def attached(self, level: str, indexes: Sequence[Any], *, at: str) -> dict[str, Any]:
        # Indexes past the attributes the structure lists are left out: some published samples
        # carry them, and they name nothing.
        attributes = self.attributes[level]
        return dict(
            attributes.value(i, index, at=at, language=self.language)
            for i, index in enumerate(indexes[: len(attributes.components)])
        )

    def keyed(self, level: str, key: str, *, at: str) -> dict[str, Any]:
        dimensions = self.dimensions[level]
        parts = key.split(":") if key else []
        if len(parts) != len(dimensions.components) or not all(p.isdigit() for p in parts):
            raise SdmxStructureError(
                f"{at}: the key {key!r} has {len(parts)} positions; the {level} level "
                f"has {len(dimensions.components)} dimensions"
            )
        return dict(
            dimensions.value(i, int(part), at=at, language=self.language)
            for i, part in enumerate(parts)
        )

    def observations(
        self, found: Mapping[str, Any], base: Mapping[str, Any], *, at: str
    ) -> Iterator[dict[str, Any]]:
        for key, cells in found.items():
            here = f"{at}.observations[{key!r}]"
            row = {**base, **self.keyed("observation", key, at=here)}
            cells = list(cells or [])
            value = cells[self.measure_at] if self.measure_at < len(cells) else None
            row[self.measure] = _text(value, self.language)
            row.update(self.attached("observation", cells[self.measure_count :], at=here))
            yield row


_LEVELS = ("dataSet", "series", "observation")


def _rows(
    message: Mapping[str, Any], structure: DataStructureDefinition
) -> Iterator[dict[str, Any]]:
    data = message["data"]
    structures = data.get("structures") or []
    languages = (message.get("meta") or {}).get("contentLanguages") or ["en"]
    for number, data_set in enumerate(data.get("dataSets") or []):
        at = f"$.data.dataSets[{number}]"
        position = data_set.get("structure", 0)
        if not isinstance(position, int) or not 0 <= position < len(structures):
            raise SdmxStructureError(f"{at}.structure: {position!r} points to no structure")
        layout = _Layout(
            structures[position],
            where=f"$.data.structures[{position}]",
            measure=measure_id(structure),
            language=str(languages[0]),
        )
        # A data-set-level dimension has one value; its attributes' values are in the data set.
        set_dimensions = layout.dimensions["dataSet"]
        base = dict(
            set_dimensions.value(i, 0, at=at, language=layout.language)
            for i in range(len(set_dimensions.components))
        )
        base.update(layout.attached("dataSet", data_set.get("attributes") or [], at=at))
        if "observations" in data_set:
            yield from layout.observations(data_set["observations"] or {}, base, at=at)
        for key, series in (data_set.get("series") or {}).items():
            here = f"{at}.series[{key!r}]"
            row = {**base, **layout.keyed("series", key, at=here)}
            row.update(layout.attached("series", series.get("attributes") or [], at=here))
            yield from layout.observations(series.get("observations") or {}, row, at=here)


def read_sdmx_json(
    source: Source | Mapping[str, Any], *, structure: DataStructureDefinition
) -> Dataset:
    """Read an SDMX-JSON 2.0 or 2.1 data message, flat, by series or as cross-sections.

    Attributes attached to the data set or a series are given to each of its observations.
    Numbers are read as decimals, never as floats, so that ``1.10`` stays ``1.10``.

    Parameters
    ----------
    source : bytes, path, or the parsed message
    structure : pysdmx.model.DataStructureDefinition
        The structure the data follow; codes are checked against its codelists, and only its
        components are kept.

    Returns
    -------
    Dataset
        The observations as a tuple, in the order of the message.

    Raises
    ------
    SdmxSyntaxError
        The JSON is not well-formed (truncated, not UTF-8).
    SdmxFormatError
        Not an SDMX-JSON 2.x data message (another schema, the 1.0 layout, a byte-order mark).
    SdmxStructureError
        An index points to no value, a key has the wrong number of positions, a key appears
        twice, or the data do not fit ``structure``.

    Examples
    --------
    >>> import io
    >>> from solidarity.stats.sdmx import Observation, codelist, data_structure, write_sdmx_json
    >>> dsd = data_structure(agency="A", id="D", name="D",
    ...     dimensions={"SEX": codelist("CL_SEX", {"F": "Female"}, agency="SDMX")})
    >>> out = io.StringIO()
    >>> _ = write_sdmx_json(Dataset(dsd, [Observation((("SEX", "F"),), "2014",
    ...     Decimal("1.10"))]), out)
    >>> read_sdmx_json(out.getvalue().encode(), structure=dsd).observations[0].value
    Decimal('1.10')
    """
    message = source if isinstance(source, Mapping) else _parse(read_bytes(source))
    if not isinstance(message, Mapping):
        raise SdmxFormatError("the message is not a JSON object")
    sdmx_json_version(message)
    try:
        observations = tuple(observations_from_rows(_rows(message, structure), structure))
    except (KeyError, TypeError, AttributeError) as error:
        # A member missing or of the wrong JSON type somewhere in the message.
        raise SdmxStructureError(
            f"the message does not have the layout of an SDMX-JSON data message ({error!r}); "
            "validate_sdmx_json tells where"
        ) from error
    return Dataset(structure, observations)


# Validation ---------------------------------------------------------------------------------


@lru_cache(maxsize=2)
def _validator(path: Path) -> Any:
    # No jsonschema stubs are pinned here; imported when first needed, as validation is rare.
    from jsonschema import (  # type: ignore[import-untyped]
        Draft201909Validator,
        FormatChecker,
    )

    # Only the formats whose checks need no optional package, so that the result does not
    # depend on what else is installed (jsonschema skips a format it cannot check).
    checker = FormatChecker(formats=())

    def is_date(value: object) -> bool:
        return not isinstance(value, str) or bool(date.fromisoformat(value))

    def is_date_time(value: object) -> bool:
        if not isinstance(value, str):
            return True
        return "T" in value.upper() and datetime.fromisoformat(value).tzinfo is not None

    checker.checks("date", raises=ValueError)(is_date)
    checker.checks("date-time", raises=ValueError)(is_date_time)
    schema = json.loads(path.read_text(encoding="utf-8"))
    return Draft201909Validator(schema, format_checker=checker)


def _json_path(parts: Sequence[object]) -> str:
    return "$" + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in parts)


def validate_sdmx_json(
    source: Source | Mapping[str, Any], *, schema_dir: str | os.PathLike[str]
) -> list[Problem]:
    """Validate an SDMX-JSON data message against the official SDMX-JSON 2.1 JSON schema.

    The schema ``json/sdmx-json-data-schema.json`` of ``schema_dir`` is loaded once
    (jsonschema, draft 2019-09) and kept.

    Parameters
    ----------
    source : bytes, path, or the parsed message
    schema_dir : path
        The folder holding ``json/`` (see `schema_dir_from_environment`).

    Returns
    -------
    list of Problem
        Each with its JSON path; empty when the message is valid.

    Raises
    ------
    SdmxSyntaxError
        The JSON is not well-formed.
    SdmxFormatError
        The message follows another version of SDMX-JSON, or the schema is not there.

    Examples
    --------
    >>> import io, os
    >>> from solidarity.stats.sdmx import (SCHEMA_DIR_VARIABLE, Observation, codelist,
    ...     data_structure, write_sdmx_json)
    >>> dsd = data_structure(agency="A", id="D", name="D",
    ...     dimensions={"SEX": codelist("CL_SEX", {"F": "Female"}, agency="SDMX")})
    >>> out = io.StringIO()
    >>> _ = write_sdmx_json(Dataset(dsd, [Observation((("SEX", "F"),), "2014", None)]), out)
    >>> schema_dir = os.environ.get(SCHEMA_DIR_VARIABLE, "../shared/data/sdmx")
    >>> problems = (validate_sdmx_json(out.getvalue().encode(), schema_dir=schema_dir)
    ...             if os.path.isdir(schema_dir) else [])
    >>> problems
    []
    >>> if os.path.isdir(schema_dir):
    ...     [problem] = validate_sdmx_json(
    ...         {"meta": {"id": "X", "sender": {"id": "S"}}}, schema_dir=schema_dir)
    ...     print(problem)
    ... else:
    ...     print("$.meta: 'prepared' is a required property")
    $.meta: 'prepared' is a required property
    """
    message = source if isinstance(source, Mapping) else _parse(read_bytes(source))
    if isinstance(message, Mapping) and ("$schema" in message or "header" in message):
        sdmx_json_version(message)
    schema_path = Path(schema_dir) / "json" / "sdmx-json-data-schema.json"
    if not schema_path.is_file():
        raise SdmxFormatError(f"{schema_path} does not exist: is {schema_dir} the schema folder?")
    # The schema checks numbers, not decimals: hand it floats (exactness does not matter here).
    plain = json.loads(json.dumps(message, default=float))
    validator = _validator(schema_path.resolve())
    return [
        Problem(None, error.message, path=_json_path(list(error.absolute_path)))
        for error in sorted(validator.iter_errors(plain), key=lambda e: list(map(str, e.path)))
    ]
