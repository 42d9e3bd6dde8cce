"""The table specification: what is accepted, and the exact error for what is not."""

from __future__ import annotations

from pathlib import Path

import pytest

from solidarity.stats.privacy.spec import Spec, SpecError, load_spec, parse_spec


def minimal(**changes: object) -> dict[str, object]:
    document: dict[str, object] = {
        "dataset": "demo",
        "microdata": {"path": "people.csv"},
        "dimensions": {"SEX": {"column": "sex", "codes": {"Male": "M", "Female": "F"}}},
        "tables": [{"id": "T1", "dimensions": ["SEX"]}],
    }
    document.update(changes)
    return document


def error_of(document: object) -> str:
    with pytest.raises(SpecError) as caught:
        parse_spec(document, file="spec.yaml")
    return str(caught.value)


def test_the_example_specification_for_the_adult_extract_is_valid(adult_spec: Spec) -> None:
    assert adult_spec.dataset == "adult-1994"
    assert [t.id for t in adult_spec.tables] == ["T1", "T2", "T3"]
    country = adult_spec.dimensions["COUNTRY_OF_BIRTH"]
    assert country.codes is not None
    assert country.codes["England"] == "GBR"
    assert country.codes["Scotland"] == "GBR"
    assert country.codelist is not None
    assert country.codelist.count("GBR") == 1
    assert country.hierarchy is not None
    assert country.hierarchy.ancestors("MEX") == ["019"]
    assert country.hierarchy.ancestors("YUG") == ["150"]
    assert adult_spec.threshold == 10
    assert adult_spec.max_deviation == 2


def test_builtin_m49_subregions_have_two_levels() -> None:
    spec = parse_spec(
        minimal(
            dimensions={
                "COUNTRY": {"column": "c", "codelist": ["KEN", "MEX"], "hierarchy": "m49-subregion"}
            },
            tables=[{"id": "T", "dimensions": ["COUNTRY"]}],
        ),
        file="spec.yaml",
    )
    hierarchy = spec.dimensions["COUNTRY"].hierarchy
    assert hierarchy is not None
    assert hierarchy.ancestors("KEN") == ["202", "002"]
    assert hierarchy.ancestors("MEX") == ["419", "019"]


def test_a_hierarchy_file_is_read_relative_to_the_specification(tmp_path: Path) -> None:
    (tmp_path / "areas.csv").write_text("code,parent\nNORTH,\nA1,NORTH\nA2,NORTH\nB1,\n")
    (tmp_path / "spec.yaml").write_text(
        "dataset: demo\n"
        "dimensions:\n"
        "  AREA: {column: area, codelist: [A1, A2, B1], hierarchy: {path: areas.csv}}\n"
        "tables: [{id: T, dimensions: [AREA]}]\n"
    )
    spec = load_spec(tmp_path / "spec.yaml")
    hierarchy = spec.dimensions["AREA"].hierarchy
    assert hierarchy is not None
    assert dict(hierarchy.parents) == {"A1": "NORTH", "A2": "NORTH"}
    assert spec.state_dir is None
    assert spec.microdata is None


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([], "spec.yaml: must be a mapping (key: value)"),
        (minimal(dataset="a b"), "spec.yaml, key dataset: must be a name of letters, digits"),
        (minimal(colour="red"), "spec.yaml, key colour: unknown key; expected one of"),
        (minimal(dimensions={}), "spec.yaml, key dimensions: must name at least one dimension"),
        (
            minimal(dimensions={"SEX": {"codes": {"Male": "M"}}}),
            "spec.yaml, key dimensions.SEX.column: must be a non-empty text",
        ),
        (
            minimal(dimensions={"SEX": {"column": "sex", "codes": {"Norway": False}}}),
            "spec.yaml, key dimensions.SEX.codes.Norway: code False must be written in quotes",
        ),
        (
            minimal(dimensions={"SEX": {"column": "sex", "codes": {"Male": "_T"}}}),
            "spec.yaml, key dimensions.SEX.codes.Male: code _T is kept for totals",
        ),
        (
            minimal(
                dimensions={"AGE": {"column": "age", "bins": [[0, 20, "A"], [20, 30, "B"]]}},
                tables=[{"id": "T1", "dimensions": ["AGE"]}],
            ),
            "spec.yaml, key dimensions.AGE.bins: bins A and B overlap",
        ),
        (
            minimal(
                dimensions={"AGE": {"column": "age", "bins": [[30, 20, "A"]]}},
                tables=[{"id": "T1", "dimensions": ["AGE"]}],
            ),
            "spec.yaml, key dimensions.AGE.bins[0]: low is above high",
        ),
        (
            minimal(tables=[{"id": "T1", "dimensions": ["SEX", "AGE"]}]),
            "spec.yaml, key tables[0].dimensions: no dimension 'AGE' is defined under dimensions",
        ),
        (
            minimal(tables=[{"id": "T1", "dimensions": ["SEX"]}, {"id": "T1", "dimensions": []}]),
            "spec.yaml, key tables[1].id: table id T1 is used twice",
        ),
        (minimal(tables=[]), "spec.yaml, key tables: must be a list of at least one table"),
        (
            minimal(privacy_budget={"rho": -1}),
            "spec.yaml, key privacy_budget.rho: must be a positive number",
        ),
        (
            minimal(
                dimensions={
                    "C": {"column": "c", "codelist": ["KEN", "ZZZ"], "hierarchy": "m49-region"}
                },
                tables=[{"id": "T1", "dimensions": ["C"]}],
            ),
            "spec.yaml, key dimensions.C.hierarchy: code 'ZZZ' has no place in the hierarchy",
        ),
        (
            minimal(
                dimensions={"C": {"column": "c", "codelist": ["KEN"], "hierarchy": "m49-planet"}},
                tables=[{"id": "T1", "dimensions": ["C"]}],
            ),
            "spec.yaml, key dimensions.C.hierarchy: unknown hierarchy 'm49-planet'",
        ),
    ],
)
def test_bad_specifications_are_refused_with_the_key(document: object, message: str) -> None:
    assert error_of(document).startswith(message)


def test_a_file_that_is_not_yaml_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text("dataset: demo\ndimensions: [unclosed\n")
    with pytest.raises(SpecError, match=r"spec.yaml: is not valid YAML at line 3"):
        load_spec(path)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match=r"nothing.yaml: no such file"):
        load_spec(tmp_path / "nothing.yaml")


def test_a_cyclic_hierarchy_is_refused(tmp_path: Path) -> None:
    (tmp_path / "h.csv").write_text("code,parent\nA,B\nB,A\n")
    document = minimal(
        dimensions={"C": {"column": "c", "hierarchy": {"path": "h.csv"}}},
        tables=[{"id": "T1", "dimensions": ["C"]}],
    )
    with pytest.raises(SpecError, match="code 'A' is its own ancestor"):
        parse_spec(document, file="spec.yaml", base=tmp_path)
