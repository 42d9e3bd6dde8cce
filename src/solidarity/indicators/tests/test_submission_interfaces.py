"""Submissions through the web and the API, datasets and their versions' pages: the same action,
the same rules."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from solidarity.api.tests.conftest import signed_in_client
from solidarity.indicators.actions import (
    submission_import,
)
from solidarity.indicators.models import DatasetVersion, Indicator
from solidarity.indicators.selectors import ref_area_get
from solidarity.indicators.tests.conftest import load_provider_mappings

pytestmark = pytest.mark.django_db

FILE = b"Year,Sex,Value\n2020,,10\n2020,Female,4\n2020,Male,6\n2021,Female,x\n"
BROKEN = b"Year,Sex,Value\n2020,,10\n2020,Woman-ish,4\n"


def upload(content: bytes = FILE, name: str = "deaths.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def imported(cast: Any, content: bytes = FILE, note: str = "") -> DatasetVersion:
    result = submission_import(
        actor=cast.data_provider,
        indicator=Indicator.objects.get(code="10.7.3"),
        provider=cast.statistics_office,
        ref_area=ref_area_get(iso3_or_m49="KEN"),
        file=io.BytesIO(content),
        file_name="deaths.csv",
        dry_run=False,
        revision_note=note,
    )
    assert result.version is not None
    return result.version


def test_the_upload_form_dry_run_then_import(cast: Any, log_in: Any) -> None:
    client = log_in(cast.data_provider)
    page = client.get("/indicators/submissions/new/")
    organisations = page.context["form"].fields["organisation"].choices
    assert organisations == [(str(cast.statistics_office.pk), cast.statistics_office.name)]
    form = {"indicator": "10.7.3", "organisation": cast.statistics_office.pk, "ref_area": "KEN"}
    checked = client.post(
        "/indicators/submissions/new/", {**form, "file": upload(), "dry_run": "on"}
    )
    assert checked.status_code == 200
    assert checked.context["summary"]["observations_valid"] == 4
    assert "The file is valid. Nothing was stored: this was a dry run." in checked.content.decode()
    assert DatasetVersion.objects.count() == 0
    stored = client.post("/indicators/submissions/new/", {**form, "file": upload()})
    version = DatasetVersion.objects.get()
    assert stored.context["version"] == version
    assert f"/indicators/datasets/{version.dataset_id}/versions/1/" in stored.content.decode()


def test_the_upload_form_shows_each_problem(cast: Any, log_in: Any) -> None:
    client = log_in(cast.data_provider)
    response = client.post(
        "/indicators/submissions/new/",
        {"indicator": "10.7.3", "organisation": cast.statistics_office.pk, "file": upload(BROKEN)},
    )
    text = response.content.decode()
    assert "The file has errors. Nothing was stored." in text
    assert "no mapping for &#x27;Woman-ish&#x27; in SEX; add one on the mappings page" in text
    assert DatasetVersion.objects.count() == 0


def test_the_datasets_page_lists_the_users_datasets(cast: Any, log_in: Any) -> None:
    version = imported(cast)
    response = log_in(cast.focal_point_kenya).get("/indicators/datasets/")
    assert response.context["datasets"] == [version.dataset]
    assert "v1: Draft" in response.content.decode()
    assert log_in(cast.focal_point_mexico).get("/indicators/datasets/").context["datasets"] == []


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("data_provider", 200),
        ("focal_point_kenya", 200),
        ("reviewer", 200),
        ("administrator", 200),
        ("focal_point_mexico", 403),
        ("migrant_org_member", 403),
        ("moderator", 403),
        ("anonymous", 302),
    ],
)
def test_who_may_open_a_draft_version(cast: Any, log_in: Any, role: str, status: int) -> None:
    version = imported(cast)
    client = log_in(None if role == "anonymous" else cast.all_users()[role])
    response = client.get(f"/indicators/datasets/{version.dataset_id}/versions/1/")
    assert response.status_code == status


def test_the_review_buttons_move_the_version_and_the_public_never_sees_confidential_cells(
    cast: Any, log_in: Any
) -> None:
    version = imported(cast)
    address = f"/indicators/datasets/{version.dataset_id}/versions/1/"
    provider = log_in(cast.data_provider)
    assert provider.get(address).context["steps"] == ["submit"]
    provider.post(address, {"step": "submit"})
    refused = provider.post(address, {"step": "approve"})
    assert refused.status_code == 403
    reviewer = signed_in_client(cast.reviewer)
    assert reviewer.get(address).context["steps"] == ["approve", "return"]
    reviewer.post(address, {"step": "approve"})
    reviewer.post(address, {"step": "publish"})
    assert DatasetVersion.objects.get(pk=version.pk).status == "published"
    public = Client().get(address)
    assert public.status_code == 200
    periods = [o.time_period for o in public.context["page"].object_list]
    assert periods == ["2020", "2020", "2020"]


def test_the_version_page_shows_the_diff(cast: Any, log_in: Any) -> None:
    first = imported(cast)
    imported(cast, FILE.replace(b"2020,,10", b"2020,,11"), note="Total corrected.")
    response = log_in(cast.data_provider).get(
        f"/indicators/datasets/{first.dataset_id}/versions/2/"
    )
    diff = response.context["diff"]
    assert [(c.old_value, c.new_value) for c in diff.changed] == [(10, 11)]
    assert "0 added, 0 removed, 1 changed." in response.content.decode()


def test_the_api_answers_the_summary_as_the_curl_example_does(cast: Any, shared_data: Path) -> None:
    load_provider_mappings(
        "ons_10_7_3_mappings.json", provider=cast.statistics_office, actor=cast.data_provider
    )
    client = signed_in_client(cast.data_provider)
    client.handler.enforce_csrf_checks = True
    client.get("/indicators/submissions/new/")  # the page sets the csrftoken cookie
    token = client.cookies["csrftoken"].value
    path = shared_data / "indicators" / "uk_ons_sdg_indicator_10-7-3.csv"
    form = {"indicator": "10.7.3", "provider": "KNBS", "ref_area": "GBR"}
    without = client.post("/api/v1/submissions", {**form, "file": upload(path.read_bytes())})
    assert without.status_code == 403  # no CSRF token
    checked = client.post(
        "/api/v1/submissions",
        {**form, "dry_run": "true", "file": upload(path.read_bytes(), path.name)},
        headers={"X-CSRFToken": token},
    )
    assert checked.status_code == 200, checked.json()
    body = checked.json()
    assert (body["rows_read"], body["observations_valid"], body["errors"]) == (297, 297, 0)
    assert (body["imported"], body["version"]) == (False, None)
    stored = client.post(
        "/api/v1/submissions",
        {**form, "file": upload(path.read_bytes(), path.name)},
        headers={"X-CSRFToken": token},
    )
    assert stored.status_code == 200
    assert (stored.json()["imported"], stored.json()["version"]) == (True, 1)


def test_the_api_refuses_a_file_with_errors_with_422(cast: Any) -> None:
    client = signed_in_client(cast.data_provider)
    response = client.post(
        "/api/v1/submissions",
        {"indicator": "10.7.3", "provider": "KNBS", "file": upload(BROKEN)},
    )
    assert response.status_code == 422
    assert response.json()["problems"][0] == {
        "file": "deaths.csv",
        "row": 3,
        "column": "Sex",
        "value": "Woman-ish",
        "reason": "no mapping for 'Woman-ish' in SEX; add one on the mappings page",
        "severity": "error",
    }
    assert DatasetVersion.objects.count() == 0


@pytest.mark.parametrize(
    "role", ["reviewer", "administrator", "focal_point_kenya", "migrant_org_member"]
)
def test_the_api_lets_only_the_providers_data_providers_submit(cast: Any, role: str) -> None:
    client = signed_in_client(cast.all_users()[role])
    response = client.post(
        "/api/v1/submissions", {"indicator": "10.7.3", "provider": "KNBS", "file": upload()}
    )
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Only the organisation's data providers may submit its data."
    }


def test_the_api_names_an_unknown_indicator(cast: Any) -> None:
    client = signed_in_client(cast.data_provider)
    response = client.post(
        "/api/v1/submissions", {"indicator": "99.9.9", "provider": "KNBS", "file": upload()}
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "No indicator with the code '99.9.9'."}
