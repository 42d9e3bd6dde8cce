"""IATI files and their activities through the API: import (dry run and real), linking and
unlinking, with who may do each."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from solidarity.audit.models import AuditEntry
from solidarity.commitments.models import FinancialCommitment, Pledge, Transaction
from solidarity.commitments.tests.test_iati_web import _activity_xml, _imported

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("upload_dir")]

IMPORTS = "/api/v1/iati/imports"


def _upload(path: Path) -> SimpleUploadedFile:
    return SimpleUploadedFile(path.name, path.read_bytes(), content_type="text/xml")


def test_dry_run_then_import(cast: Any, as_user: Any, iati_dir: Path, upload_dir: Path) -> None:
    client = as_user(cast.focal_point_kenya)
    sample = iati_dir / "samples" / "worldbank.xml"
    dry = client.post(IMPORTS, {"file": _upload(sample), "dry_run": "true"})
    assert dry.status_code == 200, dry.content
    body = dry.json()
    assert (body["imported"], body["dry_run"], body["legacy"], body["created"]) == (
        True,
        True,
        True,
        16,
    )
    assert any(n["message"].startswith("'disbursment'") for n in body["notices"])
    assert not FinancialCommitment.objects.exists()
    done = client.post(IMPORTS, {"file": _upload(sample)})
    assert done.status_code == 200
    assert (done.json()["dry_run"], done.json()["transactions"]) == (False, 14)
    assert FinancialCommitment.objects.count() == 16
    assert AuditEntry.objects.get(action="iati.import").actor == cast.focal_point_kenya
    # Nothing waits on the server afterwards.
    assert list(upload_dir.iterdir()) == []


def test_an_invalid_file_is_refused_with_its_problems(
    cast: Any, as_user: Any, iati_dir: Path, settings: Any
) -> None:
    settings.IATI_SCHEMA_DIR = str(iati_dir / "schema")
    client = as_user(cast.administrator)
    path = iati_dir / "should-fail" / "transaction" / "40-non-decimal-value.xml"
    answer = client.post(IMPORTS, {"file": _upload(path)})
    assert answer.status_code == 422
    assert answer.json()["problems"] == [
        {
            "file": "40-non-decimal-value.xml",
            "line": 26,
            "element": "iati-activity/transaction/value",
            "rule": "schema",
            "message": "Element 'value': 'xxx' is not a valid value of the atomic type "
            "'xs:decimal'.",
        }
    ]
    assert answer.json()["imported"] is False
    assert not FinancialCommitment.objects.exists()


def test_a_file_over_the_limit_is_refused(
    cast: Any, as_user: Any, iati_dir: Path, settings: Any, upload_dir: Path
) -> None:
    settings.IATI_UPLOAD_MAX_MB = 0
    answer = as_user(cast.administrator).post(
        IMPORTS, {"file": _upload(iati_dir / "samples" / "worldbank.xml")}
    )
    assert answer.status_code == 413
    assert answer.json()["detail"] == (
        "The file is larger than 0 MB, the largest that may be uploaded here."
    )
    assert not upload_dir.exists() or list(upload_dir.iterdir()) == []
    assert not FinancialCommitment.objects.exists()


def test_who_may_import(cast: Any, as_user: Any, tmp_path: Path) -> None:
    path = tmp_path / "a.xml"
    path.write_bytes(_activity_xml("SE-0-1"))
    assert as_user(None).post(IMPORTS, {"file": _upload(path)}).status_code == 401
    for user in (cast.reviewer, cast.migrant_org_member, cast.data_provider):
        assert as_user(user).post(IMPORTS, {"file": _upload(path)}).status_code == 403
    assert not FinancialCommitment.objects.exists()


def test_link_list_and_unlink(
    cast: Any, as_user: Any, tmp_path: Path, kenya_pledge: Pledge
) -> None:
    activity, _path = _imported(tmp_path)
    base = f"/api/v1/pledges/{kenya_pledge.pk}/activities"
    client = as_user(cast.focal_point_kenya)
    found = client.get(f"{base}/linkable", {"q": "Sida"})
    assert [a["iati_identifier"] for a in found.json()] == ["SE-0-7"]
    linked = client.post(base, {"activity": activity.pk}, content_type="application/json")
    assert linked.status_code == 200
    assert linked.json()["pledge"] == kenya_pledge.pk
    listed = as_user(None).get(base).json()  # a published pledge's activities are public
    assert [(a["id"], a["transactions"], Decimal(a["disbursed_usd"])) for a in listed] == [
        (activity.pk, 1, Decimal("1000"))
    ]
    assert AuditEntry.objects.filter(action="financial_commitment.link").count() == 1
    client = as_user(cast.focal_point_kenya)
    assert client.delete(f"{base}/{activity.pk}").status_code == 200
    activity.refresh_from_db()
    assert activity.pledge is None
    # Unlinking what is not linked here is a 404.
    assert client.delete(f"{base}/{activity.pk}").json() == {
        "detail": f"Activity {activity.pk} is not linked to pledge P-{kenya_pledge.pk}."
    }


def test_what_cannot_be_linked(cast: Any, as_user: Any, kenya_pledge: Pledge) -> None:
    client = as_user(cast.focal_point_kenya)
    base = f"/api/v1/pledges/{kenya_pledge.pk}/activities"
    site = FinancialCommitment.objects.get(pledge=kenya_pledge, source="site")
    refused = client.post(base, {"activity": site.pk}, content_type="application/json")
    assert refused.status_code == 400
    assert refused.json()["detail"] == (
        "Only activities imported from IATI files can be linked to a pledge."
    )
    missing = client.post(base, {"activity": 999999}, content_type="application/json")
    assert missing.status_code == 404


def test_who_may_link(cast: Any, as_user: Any, tmp_path: Path, kenya_pledge: Pledge) -> None:
    activity, _path = _imported(tmp_path)
    base = f"/api/v1/pledges/{kenya_pledge.pk}/activities"
    for user in (cast.focal_point_mexico, cast.migrant_org_member, cast.reviewer):
        client = as_user(user)
        assert client.get(f"{base}/linkable", {"q": "SE"}).status_code == 403
        assert (
            client.post(base, {"activity": activity.pk}, content_type="application/json")
        ).status_code == 403
        assert client.delete(f"{base}/{activity.pk}").status_code == 403
    anonymous = as_user(None)
    assert (
        anonymous.post(base, {"activity": activity.pk}, content_type="application/json")
    ).status_code == 401
    activity.refresh_from_db()
    assert activity.pledge is None
    assert Transaction.objects.filter(commitment=activity).count() == 1
