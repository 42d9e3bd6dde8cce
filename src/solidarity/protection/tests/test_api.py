"""Protection runs over the API: read only, and only by those who see them on the web."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from solidarity.api.tests.conftest import signed_in_client
from solidarity.protection.models import ProtectionRun
from solidarity.protection.tests.conftest import SPEC

pytestmark = pytest.mark.django_db


def test_a_provider_reads_its_runs_and_nobody_else_does(
    cast: Any, log_in: Any, adult: Path
) -> None:
    log_in(cast.data_provider).post(
        "/protection/new/",
        {
            "organisation": str(cast.statistics_office.pk),
            "spec_text": SPEC,
            "method": "suppress",
            "microdata": SimpleUploadedFile(adult.name, adult.read_bytes()),
        },
    )
    run = ProtectionRun.objects.get()
    provider = signed_in_client(cast.data_provider)
    listed = provider.get("/api/v1/protection/runs").json()
    assert [(r["id"], r["status"], r["method"]) for r in listed] == [(run.pk, "done", "suppress")]
    assert listed[0]["microdata_deleted"] is True
    one = provider.get(f"/api/v1/protection/runs/{run.pk}").json()
    assert one["audit_passed"] is True
    assert one["report"]["parameters"]["threshold"] == 10
    assert one["audit"]["passed"] is True
    admin = signed_in_client(cast.administrator)
    assert admin.get(f"/api/v1/protection/runs/{run.pk}").status_code == 200
    for user in (cast.focal_point_kenya, cast.migrant_org_member, cast.reviewer):
        client = signed_in_client(user)
        assert client.get("/api/v1/protection/runs").json() == []
        assert client.get(f"/api/v1/protection/runs/{run.pk}").status_code == 404
