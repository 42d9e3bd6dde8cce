"""The API: public reads with filters, and writes through the same actions and rules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from solidarity.api.tests.conftest import signed_in_client
from solidarity.rights.actions import recommendations_import, rights_reference_load
from solidarity.rights.models import Recommendation
from solidarity.rights.tests.conftest import UHRI_ANNOTATIONS

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(uhri_json: Path) -> Recommendation:
    recommendations_import(actor="system:tests", path=uhri_json, file_format="uhri-json")
    return Recommendation.objects.get(source_key=UHRI_ANNOTATIONS[1]["AnnotationId"])


def test_recommendations_are_listed_and_filtered(imported: Recommendation) -> None:
    client = Client()
    rows = client.get("/api/v1/rights/recommendations?country=KEN").json()
    assert [r["position"] for r in rows] == ["supported", "noted"]
    first = rows[0]
    assert first["labels"][0]["objective"] == 10
    assert first["labels"][0]["provenance"] == "official"
    assert first["groups"] == ["women-and-girls"]
    assert first["recommending_state"] == "Philippines"
    by_objective = client.get("/api/v1/rights/recommendations?objective=10").json()
    assert [r["id"] for r in by_objective] == [imported.pk]
    assert client.get("/api/v1/rights/recommendations?objective=0&limit=1").json()[0][
        "mechanism"
    ] in {"UPR", "CMW"}
    response = client.get("/api/v1/rights/recommendations?country=XXX")
    assert (response.status_code, response.json()) == (400, {"detail": "Unknown country: 'XXX'."})
    assert client.get("/api/v1/rights/recommendations?limit=501").status_code == 422
    response = client.get("/api/v1/rights/recommendations?mechanism=XYZ")
    assert (response.status_code, response.json()) == (400, {"detail": "Unknown mechanism: 'XYZ'."})
    assert client.get("/api/v1/rights/recommendations?group=x").status_code == 400
    assert client.get("/api/v1/rights/recommendations?objective=24").status_code == 400


def test_the_focal_point_records_a_status_through_the_api(
    cast: Any, imported: Recommendation
) -> None:
    payload = {
        "status": "planned",
        "responsible_institution": "Ministry of Interior",
        "evidence": "Plan adopted.",
        "evidence_date": "2024-01-01",
    }
    address = f"/api/v1/rights/recommendations/{imported.pk}/status"
    mexico = signed_in_client(cast.focal_point_mexico)
    response = mexico.post(address, payload, content_type="application/json")
    assert (response.status_code, response.json()) == (
        403,
        {"detail": "Only the State's focal points may record its status."},
    )
    kenya = signed_in_client(cast.focal_point_kenya)
    response = kenya.post(address, payload, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["status"] == "planned"
    detail = Client().get(f"/api/v1/rights/recommendations/{imported.pk}").json()
    assert detail["status"] == "planned"
    assert [s["evidence"] for s in detail["status_history"]] == ["Plan adopted."]


def test_assessments_and_label_decisions_through_the_api(
    cast: Any, imported: Recommendation
) -> None:
    member = signed_in_client(cast.migrant_org_member)
    response = member.post(
        f"/api/v1/rights/recommendations/{imported.pk}/assessments",
        {"grade": "not_implemented", "comment": "Nothing changed.", "assessed_on": "2025-01-01"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["assessor_label"] == "Migrant Workers' Voice"
    address = f"/api/v1/rights/recommendations/{imported.pk}/labels/10"
    refused = signed_in_client(cast.migrant_org_member).post(
        address, {"decision": "confirmed"}, content_type="application/json"
    )
    assert refused.status_code == 403
    reviewer = signed_in_client(cast.reviewer)
    bad = reviewer.post(address, {"decision": "maybe"}, content_type="application/json")
    assert (bad.status_code, bad.json()) == (400, {"detail": "Confirm or reject."})
    good = reviewer.post(address, {"decision": "confirmed"}, content_type="application/json")
    assert good.json()["decision"] == "confirmed"


def test_ratifications_and_mechanisms(db: Any) -> None:
    rights_reference_load(actor="system:tests")
    client = Client()
    rows = client.get("/api/v1/rights/ratifications?treaty=ICMW&country=MEX").json()
    assert rows == [
        {
            "country": "MEX",
            "treaty": "ICMW",
            "status": "party",
            "year": 1999,
            "source": rows[0]["source"],
            "as_of": "2022",
        }
    ]
    assert rows[0]["source"].startswith("UN Treaty Collection")
    codes = [m["code"] for m in client.get("/api/v1/rights/mechanisms").json()]
    assert codes[:3] == ["UPR", "CERD", "CESCR"]
    assert "CMW" in codes
