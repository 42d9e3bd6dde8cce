"""Importing recommendations: all or nothing, the same file twice changes nothing, errors name
the file, the row and the field."""

from __future__ import annotations

import gzip
import time
from pathlib import Path
from typing import Any

import pytest

from solidarity.audit.models import AuditEntry
from solidarity.rights.actions import recommendations_import
from solidarity.rights.formats import RightsFileError
from solidarity.rights.models import Document, ObjectiveLabel, Recommendation
from solidarity.rights.tests.conftest import UHRI_ANNOTATIONS, write_uhri_json

pytestmark = pytest.mark.django_db


def stored() -> list[tuple[Any, ...]]:
    return list(
        Recommendation.objects.order_by("source_key").values_list(
            "source_key", "country_id", "mechanism_id", "position", "text"
        )
    )


def test_a_uhri_json_export_is_imported(uhri_json: Path) -> None:
    result = recommendations_import(actor="system:tests", path=uhri_json, file_format="uhri-json")
    assert (result.rows_read, result.created, result.updated, result.unchanged) == (3, 3, 0, 0)
    cmw = Recommendation.objects.get(mechanism="CMW")
    assert cmw.country_id == "MEX"
    assert cmw.kind == "observation"
    assert cmw.document is not None
    assert cmw.document.symbol == "CMW/C/MEX/CO/3"
    assert str(cmw.published_on) == "2017-09-27"
    assert cmw.affected_persons == ["Migrants", "Children"]
    assert cmw.sdg_targets == ["10.7", "16.3"]
    assert [g.code for g in cmw.population_groups.all()] == ["children-and-adolescents"]
    trafficking = Recommendation.objects.get(source_key=UHRI_ANNOTATIONS[1]["AnnotationId"])
    assert trafficking.recommending_country_id == "PHL"
    assert (trafficking.position, trafficking.session, trafficking.cycle) == (
        "supported",
        "35",
        "3",
    )
    label = trafficking.objective_labels.get()
    assert (label.objective_id, label.provenance) == (10, "official")
    assert label.official_source == "UHRI theme “Trafficking in persons” (crosswalk)"
    assert Document.objects.count() == 2
    entry = AuditEntry.objects.get(action="recommendations.import")
    assert entry.after is not None
    assert entry.after["created"] == 3


def test_the_same_export_again_changes_nothing_even_from_excel(
    uhri_json: Path, uhri_xlsx: Path
) -> None:
    recommendations_import(actor="system:tests", path=uhri_json, file_format="uhri-json")
    before = stored()
    again = recommendations_import(actor="system:tests", path=uhri_json, file_format="uhri-json")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    from_excel = recommendations_import(
        actor="system:tests", path=uhri_xlsx, file_format="uhri-xlsx"
    )
    assert (from_excel.created, from_excel.updated, from_excel.unchanged) == (0, 0, 3)
    assert stored() == before
    assert AuditEntry.objects.filter(action="recommendations.import").count() == 1


def test_a_changed_record_is_updated_and_keeps_its_labels(tmp_path: Path, cast: Any) -> None:
    path = write_uhri_json(tmp_path / "a.json", UHRI_ANNOTATIONS)
    recommendations_import(actor="system:tests", path=path, file_format="uhri-json")
    label = ObjectiveLabel.objects.get()
    label.decision, label.decided_by = "confirmed", cast.reviewer
    label.save()
    changed = [dict(UHRI_ANNOTATIONS[0]), UHRI_ANNOTATIONS[1] | {"UprPositions": ["Noted"]}]
    path = write_uhri_json(tmp_path / "b.json", changed)
    result = recommendations_import(actor="system:tests", path=path, file_format="uhri-json")
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    trafficking = Recommendation.objects.get(source_key=UHRI_ANNOTATIONS[1]["AnnotationId"])
    assert trafficking.position == "noted"
    assert trafficking.objective_labels.get().decision == "confirmed"
    assert [g.code for g in trafficking.population_groups.all()] == ["women-and-girls"]


def test_a_broken_file_changes_nothing(tmp_path: Path) -> None:
    broken = [*UHRI_ANNOTATIONS[:2], UHRI_ANNOTATIONS[2] | {"Countries": ["Atlantis"]}]
    path = write_uhri_json(tmp_path / "broken.json", broken)
    with pytest.raises(RightsFileError) as error:
        recommendations_import(actor="system:tests", path=path, file_format="uhri-json")
    assert str(error.value) == (
        "broken.json, row 3, field 'Countries': no country or area is called 'Atlantis'"
    )
    assert Recommendation.objects.count() == 0
    assert Document.objects.count() == 0
    assert not AuditEntry.objects.filter(action="recommendations.import").exists()


def test_a_truncated_json_file_changes_nothing(tmp_path: Path, uhri_json: Path) -> None:
    path = tmp_path / "cut.json"
    path.write_text(uhri_json.read_text(encoding="utf-8")[:-40], encoding="utf-8")
    with pytest.raises(RightsFileError, match=r"^cut.json, row 3: malformed JSON"):
        recommendations_import(actor="system:tests", path=path, file_format="uhri-json")
    assert Recommendation.objects.count() == 0


def test_the_upr_info_file_in_under_a_minute_and_again_changes_nothing(
    upr_info_csv: Path, tmp_path: Path
) -> None:
    started = time.perf_counter()
    result = recommendations_import(
        actor="system:tests", path=upr_info_csv, file_format="upr-info-csv"
    )
    elapsed = time.perf_counter() - started
    assert (result.rows_read, result.created) == (23_484, 23_484)
    assert elapsed < 60, elapsed
    assert Recommendation.objects.filter(source="upr_info").count() == 23_484
    assert Recommendation.objects.filter(country="AFG", session="5").count() > 0
    assert (
        Recommendation.objects.filter(recommending_country__isnull=True)
        .exclude(recommending_label="(Unknown)")
        .count()
        == 0
    )
    trafficking = ObjectiveLabel.objects.filter(objective=10, provenance="official").count()
    assert trafficking == 799  # UPR Info's "Trafficking" issue count in the file
    snapshot = stored()

    again = recommendations_import(
        actor="system:tests", path=upr_info_csv, file_format="upr-info-csv"
    )
    assert (again.created, again.updated, again.unchanged) == (0, 0, 23_484)
    assert stored() == snapshot

    # The same file with a bad row at its end: nothing of it is stored.
    broken = tmp_path / "broken.csv.gz"
    with gzip.open(upr_info_csv, "rt", encoding="utf-8") as source:
        content = source.read()
    with gzip.open(broken, "wt", encoding="utf-8") as out:
        out.write(content.replace("Submit its delayed reports", "Submit its late reports", 1))
        out.write("Kenya,Africa,AU,A new text.,Chile,GRULAC,,Perhaps,4,Migrants,14,x\n")
    with pytest.raises(RightsFileError) as error:
        recommendations_import(actor="system:tests", path=broken, file_format="upr-info-csv")
    assert str(error.value) == (
        "broken.csv.gz, row 23486, field 'Response': not Accepted or Noted: 'Perhaps'"
    )
    assert stored() == snapshot
