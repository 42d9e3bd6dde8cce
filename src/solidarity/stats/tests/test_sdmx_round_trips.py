"""SDMX exchange against real data: SDG 10.7.3 (UK ONS migrant deaths) written in every format,
validated against the official SDMX-ML schemas, read back with pysdmx and sdmx1; the standard's
own ECB sample messages; and broken inputs.

Expected figures for the samples are computed from the files with lxml, not with the readers."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree  # type: ignore[import-untyped]  # no lxml-stubs pinned here

from solidarity.stats.opensdg import read_open_sdg
from solidarity.stats.sdmx import (
    Dataset,
    Observation,
    SdmxError,
    SdmxFormatError,
    SdmxStructureError,
    SdmxSyntaxError,
    codelist,
    data_structure,
    dataflow,
    read_sdmx_data,
    read_sdmx_structure,
    validate_sdmx_ml,
    write_sdmx_csv,
    write_sdmx_ml,
    write_sdmx_structure,
)

COLUMNS = {
    "Cause of death": "CAUSE_OF_DEATH",
    "Region of origin": "REGION_OF_ORIGIN",
    "Age": "AGE",
    "Sex": "SEX",
}
SEX_CODES = {None: "_T", "Female": "F", "Male": "M"}


def code_of(label: str | None) -> str:
    """The test's label-to-code mapping: blank is the total, other labels are slugged."""
    if label is None:
        return "_T"
    return re.sub(r"[^A-Z0-9]+", "_", label.upper()).strip("_")


@pytest.fixture(scope="module")
def migrant_deaths(shared_data: Path) -> Dataset:
    reading = read_open_sdg(shared_data / "indicators" / "uk_ons_sdg_indicator_10-7-3.csv")
    source = list(reading.observations())
    labels: dict[str, dict[str, str]] = {dimension: {} for dimension in COLUMNS.values()}
    observations = []
    for row in source:
        key = []
        for column, label in row.dimensions:
            dimension = COLUMNS[column]
            code = SEX_CODES[label] if dimension == "SEX" else code_of(label)
            labels[dimension][code] = label or "Total"
            key.append((dimension, code))
        attributes = [
            ("OBS_STATUS", row.obs_status),
            ("UNIT_MEASURE", "NUMBER" if row.unit == "Number" else row.unit),
            ("UNIT_MULT", None if row.unit_multiplier is None else str(row.unit_multiplier)),
            ("COMMENT_OBS", "Missing Migrants Project & IOM <GMDAC>" if row.row == 2 else None),
        ]
        observations.append(
            Observation(
                tuple(key),
                row.time_period,
                row.value,
                tuple((name, value) for name, value in attributes if value is not None),
            )
        )
    structure = data_structure(
        agency="SOLIDARITY",
        id="DSD_MIGRANT_DEATHS",
        name="Deaths and disappearances during migration (SDG 10.7.3)",
        dimensions={
            dimension: codelist(f"CL_{dimension}", codes, agency="SOLIDARITY")
            for dimension, codes in labels.items()
        },
    )
    return Dataset(structure, tuple(observations))


def test_the_dataset_is_the_whole_file(migrant_deaths: Dataset) -> None:
    observations = tuple(migrant_deaths.observations)
    assert len(observations) == 297  # data rows of the file
    first = observations[0]
    assert first.time_period == "2014"
    assert first.value == Decimal("17.0")
    assert dict(first.key) == {
        "CAUSE_OF_DEATH": "_T",
        "REGION_OF_ORIGIN": "_T",
        "AGE": "_T",
        "SEX": "_T",
    }
    assert len({(o.key, o.time_period) for o in observations}) == 297


FORMATS = [
    "csv-1.0",
    "csv-2.0",
    "2.1-structure-specific",
    "2.1-generic",
    "3.0-structure-specific",
]


def written(dataset: Dataset, form: str) -> bytes:
    if form.startswith("csv-"):
        version = form.removeprefix("csv-")
        return "".join(write_sdmx_csv(dataset, version=version)).encode()  # type: ignore[arg-type]
    return write_sdmx_ml(dataset, format=form).encode()  # type: ignore[arg-type]


def exactly(observations: object) -> list[tuple[object, ...]]:
    """Observations with their values as written: Decimal("17.0") == Decimal("17") would hide
    a writer that drops the trailing zero."""
    assert isinstance(observations, tuple)
    return [(o.key, o.time_period, str(o.value), o.attributes) for o in observations]


@pytest.mark.parametrize("form", FORMATS)
def test_round_trip_with_pysdmx(migrant_deaths: Dataset, form: str) -> None:
    message = written(migrant_deaths, form)
    read = read_sdmx_data(message, structure=migrant_deaths.structure)
    assert exactly(read.observations) == exactly(migrant_deaths.observations)


