"""``solidarity commitments`` and the commitments API, end to end on real files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from django.test import Client

from solidarity.api.tests.conftest import signed_in_client
from solidarity.cli import main
from solidarity.commitments.models import FinancialCommitment, Pledge

pytestmark = pytest.mark.django_db


def test_import_iati_with_the_schema(settings: Any, iati_dir: Path) -> None:
    settings.IATI_SCHEMA_DIR = str(iati_dir / "schema")
    path = iati_dir / "should-pass" / "21-transaction.xml"
    result = CliRunner().invoke(main, ["commitments", "import-iati", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output == (
        "21-transaction.xml: 1 activities — 1 new, 0 updated, 0 unchanged; "
        "6 transactions stored, 0 without a US-dollar rate.\n"
    )
    again = CliRunner().invoke(main, ["commitments", "import-iati", str(path)])
    assert "0 new, 0 updated, 1 unchanged" in again.output
    assert FinancialCommitment.objects.count() == 1


def test_import_iati_lists_the_problems_and_writes_nothing(settings: Any, iati_dir: Path) -> None:
    settings.IATI_SCHEMA_DIR = str(iati_dir / "schema")
    path = iati_dir / "should-fail" / "transaction" / "41-empty-decimal-value.xml"
    result = CliRunner().invoke(main, ["commitments", "import-iati", str(path)])
    assert result.exit_code == 1
    assert (
        "41-empty-decimal-value.xml, line 26, iati-activity/transaction/value [schema]: "
        "Element 'value': '' is not a valid value of the atomic type 'xs:decimal'."
    ) in result.output
    assert "Not imported: 41-empty-decimal-value.xml has 1 problems." in result.output
    assert not FinancialCommitment.objects.exists()


def test_import_iati_without_the_schema_says_so(settings: Any, iati_dir: Path) -> None:
    settings.IATI_SCHEMA_DIR = ""
    path = iati_dir / "should-pass" / "02-minimal-doc.xml"
    result = CliRunner().invoke(main, ["commitments", "import-iati", str(path)])
    assert result.exit_code == 0
    assert "warning: Schema validation skipped: SOLIDARITY_IATI_SCHEMA_DIR is not set" in (
        result.output
    )


def test_import_iati_reads_a_1x_sample_and_lists_what_it_left_out(
    settings: Any, iati_dir: Path
) -> None:
    settings.IATI_SCHEMA_DIR = str(iati_dir / "schema")
    result = CliRunner().invoke(
        main, ["commitments", "import-iati", str(iati_dir / "samples" / "worldbank.xml")]
    )
    assert result.exit_code == 0, result.output
    assert (
        "warning: IATI 1.0x file: read with the 1.x mapping; 2.03 schema validation does not "
        "apply." in result.output
    )
    assert (
        "iati-activity/transaction/@type [1.x mapping]: 'disbursment' is no IATI 1.x "
        "transaction type code or name: transaction not imported (14 times)" in result.output
    )
    assert "worldbank.xml: 16 activities — 16 new, 0 updated, 0 unchanged; 14 transactions" in (
        result.output
    )


def test_export_iati(settings: Any, iati_dir: Path, tmp_path: Path, kenya_pledge: Pledge) -> None:
    settings.IATI_SCHEMA_DIR = str(iati_dir / "schema")
    out = tmp_path / "ken.xml"
    result = CliRunner().invoke(
        main, ["commitments", "export-iati", "--out", str(out), "--state", "KEN"]
    )
    assert result.exit_code == 0, result.output
    assert result.output == f"{out}: 1 activities (validated against the IATI schema).\n"
    empty = CliRunner().invoke(
        main, ["commitments", "export-iati", "--out", str(tmp_path / "m.xml"), "--state", "MEX"]
    )
    assert empty.exit_code == 1
    assert "nothing to export: no published pledge has money recorded for MEX" in empty.output
    unknown = CliRunner().invoke(
        main, ["commitments", "export-iati", "--out", str(tmp_path / "x.xml"), "--state", "XYZ"]
    )
    assert unknown.exit_code == 2
    assert "no State with the code 'XYZ'" in unknown.output


def test_the_api_lists_and_describes_pledges(kenya_pledge: Pledge) -> None:
    client = Client()
    listed = client.get("/api/v1/pledges?state=UGA").json()
    assert [p["reference"] for p in listed] == [f"P-{kenya_pledge.pk}"]
    pledge = client.get(f"/api/v1/pledges/{kenya_pledge.pk}").json()
    assert pledge["state"] == "KEN"
    assert pledge["partner_states"] == ["UGA"]
    assert pledge["objectives"] == [11, 13]
    assert pledge["pledged_usd"] == "1000000.00" or float(pledge["pledged_usd"]) == 1_000_000
    assert pledge["not_converted"] == 1
    transactions = client.get(f"/api/v1/pledges/{kenya_pledge.pk}/transactions").json()
    assert [t["type"] for t in transactions] == ["12", "2", "3", "3"]
    assert transactions[3]["value_usd"] is None
    summary = client.get("/api/v1/pledges-summary").json()
    assert [row["year"] for row in summary["by_year"]] == [2022, 2023, 2024]
    assert client.get("/api/v1/pledges-disbursed-by-state?year=2024").json().keys() == {"KEN"}
    assert client.get("/api/v1/pledges?objective=40").status_code == 400


def test_the_api_records_a_draft_for_the_callers_state(cast: Any) -> None:
    payload = {
        "state": "KEN",
        "title": "Child-rights training",
        "what": "Train 50 officials.",
        "form": "human_resources",
        "objectives": [13],
    }
    amina = signed_in_client(cast.focal_point_kenya)
    created = amina.post("/api/v1/pledges", payload, content_type="application/json")
    assert created.status_code == 200
    assert created.json()["status"] == "draft"
    diego = signed_in_client(cast.focal_point_mexico)
    refused = diego.post("/api/v1/pledges", payload, content_type="application/json")
    assert refused.status_code == 403
    # The draft is Kenya's: not listed for Mexico's focal point nor for the public.
    assert diego.get("/api/v1/pledges").json() == []
    assert Client().get(f"/api/v1/pledges/{created.json()['id']}").status_code == 404
    invalid = amina.post(
        "/api/v1/pledges", {**payload, "objectives": []}, content_type="application/json"
    )
    assert invalid.status_code == 400
    assert invalid.json() == {"detail": "Name at least one GCM objective the pledge serves."}
    assert Pledge.objects.count() == 1
