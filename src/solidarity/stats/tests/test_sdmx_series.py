"""SDMX data by series (``dimensionAtObservation`` other than ``AllDimensions``), over the real
UK ONS 10.7.3 file: time series and cross-sections in SDMX-ML 2.1 (generic and
structure-specific) and 3.0 validate against the official schemas and read back with pysdmx and
sdmx1 to the very observations written; SDMX-JSON by series validates and reads back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from lxml import etree  # type: ignore[import-untyped]  # no lxml-stubs pinned here

from solidarity.stats.sdmx import (
    Dataset,
    SdmxStructureError,
    read_sdmx_data,
    read_sdmx_json,
    series_ordered,
    structure_namespace,
    validate_sdmx_json,
    validate_sdmx_ml,
    write_sdmx_json,
    write_sdmx_ml,
)
from solidarity.stats.sdmx import (
    series_dimensions as series_of,
)
from solidarity.stats.tests.test_sdmx_round_trips import exactly, migrant_deaths  # noqa: F401

ML_FORMATS = ["2.1-structure-specific", "2.1-generic", "3.0-structure-specific"]
AT_OBSERVATION = ["TIME_PERIOD", "SEX"]


@pytest.fixture(scope="module")
def deaths(migrant_deaths: Dataset) -> Dataset:  # noqa: F811  # the round trips' fixture
    return migrant_deaths


def grouped(dataset: Dataset, at_observation: str) -> Dataset:
    series = series_of(dataset.structure, at_observation)
    return Dataset(dataset.structure, tuple(series_ordered(dataset.observations, series)))


def as_set(observations: Any) -> set[tuple[object, ...]]:
    return set(exactly(tuple(observations)))


@pytest.mark.parametrize("at_observation", AT_OBSERVATION)
@pytest.mark.parametrize("form", ML_FORMATS)
def test_series_messages_validate_and_read_back(
    deaths: Dataset, shared_data: Path, form: str, at_observation: str
) -> None:
    dataset = grouped(deaths, at_observation)
    message = write_sdmx_ml(
        dataset,
        format=form,  # type: ignore[arg-type]
        dimension_at_observation=at_observation,
    ).encode()
    root = etree.fromstring(message)
    used = root.find("{*}Header/{*}Structure")
    assert used.get("dimensionAtObservation") == at_observation
    series = root.findall("{*}DataSet/{*}Series") + root.findall("{*}DataSet/Series")
    assert series
    assert not root.findall("{*}DataSet/Obs")
    if form != "2.1-generic":
        assert used.get("namespace") == structure_namespace(dataset.structure, at_observation)
    structure = dataset.structure
    assert validate_sdmx_ml(message, schema_dir=shared_data / "sdmx", structure=structure) == []
    expected = as_set(deaths.observations)
    assert len(expected) == 297
    for engine in ("pysdmx", "sdmx1"):
        read = read_sdmx_data(message, structure=structure, engine=engine)
        assert as_set(read.observations) == expected, engine


def test_time_series_group_a_series_per_key(deaths: Dataset) -> None:
    dataset = grouped(deaths, "TIME_PERIOD")
    message = write_sdmx_ml(
        dataset, format="3.0-structure-specific", dimension_at_observation="TIME_PERIOD"
    )
    root = etree.fromstring(message.encode())
    series = root.findall("{*}DataSet/Series")
    keys = {
        tuple(s.get(d) for d in ("CAUSE_OF_DEATH", "REGION_OF_ORIGIN", "AGE", "SEX"))
        for s in series
    }
    assert len(series) == len(keys) == len({o.key for o in deaths.observations})
    first = series[0]
    assert first.get("TIME_PERIOD") is None
    assert [obs.get("TIME_PERIOD") for obs in first][:2] == ["2014", "2015"]


def test_the_pysdmx_engine_writes_series_too(deaths: Dataset) -> None:
    message = write_sdmx_ml(
        deaths,
        format="2.1-structure-specific",
        engine="pysdmx",
        dimension_at_observation="TIME_PERIOD",
    ).encode()
    read = read_sdmx_data(message, structure=deaths.structure)
    assert set(read.observations) == set(deaths.observations)


@pytest.mark.parametrize("at_observation", AT_OBSERVATION)
def test_sdmx_json_by_series_validates_and_reads_back(
    deaths: Dataset, shared_data: Path, at_observation: str
) -> None:
    import io

    out = io.StringIO()
    dataset = grouped(deaths, at_observation)
    assert write_sdmx_json(dataset, out, dimension_at_observation=at_observation) == 297
    content = out.getvalue().encode()
    assert validate_sdmx_json(content, schema_dir=shared_data / "sdmx") == []
    message = json.loads(content)
    dimensions = message["data"]["structures"][0]["dimensions"]
    assert [d["id"] for d in dimensions["observation"]] == [at_observation]
    assert at_observation not in [d["id"] for d in dimensions["series"]]
    assert "series" in message["data"]["dataSets"][0]
    read = read_sdmx_json(content, structure=deaths.structure)
    assert as_set(read.observations) == as_set(deaths.observations)


def test_an_unknown_observation_dimension_is_refused(deaths: Dataset) -> None:
    with pytest.raises(SdmxStructureError, match="GENDER"):
        write_sdmx_ml(deaths, format="2.1-generic", dimension_at_observation="GENDER")


@pytest.mark.parametrize("form", ["2.1-structure-specific", "3.0-structure-specific"])
def test_the_series_schema_checks_codes_and_placement(
    deaths: Dataset, shared_data: Path, form: str
) -> None:
    dataset = grouped(deaths, "SEX")
    message = write_sdmx_ml(dataset, format=form, dimension_at_observation="SEX")  # type: ignore[arg-type]
    schema_dir = shared_data / "sdmx"
    structure = dataset.structure
    wrong_code = message.replace('<Obs SEX="F"', '<Obs SEX="ZZ"', 1).encode()
    assert validate_sdmx_ml(wrong_code, schema_dir=schema_dir, structure=structure)
    time_on_obs = message.replace('<Obs SEX="F"', '<Obs TIME_PERIOD="2014" SEX="F"', 1).encode()
    assert validate_sdmx_ml(time_on_obs, schema_dir=schema_dir, structure=structure)
