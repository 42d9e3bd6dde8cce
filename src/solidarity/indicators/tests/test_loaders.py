# Tests read optional relations (code, parent) that the catalogue is known to fill.
# mypy: disable-error-code="union-attr,arg-type"
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from solidarity.audit.models import AuditEntry
from solidarity.indicators.loaders import DATA_DIR, load_indicator_catalogue
from solidarity.indicators.models import Code, Dimension, Indicator, LabelMapping
from solidarity.reference.loaders import ReferenceDataError
from solidarity.reference.models import Country, Region, SdgIndicator

pytestmark = pytest.mark.django_db

DIMENSIONS = {
    "SEX",
    "AGE",
    "MIGRATORY_STATUS",
    "CITIZENSHIP",
    "COUNTRY_OF_BIRTH",
    "ORIGIN",
    "RACE_ETHNICITY",
    "DISABILITY_STATUS",
    "URBANISATION",
    "INCOME_WEALTH_QUANTILE",
    "REF_AREA",
    "TIME_PERIOD",
}


def test_the_catalogue_is_loaded_with_every_dimension_and_indicator():
    assert set(Dimension.objects.values_list("code", flat=True)) == DIMENSIONS
    assert Indicator.objects.count() == 22
    assert Indicator.objects.filter(sdg_indicator__isnull=True).count() == 2
    # Every migration-relevant SDG indicator is in the catalogue, linked, not copied.
    relevant = set(
        SdgIndicator.objects.filter(migration_relevant=True).values_list("code", flat=True)
    )
    assert len(relevant) == 18
    assert relevant <= set(Indicator.objects.values_list("sdg_indicator", flat=True))
    deaths = Indicator.objects.get(code="10.7.3")
    assert deaths.name == deaths.sdg_indicator.description
    assert list(deaths.objectives.values_list("number", flat=True)) == [8]
    assert set(deaths.sdg_series.values_list("code", flat=True)) == {"SM_DTH_MIGR"}
    stock = Indicator.objects.get(code="GCM_MIGRANT_STOCK")
    assert list(stock.objectives.values_list("number", flat=True)) == [1, 23]
    assert [d.code for d in stock.dimensions.order_by("indicatordimension__order")] == [
        "REF_AREA",
        "TIME_PERIOD",
        "SEX",
        "AGE",
        "ORIGIN",
        "COUNTRY_OF_BIRTH",
        "CITIZENSHIP",
    ]
    assert Indicator.objects.get(code="10.c.1").objectives.get().number == 20
    assert Indicator.objects.get(code="10.7.1").objectives.get().number == 6
    assert Indicator.objects.get(code="10.3.1").objectives.get().number == 17


def test_sdg_concepts_and_codes():
    concept = dict(Dimension.objects.values_list("code", "sdg_concept"))
    assert concept["SEX"] == "SEX"
    assert concept["MIGRATORY_STATUS"] == "COMPOSITE_BREAKDOWN"
    assert concept["CITIZENSHIP"] == "COMPOSITE_BREAKDOWN"
    assert concept["COUNTRY_OF_BIRTH"] == "COMPOSITE_BREAKDOWN"
    assert Dimension.objects.get(code="RACE_ETHNICITY").provider_specific
    sex = dict(Code.objects.filter(dimension="SEX").values_list("code", "sdg_code"))
    assert sex == {"_T": "_T", "F": "F", "M": "M", "_U": "", "_O": ""}
    assert Code.objects.get(dimension="MIGRATORY_STATUS", code="MIGRANT").sdg_code == "MS_MIGRANT"


def test_age_groups_form_a_hierarchy():
    code = Code.objects.select_related("parent").get
    assert code(dimension="AGE", code="Y20T24").parent.code == "Y15T24"
    assert code(dimension="AGE", code="Y15T24").parent.code == "Y15T64"
    assert code(dimension="AGE", code="Y15T64").parent.code == "_T"
    assert code(dimension="AGE", code="Y_GE85").parent.code == "Y_GE65"
    assert code(dimension="AGE", code="Y0T4").parent.code == "Y_LT15"


def test_place_codelists_are_made_from_the_reference_catalogue():
    places = Region.objects.count() + Country.objects.count()
    for dimension in ("REF_AREA", "CITIZENSHIP", "COUNTRY_OF_BIRTH", "ORIGIN"):
        generated = Code.objects.filter(dimension=dimension).exclude(code__in=["_T", "_U"])
        assert generated.count() == places
    kenya = Code.objects.select_related("parent__parent").get(dimension="REF_AREA", code="404")
    assert kenya.name == "Kenya"
    assert kenya.sdg_code == "404"
    assert kenya.parent.code == "014"  # Eastern Africa
    assert kenya.parent.parent.code == "202"  # Sub-Saharan Africa
    afghanistan = Code.objects.get(dimension="REF_AREA", code="004")
    assert afghanistan.sdg_code == "4"
    assert Code.objects.get(dimension="ORIGIN", code="404").sdg_code == ""
    assert not Code.objects.filter(dimension="REF_AREA", code="_T").exists()


