"""The loader: idempotent, audited once per change, and all-or-nothing on a bad file."""

from __future__ import annotations

import csv
import json
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from solidarity.audit.models import AuditEntry
from solidarity.reference.loaders import DATA_DIR, ReferenceDataError, load_reference_data
from solidarity.reference.models import (
    Country,
    CrossCuttingApproach,
    GuidingPrinciple,
    Objective,
    PopulationGroup,
    Region,
    SdgGoal,
    SdgIndicator,
    SdgSeries,
    SdgTarget,
    SolidarityType,
    Treaty,
)

pytestmark = pytest.mark.django_db

MODELS = (
    Objective,
    GuidingPrinciple,
    CrossCuttingApproach,
    PopulationGroup,
    SolidarityType,
    Region,
    Country,
    SdgGoal,
    SdgTarget,
    SdgIndicator,
    SdgSeries,
    Treaty,
)


def snapshot() -> dict[str, list[Any]]:
    rows: dict[str, list[Any]] = {
        model.__name__: list(model.objects.order_by("pk").values()) for model in MODELS
    }
    links = SdgSeries.indicators.through.objects.order_by("pk")
    rows["links"] = list(links.values_list("sdgseries_id", "sdgindicator_id"))
    return rows


def empty_catalogue() -> None:
    """Delete every reference row, children before parents (the foreign keys protect)."""
    # The data hub's indicators point at SDG indicators: they go first (the test's transaction
    # puts them back).
    from solidarity.indicators.models import Indicator

    Indicator.objects.all().delete()
    SdgSeries.objects.all().delete()
    SdgIndicator.objects.all().delete()
    SdgTarget.objects.all().delete()
    SdgGoal.objects.all().delete()
    Treaty.objects.exclude(parent=None).delete()
    Treaty.objects.all().delete()
    Country.objects.all().delete()
    for level in ("intermediate", "subregion", "region", "world"):
        Region.objects.filter(level=level).delete()
    for model in (
        Objective,
        GuidingPrinciple,
        CrossCuttingApproach,
        PopulationGroup,
        SolidarityType,
    ):
        model.objects.all().delete()


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped data files."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target, ignore=shutil.ignore_patterns("build", "*.md"))
    return target


def test_second_load_changes_nothing_and_writes_no_audit_row(
    django_assert_max_num_queries: Any,
) -> None:
    before, audits = snapshot(), AuditEntry.objects.count()
    started = time.perf_counter()
    with django_assert_max_num_queries(40):
        counts = load_reference_data(actor="system:tests")
    elapsed = time.perf_counter() - started
    assert snapshot() == before
    assert AuditEntry.objects.count() == audits
    assert counts["objectives"] == 23
    assert counts["guiding principles"] == 10
    assert counts["countries and areas"] == 249
    assert counts["UN member States"] == 193
    assert elapsed < 2.0  # the budget is 1 s; leave room for a slow CI machine


def test_first_load_into_an_empty_catalogue_writes_one_audit_row() -> None:
    empty_catalogue()
    assert not Country.objects.exists()
    audits = AuditEntry.objects.count()
    counts = load_reference_data(actor="system:tests")
    assert AuditEntry.objects.count() == audits + 1
    entry = AuditEntry.objects.latest("pk")
    assert entry.action == "reference.load"
    assert entry.object_type == "reference.catalogue"
    assert entry.actor is None
    assert entry.actor_label == "system:tests"
    assert entry.after == counts
    assert counts["least developed countries"] == 44
    assert counts["SDG series"] == SdgSeries.objects.count() > 0
    assert SdgSeries.indicators.through.objects.count() > SdgSeries.objects.count() - 1


def test_a_changed_row_is_updated_and_audited(data_copy: Path) -> None:
    path = data_copy / "objectives.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    document["objectives"][0]["short_label"] = "Data and evidence"
    path.write_text(json.dumps(document), encoding="utf-8")
    audits = AuditEntry.objects.count()
    load_reference_data(actor="system:tests", data_dir=data_copy)
    assert Objective.objects.get(number=1).short_label == "Data and evidence"
    assert Objective.objects.get(number=2).short_label == "Minimize adverse drivers"
    assert AuditEntry.objects.count() == audits + 1