@pytest.mark.parametrize("form", [f for f in FORMATS if not f.startswith("csv-")])
def test_round_trip_with_sdmx1(migrant_deaths: Dataset, form: str) -> None:
    message = written(migrant_deaths, form)
    read = read_sdmx_data(message, structure=migrant_deaths.structure, engine="sdmx1")
    assert exactly(read.observations) == exactly(migrant_deaths.observations)


@pytest.mark.parametrize("form", [f for f in FORMATS if not f.startswith("csv-")])
def test_round_trip_of_pysdmx_engine_loses_only_trailing_zeros(
    migrant_deaths: Dataset, form: str
) -> None:
    message = write_sdmx_ml(migrant_deaths, format=form, engine="pysdmx").encode()  # type: ignore[arg-type]
    read = read_sdmx_data(message, structure=migrant_deaths.structure)
    assert read.observations == tuple(migrant_deaths.observations)
    assert exactly(read.observations) != exactly(migrant_deaths.observations)


def test_written_csv_has_a_line_per_observation(migrant_deaths: Dataset) -> None:
    lines = list(write_sdmx_csv(migrant_deaths, version="1.0"))
    assert len(lines) == 298
    assert lines[0] == (
        "DATAFLOW,CAUSE_OF_DEATH,REGION_OF_ORIGIN,AGE,SEX,TIME_PERIOD,OBS_VALUE,OBS_STATUS,"
        "CONF_STATUS,UNIT_MEASURE,UNIT_MULT,COMMENT_OBS\r\n"
    )
    assert lines[1] == (
        "SOLIDARITY:DSD_MIGRANT_DEATHS(1.0),_T,_T,_T,_T,2014,17.0,A,,NUMBER,0,"
        "Missing Migrants Project & IOM <GMDAC>\r\n"
    )


def test_generic_data_validates_against_the_official_schema(
    migrant_deaths: Dataset, shared_data: Path
) -> None:
    message = written(migrant_deaths, "2.1-generic")
    assert validate_sdmx_ml(message, schema_dir=shared_data / "sdmx") == []


@pytest.mark.parametrize("form", ["2.1-structure-specific", "3.0-structure-specific"])
def test_structure_specific_data_validate_fully_with_their_structure(
    migrant_deaths: Dataset, shared_data: Path, form: str
) -> None:
    message = written(migrant_deaths, form)
    schema_dir = shared_data / "sdmx"
    assert (
        validate_sdmx_ml(message, schema_dir=schema_dir, structure=migrant_deaths.structure) == []
    )


@pytest.mark.parametrize("form", ["2.1-structure-specific", "3.0-structure-specific"])
def test_structure_specific_data_fail_only_on_their_own_type(
    migrant_deaths: Dataset, shared_data: Path, form: str
) -> None:
    """Without the structure: the data set's xsi:type lives in a schema derived from the
    structure, which the official schemas do not hold: that is the only complaint."""
    problems = validate_sdmx_ml(written(migrant_deaths, form), schema_dir=shared_data / "sdmx")
    assert problems
    assert all(
        "xsi:type" in problem.message or "abstract" in problem.message for problem in problems
    )


@pytest.mark.parametrize("version", ["2.1", "3.0"])
def test_structure_messages_validate_and_read_back(
    migrant_deaths: Dataset, shared_data: Path, version: str
) -> None:
    structure = migrant_deaths.structure
    flow = dataflow(structure, id="DF_MIGRANT_DEATHS", name="Migrant deaths")
    message = write_sdmx_structure(structure, version=version, flows=[flow])  # type: ignore[arg-type]
    assert validate_sdmx_ml(message.encode(), schema_dir=shared_data / "sdmx") == []
    read = read_sdmx_structure(message.encode())
    assert [c.id for c in read.components] == [c.id for c in structure.components]
    for dimension in ("CAUSE_OF_DEATH", "REGION_OF_ORIGIN", "AGE", "SEX"):
        assert [code.id for code in read.components[dimension].local_codes] == [
            code.id for code in structure.components[dimension].local_codes
        ]
    # and the data read with the structure read back are the same
    data = written(migrant_deaths, "csv-2.0")
    assert read_sdmx_data(data, structure=read).observations == migrant_deaths.observations


# The standard's own samples ---------------------------------------------------------------

SAMPLES = "sdmx/samples-3.0"


def test_ecb_sample_structure_reads(shared_data: Path) -> None:
    path = shared_data / SAMPLES / "Data Structure Definition" / "ECB_EXR.xml"
    ns = "{http://www.sdmx.org/resources/sdmxml/schemas/v3_0/structure}"
    tree = etree.parse(str(path))
    dimension_list = next(tree.iter(f"{ns}DimensionList"))
    expected = [element.get("id") for element in dimension_list if element.get("id")]
    attribute_list = next(tree.iter(f"{ns}AttributeList"))
    structure = read_sdmx_structure(path)
    assert (structure.agency, structure.id) == ("ECB", "ECB_EXR")
    assert [c.id for c in structure.components.dimensions] == expected
    assert len(structure.components.attributes) == len(attribute_list.findall(f"{ns}Attribute"))


