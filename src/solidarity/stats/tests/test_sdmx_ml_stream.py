"""The streaming SDMX-ML writer: text pysdmx cannot write, control characters, memory, files, and
the schema derived from a structure catching what the official schemas cannot."""

from __future__ import annotations

import io
import tracemalloc
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree  # type: ignore[import-untyped]  # no lxml-stubs pinned here

from solidarity.stats.sdmx import (
    Dataset,
    MlDataFormat,
    Observation,
    SdmxError,
    codelist,
    data_structure,
    read_sdmx_data,
    stream_sdmx_ml,
    structure_namespace,
    structure_specific_schema,
    validate_sdmx_ml,
    write_sdmx_ml,
)

from .test_sdmx_round_trips import migrant_deaths  # noqa: F401  # the shared fixture

FORMATS: list[MlDataFormat] = ["2.1-generic", "2.1-structure-specific", "3.0-structure-specific"]
KEY = (("CAUSE_OF_DEATH", "_T"), ("REGION_OF_ORIGIN", "_T"), ("AGE", "_T"), ("SEX", "F"))


@pytest.mark.parametrize("form", FORMATS)
def test_quotes_apostrophes_backslashes_round_trip(
    migrant_deaths: Dataset,  # noqa: F811
    shared_data: Path,
    form: MlDataFormat,
) -> None:
    comments = [
        'the "other" category',
        "l'Office national",
        "C:\\data\\deaths.csv",
        "<GMDAC> & IOM",
        "first line\nsecond line\tand a tab",
    ]
    dataset = Dataset(
        migrant_deaths.structure,
        tuple(
            Observation(KEY, str(2014 + number), Decimal("0.10"), (("COMMENT_OBS", comment),))
            for number, comment in enumerate(comments)
        ),
    )
    message = write_sdmx_ml(dataset, format=form).encode()
    schema_dir = shared_data / "sdmx"
    assert validate_sdmx_ml(message, schema_dir=schema_dir, structure=dataset.structure) == []
    for engine in ("pysdmx", "sdmx1"):
        read = read_sdmx_data(message, structure=dataset.structure, engine=engine)
        assert [o.attribute("COMMENT_OBS") for o in read.observations] == comments, engine
        assert [str(o.value) for o in read.observations] == ["0.10"] * len(comments), engine


def test_control_character_is_refused(migrant_deaths: Dataset) -> None:  # noqa: F811
    dataset = Dataset(
        migrant_deaths.structure,
        [
            Observation(KEY, "2014", Decimal("1")),
            Observation(KEY, "2015", Decimal("1"), (("COMMENT_OBS", "bell\x07"),)),
        ],
    )
    with pytest.raises(SdmxError) as caught:
        write_sdmx_ml(dataset, format="3.0-structure-specific")
    assert str(caught.value) == (
        "observation 2: All strings must be XML compatible: Unicode or ASCII, no NULL bytes or "
        "control characters; XML 1.0 cannot carry control characters: remove them from the "
        "value or export it as SDMX-CSV or SDMX-JSON"
    )


@pytest.mark.parametrize("form", ["2.1-generic", "3.0-structure-specific"])
def test_writer_streams_in_flat_memory(form: MlDataFormat) -> None:
    dsd = data_structure(
        agency="SOLIDARITY",
        id="DSD_BIG",
        name="Big",
        dimensions={"SEX": codelist("CL_SEX", {"F": "Female", "M": "Male"}, agency="SDMX")},
        attributes={"COMMENT_OBS": None},
    )

    def observations(count: int) -> Iterator[Observation]:
        for number in range(count):
            yield Observation(
                (("SEX", "FM"[number % 2]),),
                str(1000 + number // 2),
                Decimal(number) / 100,
                (("COMMENT_OBS", "checked"),),
            )

    class Counting:
        size = 0

        def write(self, data: bytes) -> None:
            self.size += len(data)

    out = Counting()
    tracemalloc.start()
    try:
        written = stream_sdmx_ml(Dataset(dsd, observations(20_000)), out, format=form)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert written == 20_000
    assert out.size > 1_400_000
    assert peak < 500_000, peak  # what is held is a few observations, not the message


def test_stream_to_a_file(migrant_deaths: Dataset, tmp_path: Path) -> None:  # noqa: F811
    path = tmp_path / "deaths.xml"
    assert stream_sdmx_ml(migrant_deaths, path, format="2.1-generic") == 297
    read = read_sdmx_data(path, structure=migrant_deaths.structure)
    assert read.observations == tuple(migrant_deaths.observations)


def test_derived_schema_catches_codes_and_values(
    migrant_deaths: Dataset,  # noqa: F811
    shared_data: Path,
) -> None:
    message = write_sdmx_ml(migrant_deaths, format="2.1-structure-specific")
    broken = message.replace('SEX="F"', 'SEX="X"', 1).replace(
        'OBS_VALUE="17.0"', 'OBS_VALUE="n/a"', 1
    )
    problems = validate_sdmx_ml(
        broken.encode(), schema_dir=shared_data / "sdmx", structure=migrant_deaths.structure
    )
    messages = [problem.message for problem in problems]
    assert any(
        "attribute 'SEX': [facet 'enumeration'] The value 'X' is not an element of the set" in m
        for m in messages
    ), messages
    assert any(
        "attribute 'OBS_VALUE': 'n/a' is not a valid value of the atomic type 'xs:decimal'" in m
        for m in messages
    ), messages
    assert all(problem.line is not None for problem in problems)


@pytest.mark.parametrize("version", ["2.1", "3.0"])
def test_derived_schema_is_published_like_the_ecb_sample(
    migrant_deaths: Dataset,  # noqa: F811
    shared_data: Path,
    version: str,
) -> None:
    """The schema stands on its own beside the message, as ECB_EXR_Dataflow.xsd does."""
    official = shared_data / "sdmx" / f"schemas-{version}"
    schema = structure_specific_schema(
        migrant_deaths.structure,
        version=version,  # type: ignore[arg-type]
        schema_location=official.as_uri(),
    )
    tree = etree.fromstring(schema)
    assert tree.get("targetNamespace") == structure_namespace(migrant_deaths.structure)
    sex = tree.find("{http://www.w3.org/2001/XMLSchema}simpleType[@name='SEX_CodeType']")
    assert [e.get("value") for e in sex.iter("{*}enumeration")] == ["_T", "F", "M"]
    etree.XMLSchema(tree)  # compiles against the official schemas


def test_default_writer_is_not_pysdmx(migrant_deaths: Dataset) -> None:  # noqa: F811
    stream = io.BytesIO()
    stream_sdmx_ml(migrant_deaths, stream, format="3.0-structure-specific")
    lines = stream.getvalue().decode().splitlines()
    assert lines[-3].strip().startswith("<Obs ")
    assert 'OBS_VALUE="17.0"' in write_sdmx_ml(migrant_deaths, format="3.0-structure-specific")