def test_a_row_removed_from_a_file_is_kept(data_copy: Path) -> None:
    path = data_copy / "guiding_principles.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    document["guiding_principles"] = document["guiding_principles"][:-1]
    path.write_text(json.dumps(document), encoding="utf-8")
    load_reference_data(actor="system:tests", data_dir=data_copy)
    assert GuidingPrinciple.objects.filter(code="j").exists()


def rewrite_csv(path: Path, change: Any) -> int:
    """Apply ``change`` to the rows of a CSV file; return the line number of the changed row."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    fields = list(rows[0])
    line = 0
    for number, row in enumerate(rows, start=2):
        if change(row):
            line = number
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return line


def test_a_malformed_file_names_file_row_and_field_and_writes_nothing(data_copy: Path) -> None:
    # An earlier file carries a valid change, so a partial load would be visible.
    objectives = data_copy / "objectives.json"
    document = json.loads(objectives.read_text(encoding="utf-8"))
    document["objectives"][0]["short_label"] = "Changed"
    objectives.write_text(json.dumps(document), encoding="utf-8")

    def break_kenya(row: dict[str, str]) -> bool:
        if row["iso3"] != "KEN":
            return False
        row["un_member"] = "perhaps"
        return True

    line = rewrite_csv(data_copy / "countries.csv", break_kenya)
    before, audits = snapshot(), AuditEntry.objects.count()
    with pytest.raises(ReferenceDataError) as raised:
        load_reference_data(actor="system:tests", data_dir=data_copy)
    error = raised.value
    assert (error.file, error.row, error.field) == ("countries.csv", line, "un_member")
    assert str(error).startswith(f"countries.csv, row {line}, field 'un_member': ")
    assert snapshot() == before
    assert AuditEntry.objects.count() == audits


def test_an_unknown_reference_is_refused(data_copy: Path) -> None:
    def move_mexico(row: dict[str, str]) -> bool:
        if row["iso3"] != "MEX":
            return False
        row["subregion"] = "999"
        return True

    line = rewrite_csv(data_copy / "countries.csv", move_mexico)
    with pytest.raises(
        ReferenceDataError,
        match=rf"^countries.csv, row {line}, field 'subregion': '999' is not in the catalogue",
    ):
        load_reference_data(actor="system:tests", data_dir=data_copy)


def test_a_repeated_key_is_refused(data_copy: Path) -> None:
    path = data_copy / "treaties.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    document["treaties"].append(dict(document["treaties"][0]))
    path.write_text(json.dumps(document), encoding="utf-8")
    row = len(document["treaties"])
    with pytest.raises(
        ReferenceDataError, match=rf"treaties.json, row {row}, field 'code': 'ICERD' repeats row 1"
    ):
        load_reference_data(actor="system:tests", data_dir=data_copy)


def test_a_bad_date_is_refused(data_copy: Path) -> None:
    path = data_copy / "treaties.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    document["treaties"][2]["adopted"] = "16/12/1966"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ReferenceDataError) as raised:
        load_reference_data(actor="system:tests", data_dir=data_copy)
    assert (raised.value.file, raised.value.row, raised.value.field) == (
        "treaties.json",
        3,
        "adopted",
    )


def test_a_missing_file_is_named(data_copy: Path) -> None:
    (data_copy / "sdg.json").unlink()
    with pytest.raises(ReferenceDataError, match=r"^sdg.json: cannot read the file"):
        load_reference_data(actor="system:tests", data_dir=data_copy)


def test_a_missing_field_is_named(data_copy: Path) -> None:
    path = data_copy / "solidarity_types.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    del document["solidarity_types"][1]["name"]
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(
        ReferenceDataError, match=r"^solidarity_types.json, row 2, field 'name': missing\.$"
    ):
        load_reference_data(actor="system:tests", data_dir=data_copy)


def test_every_json_file_carries_its_source() -> None:
    for path in DATA_DIR.glob("*.json"):
        document = json.loads(path.read_text(encoding="utf-8"))
        assert document.get("_source"), path.name
    provenance = (DATA_DIR / "PROVENANCE.md").read_text(encoding="utf-8")
    for path in [*DATA_DIR.glob("*.json"), *DATA_DIR.glob("*.csv")]:
        assert f"`{path.name}`" in provenance, path.name