def test_ecb_sample_data_read_with_both_libraries(shared_data: Path) -> None:
    structure = read_sdmx_structure(
        shared_data / SAMPLES / "Data Structure Definition" / "ECB_EXR.xml"
    )
    path = shared_data / SAMPLES / "Data - Simple Data Attributes" / "ECB_EXR.xml"
    obs_elements = [e for e in etree.parse(str(path)).iter() if etree.QName(e).localname == "Obs"]
    first = obs_elements[0]
    series = first.getparent()
    for engine in ("pysdmx", "sdmx1"):
        try:
            dataset = read_sdmx_data(path, structure=structure, engine=engine)
        except SdmxError as error:
            pytest.fail(f"{engine}: {error}")
        observations = dataset.observations
        assert isinstance(observations, tuple)
        assert len(observations) == len(obs_elements) == 116
        assert observations[0].time_period == first.get("TIME_PERIOD")
        assert observations[0].value == Decimal(first.get("OBS_VALUE"))
        assert observations[0].code("CURRENCY") == series.get("CURRENCY")
        assert observations[0].obs_status == first.get("OBS_STATUS")


def test_ecb_sample_messages_validate(shared_data: Path) -> None:
    for name in ("Data Structure Definition/ECB_EXR.xml", "Codelist/codelist.xml"):
        assert validate_sdmx_ml(shared_data / SAMPLES / name, schema_dir=shared_data / "sdmx") == []


# Broken inputs -----------------------------------------------------------------------------


def test_truncated_xml(migrant_deaths: Dataset) -> None:
    message = written(migrant_deaths, "2.1-generic")
    with pytest.raises(SdmxSyntaxError, match=r"^line \d+: the XML is not well-formed"):
        read_sdmx_data(message[: len(message) // 2], structure=migrant_deaths.structure)


def test_wrong_namespace(migrant_deaths: Dataset) -> None:
    message = written(migrant_deaths, "2.1-generic").replace(b"v2_1/message", b"v9_9/message")
    with pytest.raises(SdmxFormatError) as caught:
        read_sdmx_data(message, structure=migrant_deaths.structure)
    assert str(caught.value) == (
        "line 2: the root element 'GenericData' is in namespace "
        "'http://www.sdmx.org/resources/sdmxml/schemas/v9_9/message', which is not an "
        "SDMX-ML 2.1 or 3.0 message namespace"
    )


def test_unknown_dimension_in_csv_header(migrant_deaths: Dataset) -> None:
    message = written(migrant_deaths, "csv-1.0").replace(b",SEX,", b",GENDER,", 1)
    with pytest.raises(SdmxStructureError, match=r"^line 1: column 'GENDER' is not a component"):
        read_sdmx_data(message, structure=migrant_deaths.structure)


def test_bom(migrant_deaths: Dataset) -> None:
    message = b"\xef\xbb\xbf" + written(migrant_deaths, "csv-2.0")
    with pytest.raises(SdmxFormatError, match="byte-order mark"):
        read_sdmx_data(message, structure=migrant_deaths.structure)


def test_semicolons(migrant_deaths: Dataset) -> None:
    message = written(migrant_deaths, "csv-2.0").replace(b",", b";")
    with pytest.raises(SdmxFormatError) as caught:
        read_sdmx_data(message, structure=migrant_deaths.structure)
    assert str(caught.value) == (
        "line 1: the columns are separated by semicolons; SDMX-CSV separates them by commas"
    )


def test_unknown_code(migrant_deaths: Dataset) -> None:
    message = written(migrant_deaths, "csv-1.0").replace(b",_T,2014,", b",X,2014,", 1)
    with pytest.raises(SdmxStructureError) as caught:
        read_sdmx_data(message, structure=migrant_deaths.structure)
    assert str(caught.value) == "observation 1: SEX 'X' is not a code of CL_SEX"


def test_value_pysdmx_would_mangle_is_refused_by_its_engine(migrant_deaths: Dataset) -> None:
    dataset = Dataset(
        migrant_deaths.structure,
        [
            Observation(
                (("CAUSE_OF_DEATH", "_T"), ("REGION_OF_ORIGIN", "_T"), ("AGE", "_T"), ("SEX", "F")),
                "2014",
                Decimal("1"),
                (("COMMENT_OBS", 'the "other" category'),),
            )
        ],
    )
    with pytest.raises(SdmxError, match="quote"):
        write_sdmx_ml(dataset, format="3.0-structure-specific", engine="pysdmx")
    csv_text = "".join(write_sdmx_csv(dataset)).encode()
    assert read_sdmx_data(csv_text, structure=dataset.structure).observations == tuple(
        dataset.observations
    )