def test_default_mappings():
    def value(label, dimension):
        return LabelMapping.objects.get(
            provider=None, kind="value", dimension=dimension, normalised_label=label
        ).code.code

    assert value("women", "SEX") == "F"
    assert value("", "SEX") == "_T"
    assert value("total", "MIGRATORY_STATUS") == "_T"
    assert value("immigrants", "MIGRATORY_STATUS") == "MIGRANT"
    columns = dict(
        LabelMapping.objects.filter(provider=None, kind="column").values_list(
            "normalised_label", "dimension"
        )
    )
    assert columns["gender"] == columns["sex"] == "SEX"
    assert columns["country of birth"] == "COUNTRY_OF_BIRTH"
    assert columns["disability status"] == "DISABILITY_STATUS"
    assert columns["immigrant status"] == "MIGRATORY_STATUS"


def test_loading_again_writes_nothing(django_assert_max_num_queries):
    entries = AuditEntry.objects.count()
    with django_assert_max_num_queries(30):
        counts = load_indicator_catalogue(actor="system:tests")
    assert AuditEntry.objects.count() == entries
    assert counts["indicators"] == 22
    assert counts["dimensions"] == 12


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def edit(path: Path, section: str, row: int, **changes):
    document = json.loads(path.read_text())
    document[section][row - 1].update(changes)
    path.write_text(json.dumps(document))


def test_a_change_is_written_with_one_audit_row(data_copy):
    edit(data_copy / "indicators.json", "indicators", 1, unit="People")
    edit(data_copy / "codelists.json", "codes", 2, name="Women")
    before = AuditEntry.objects.filter(action="indicators.load").count()
    load_indicator_catalogue(actor="system:tests", data_dir=data_copy)
    assert Indicator.objects.get(code="GCM_MIGRANT_STOCK").unit == "People"
    assert Code.objects.get(dimension="SEX", code="F").name == "Women"
    assert AuditEntry.objects.filter(action="indicators.load").count() == before + 1


@pytest.mark.parametrize(
    ("file", "section", "row", "changes", "message"),
    [
        (
            "indicators.json",
            "indicators",
            3,
            {"objectives": [8, 24]},
            "indicators.json, row 3, field 'objectives': 24 is not a GCM objective.",
        ),
        (
            "indicators.json",
            "indicators",
            2,
            {"dimensions": ["SEX", "GENDER"]},
            "indicators.json, row 2, field 'dimensions': 'GENDER' is not a dimension.",
        ),
        (
            "indicators.json",
            "indicators",
            4,
            {"sdg_indicator": "99.9.9"},
            "indicators.json, row 4, field 'sdg_indicator': '99.9.9' is not an SDG indicator "
            "of the catalogue.",
        ),
        (
            "indicators.json",
            "indicators",
            1,
            {"min_value": "lots"},
            "indicators.json, row 1, field 'min_value': “lots” value must be a decimal number.",
        ),
        (
            "codelists.json",
            "codes",
            3,
            {"parent": "X"},
            "codelists.json, row 3, field 'parent': 'X' is not a code of SEX in the file.",
        ),
        (
            "codelists.json",
            "codes",
            1,
            {"dimension": "GENDER"},
            "codelists.json, row 1, field 'dimension': 'GENDER' is not a dimension.",
        ),
        (
            "default_mappings.json",
            "mappings",
            14,
            {"code": "W"},
            "default_mappings.json, row 14, field 'code': 'W' is not a code of SEX.",
        ),
        (
            "dimensions.json",
            "dimensions",
            1,
            {"name": None},
            "dimensions.json, row 1, field 'name': This field cannot be null.",
        ),
    ],
)
def test_a_bad_value_is_named_by_file_row_and_field(
    data_copy, file, section, row, changes, message
):
    edit(data_copy / file, section, row, **changes)
    entries = AuditEntry.objects.count()
    with pytest.raises(ReferenceDataError) as caught:
        load_indicator_catalogue(actor="system:tests", data_dir=data_copy)
    assert str(caught.value) == message
    assert AuditEntry.objects.count() == entries


def test_a_missing_file_is_named(data_copy):
    (data_copy / "indicators.json").unlink()
    with pytest.raises(ReferenceDataError, match=r"^indicators\.json: cannot read the file"):
        load_indicator_catalogue(actor="system:tests", data_dir=data_copy)
