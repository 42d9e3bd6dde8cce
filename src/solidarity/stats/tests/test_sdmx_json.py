"""SDMX-JSON 2.1 data messages: SDG 10.7.3 (UK ONS migrant deaths) written, validated against the
official JSON schema and read back; the standard's own sample messages read; broken messages.

Expected figures for the samples are computed from the raw JSON here, not with the reader."""

from __future__ import annotations

import io
import json
import tracemalloc
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from solidarity.stats.sdmx import (
    Dataset,
    Observation,
    SdmxFormatError,
    SdmxStructureError,
    SdmxSyntaxError,
    codelist,
    data_structure,
    dataflow,
    read_sdmx_data,
    read_sdmx_json,
    read_sdmx_structure,
    validate_sdmx_json,
    write_sdmx_json,
)

from .test_sdmx_round_trips import migrant_deaths  # noqa: F401  # the shared fixture


def json_text(dataset: Dataset, **options: Any) -> str:
    out = io.StringIO()
    write_sdmx_json(dataset, out, **options)
    return out.getvalue()


def test_round_trip_validates_and_reads_back(
    migrant_deaths: Dataset,  # noqa: F811
    shared_data: Path,
) -> None:
    flow = dataflow(migrant_deaths.structure, id="DF_MIGRANT_DEATHS", name="Migrant deaths")
    message = json_text(migrant_deaths, dataflow=flow).encode()
    assert validate_sdmx_json(message, schema_dir=shared_data / "sdmx") == []
    read = read_sdmx_json(message, structure=migrant_deaths.structure)
    assert read.observations == tuple(migrant_deaths.observations)
    # read_sdmx_data tells SDMX-JSON from its first byte
    assert read_sdmx_data(message, structure=migrant_deaths.structure) == read


def test_written_message_keeps_values_as_written(migrant_deaths: Dataset) -> None:  # noqa: F811
    message = json.loads(json_text(migrant_deaths), parse_float=str, parse_int=str)
    observations = message["data"]["dataSets"][0]["observations"]
    assert len(observations) == 297
    first = next(iter(observations.values()))
    assert first[0] == "17.0"  # not 17, not 17.000000001
    dimensions = message["data"]["structures"][0]["dimensions"]["observation"]
    assert [d["id"] for d in dimensions] == [
        "CAUSE_OF_DEATH",
        "REGION_OF_ORIGIN",
        "AGE",
        "SEX",
        "TIME_PERIOD",
    ]
    assert [d["keyPosition"] for d in dimensions] == ["0", "1", "2", "3", "4"]


def test_text_with_quotes_and_backslashes_round_trips(
    migrant_deaths: Dataset,  # noqa: F811
    shared_data: Path,
) -> None:
    comment = 'the "other" category\'s \\ share\nof <deaths> & more'
    key = (("CAUSE_OF_DEATH", "_T"), ("REGION_OF_ORIGIN", "_T"), ("AGE", "_T"), ("SEX", "F"))
    dataset = Dataset(
        migrant_deaths.structure,
        (Observation(key, "2014", Decimal("-0.50"), (("COMMENT_OBS", comment),)),),
    )
    message = json_text(dataset).encode()
    assert validate_sdmx_json(message, schema_dir=shared_data / "sdmx") == []
    assert read_sdmx_json(message, structure=dataset.structure) == dataset


