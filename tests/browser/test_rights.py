"""The human-rights pages in Chromium: no axe violations on the State page, a recommendation and
the ratification table, and a focal point records a status with the keyboard."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from conftest import make_user, verify_two_factor
from solidarity.accounts.models import Role
from solidarity.reference.models import Country
from solidarity.rights.actions import recommendations_import, rights_reference_load
from solidarity.rights.models import Recommendation
from solidarity.rights.tests.conftest import UHRI_ANNOTATIONS, write_uhri_json

pytestmark = pytest.mark.browser

axe = Axe()


@pytest.fixture
def recommendations(reference_data: None, tmp_path: Path) -> Recommendation:
    rights_reference_load(actor="system:tests")
    path = write_uhri_json(tmp_path / "uhri.json", UHRI_ANNOTATIONS)
    recommendations_import(actor="system:tests", path=path, file_format="uhri-json")
    return Recommendation.objects.get(source_key=UHRI_ANNOTATIONS[1]["AnnotationId"])


@pytest.mark.parametrize(
    "address",
    ["/rights/states/KEN/", "/rights/ratifications/", "/countries/MEX/", "/fr/rights/"],
)
def test_the_pages_have_no_axe_violations(
    page: Page, recommendations: Recommendation, address: str
) -> None:
    response = page.goto(address)
    assert response is not None
    assert response.status == 200
    results = axe.run(page)
    assert results.violations_count == 0, results.generate_report()


def test_a_focal_point_records_a_status(
    browser: Browser, live_server: Any, recommendations: Recommendation, console_errors: list[str]
) -> None:
    amina = make_user("amina", role=Role.FOCAL_POINT, country=Country.objects.get(iso3="KEN"))
    client = Client()
    client.force_login(amina)
    verify_two_factor(client, amina)
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()

    def record(message: ConsoleMessage) -> None:
        if message.type == "error":
            console_errors.append(f"{page.url}: {message.text}")

    page.on("console", record)
    page.goto(f"/rights/recommendations/{recommendations.pk}/")
    results = axe.run(page)
    assert results.violations_count == 0, results.generate_report()
    page.get_by_role("link", name="Record the implementation status").click()
    page.get_by_label("In progress").check()
    page.get_by_label("Responsible institution").fill("State Department for Immigration")
    page.locator("#id_evidence").fill("Act adopted.")
    page.get_by_label("Date of the evidence").fill("2024-11-05")
    page.get_by_role("button", name="Record the status").click()
    expect(page.get_by_text("The implementation status is recorded.")).to_be_visible()
    expect(page.get_by_role("heading", name="In progress 2024-11-05")).to_be_visible()
    context.close()
    assert console_errors == []