def test_writer_streams_in_flat_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    # The spool keeps 4 MiB in memory before it moves to a file; a smaller threshold lets a
    # small, quick dataset show that the observations are not held.
    monkeypatch.setattr("solidarity.stats.sdmx._json._SPOOL_IN_MEMORY", 64 * 1024)
    ages = {f"Y{age}": f"{age} years" for age in range(100)}
    dsd = data_structure(
        agency="SOLIDARITY",
        id="DSD_BIG",
        name="Big",
        dimensions={
            "SEX": codelist("CL_SEX", {"F": "Female", "M": "Male"}, agency="SDMX"),
            "AGE": codelist("CL_AGE", ages, agency="SOLIDARITY"),
        },
        attributes={"COMMENT_OBS": None},
    )

    def observations(count: int) -> Iterator[Observation]:
        for number in range(count):
            yield Observation(
                (("SEX", "FM"[number % 2]), ("AGE", f"Y{number // 2 % 100}")),
                str(1000 + number // 200),
                Decimal(number) / 100,
                (("COMMENT_OBS", "checked"),),
            )

    class Counting:
        size = 0

        def write(self, text: str) -> None:
            self.size += len(text)

    out = Counting()
    tracemalloc.start()
    try:
        written = write_sdmx_json(Dataset(dsd, observations(60_000)), out)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert written == 60_000
    assert out.size > 1_200_000
    assert peak < 400_000, peak  # the message is three times as large


def test_code_outside_its_codelist_is_refused(migrant_deaths: Dataset) -> None:  # noqa: F811
    key = (("CAUSE_OF_DEATH", "_T"), ("REGION_OF_ORIGIN", "_T"), ("AGE", "_T"), ("SEX", "X"))
    dataset = Dataset(migrant_deaths.structure, [Observation(key, "2014", Decimal("1"))])
    with pytest.raises(SdmxStructureError) as caught:
        json_text(dataset)
    assert str(caught.value) == "observation 1: SEX 'X' is not a code of CL_SEX"


# The standard's own samples ---------------------------------------------------------------

SAMPLES = ["exr-flat.json", "exr-time-series.json", "exr-cross-section.json"]


def raw_observations(message: dict[str, Any]) -> dict[tuple[str, str], str]:
    """(CURRENCY, TIME_PERIOD) → OBS_VALUE as written, walking the raw message by hand."""
    structure = message["data"]["structures"][0]["dimensions"]
    data_set = message["data"]["dataSets"][0]
    found: dict[tuple[str, str], str] = {}

    def ids(level: str, key: str) -> dict[str, str]:
        positions = [int(p) for p in key.split(":")] if key else []
        return {
            dimension["id"]: dimension["values"][position]["id"]
            for dimension, position in zip(structure[level], positions, strict=True)
        }

    def add(observations: dict[str, list[Any]], series: dict[str, str]) -> None:
        for key, cells in observations.items():
            codes = {**series, **ids("observation", key)}
            found[codes["CURRENCY"], codes["TIME_PERIOD"]] = cells[0]

    if "observations" in data_set:
        add(data_set["observations"], {})
    for key, series in data_set.get("series", {}).items():
        add(series["observations"], ids("series", key))
    return found


@pytest.mark.parametrize("name", SAMPLES)
def test_sample_messages_validate_and_read(shared_data: Path, name: str) -> None:
    path = shared_data / "sdmx" / "json" / name
    assert validate_sdmx_json(path, schema_dir=shared_data / "sdmx") == []
    expected = raw_observations(json.loads(path.read_text(), parse_float=str))
    structure = read_sdmx_structure(
        shared_data / "sdmx" / "samples-3.0" / "Data Structure Definition" / "ECB_EXR.xml"
    )
    read = tuple(read_sdmx_data(path, structure=structure).observations)
    assert len(read) == len(expected) == 4
    assert {(o.code("CURRENCY"), o.time_period): o.value for o in read} == {
        key: Decimal(value) for key, value in expected.items()
    }
    russian = next(o for o in read if o.code("CURRENCY") == "RUB")
    assert russian.attribute("TITLE") == "Russian rouble (RUB)"
    assert russian.obs_status == "A"
    assert russian.code("FREQ") == "D"  # a data-set-level dimension reaches every observation


# Broken messages ---------------------------------------------------------------------------


@pytest.fixture
def message(migrant_deaths: Dataset) -> dict[str, Any]:  # noqa: F811
    loaded: dict[str, Any] = json.loads(json_text(migrant_deaths), parse_float=Decimal)
    return loaded


def encoded(message: dict[str, Any]) -> bytes:
    return json.dumps(message, default=str).encode()


def test_truncated_json(migrant_deaths: Dataset) -> None:  # noqa: F811
    text = json_text(migrant_deaths).encode()
    with pytest.raises(SdmxSyntaxError, match=r"^line 1 column \d+: the JSON is not well-formed"):
        read_sdmx_json(text[: len(text) // 2], structure=migrant_deaths.structure)


def test_wrong_schema_version(migrant_deaths: Dataset, message: dict[str, Any]) -> None:  # noqa: F811
    message["$schema"] = "https://json.sdmx.org/1.0/sdmx-json-data-schema.json"
    expected = (
        "the message follows the schema 'https://json.sdmx.org/1.0/sdmx-json-data-schema.json'; "
        "SDMX-JSON data messages of version 2.0 or 2.1 are read"
    )
    with pytest.raises(SdmxFormatError) as caught:
        read_sdmx_json(encoded(message), structure=migrant_deaths.structure)
    assert str(caught.value) == expected
    with pytest.raises(SdmxFormatError) as caught:
        validate_sdmx_json(encoded(message), schema_dir="/nonexistent")
    assert str(caught.value) == expected


def test_version_1_layout(migrant_deaths: Dataset) -> None:  # noqa: F811
    with pytest.raises(SdmxFormatError, match=r"SDMX-JSON 1\.0 layout"):
        read_sdmx_json(
            b'{"header": {"id": "X"}, "structure": {}, "dataSets": []}',
            structure=migrant_deaths.structure,
        )


def test_index_pointing_to_no_value(migrant_deaths: Dataset, message: dict[str, Any]) -> None:  # noqa: F811
    observations = message["data"]["dataSets"][0]["observations"]
    first_key = next(iter(observations))
    parts = first_key.split(":")
    parts[3] = "7"  # SEX has three codes
    observations[":".join(parts)] = observations.pop(first_key)
    with pytest.raises(SdmxStructureError) as caught:
        read_sdmx_json(encoded(message), structure=migrant_deaths.structure)
    assert str(caught.value) == (
        f"$.data.dataSets[0].observations['{':'.join(parts)}']: index 7 of SEX points to no "
        "value ($.data.structures[0].dimensions.observation lists 3)"
    )


def test_attribute_index_pointing_to_no_value(
    migrant_deaths: Dataset,  # noqa: F811
    message: dict[str, Any],
) -> None:
    observations = message["data"]["dataSets"][0]["observations"]
    first_key = next(iter(observations))
    observations[first_key][1] = 99  # OBS_STATUS
    with pytest.raises(SdmxStructureError, match=r"index 99 of OBS_STATUS points to no value"):
        read_sdmx_json(encoded(message), structure=migrant_deaths.structure)


def test_key_of_the_wrong_length(migrant_deaths: Dataset, message: dict[str, Any]) -> None:  # noqa: F811
    observations = message["data"]["dataSets"][0]["observations"]
    observations["0:0"] = observations.pop(next(iter(observations)))
    with pytest.raises(SdmxStructureError) as caught:
        read_sdmx_json(encoded(message), structure=migrant_deaths.structure)
    assert str(caught.value) == (
        "$.data.dataSets[0].observations['0:0']: the key '0:0' has 2 positions; the "
        "observation level has 5 dimensions"
    )


def test_duplicate_key(migrant_deaths: Dataset) -> None:  # noqa: F811
    text = json_text(migrant_deaths)
    head, _, rest = text.partition('"observations":{')
    first = rest.split("],", 1)[0] + "]"
    broken = f'{head}"observations":{{{first},{rest}'.encode()
    with pytest.raises(SdmxStructureError, match=r"^the key '[0-9:]+' appears twice"):
        read_sdmx_json(broken, structure=migrant_deaths.structure)


def test_validation_reports_json_paths(message: dict[str, Any], shared_data: Path) -> None:
    del message["meta"]["prepared"]
    message["data"]["dataSets"][0]["action"] = "Overwrite"
    problems = validate_sdmx_json(encoded(message), schema_dir=shared_data / "sdmx")
    assert [(p.path, p.message) for p in problems] == [
        (
            "$.data.dataSets[0].action",
            "'Overwrite' is not one of ['Merge', 'Replace', 'Delete', 'Append', 'Information']",
        ),
        ("$.meta", "'prepared' is a required property"),
    ]


def test_not_json_at_all(migrant_deaths: Dataset) -> None:  # noqa: F811
    with pytest.raises(SdmxSyntaxError, match="not UTF-8"):
        read_sdmx_json(b'{"meta": "\xff"}', structure=migrant_deaths.structure)
