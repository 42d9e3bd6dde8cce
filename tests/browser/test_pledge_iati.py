"""A focal point uploads an IATI file (dry run, then confirm) and links one of its activities to
a pledge, from the keyboard and the mouse in Chromium, with no axe violations on the way."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client
from playwright.sync_api import Browser, ConsoleMessage, expect

from conftest import verify_two_factor
from solidarity.commitments import actions
from solidarity.commitments.models import FinancialCommitment, Pledge
from solidarity.commitments.tests.conftest import pledge_input

pytestmark = pytest.mark.browser

axe = Axe()
SAMPLES = (
    Path(
        os.environ.get(
            "SOLIDARITY_SHARED_DATA", Path(__file__).resolve().parents[2].parent / "shared" / "data"
        )
    )
    / "iati"
    / "samples"
)


def test_a_focal_point_uploads_and_links(
    browser: Browser,
    live_server: Any,
    cast: Any,
    console_errors: list[str],
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.IATI_UPLOAD_DIR = tmp_path
    settings.IATI_SCHEMA_DIR = ""
    pledge: Pledge = actions.pledge_publish(
        actor=cast.focal_point_kenya,
        pledge=actions.pledge_create(
            actor=cast.focal_point_kenya, data=pledge_input(state=cast.kenya)
        ),
    )
    client = Client()
    client.force_login(cast.focal_point_kenya)
    verify_two_factor(client, cast.focal_point_kenya)
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()

    def record(message: ConsoleMessage) -> None:
        if message.type == "error":
            console_errors.append(f"{page.url}: {message.text}")

    page.on("console", record)
    page.goto("/pledges/")
    page.get_by_role("link", name="Upload an IATI file").click()
    assert axe.run(page).violations_count == 0
    page.get_by_label("IATI activity file (XML)").set_input_files(
        str(SAMPLES / "IATI_xml_dfid_sample.xml")
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", name="Dry run: IATI_xml_dfid_sample.xml")).to_be_visible()
    expect(page.get_by_text("2.03 schema validation does not apply")).to_be_visible()
    results = axe.run(page)
    assert results.violations_count == 0, results.generate_report()
    assert not FinancialCommitment.objects.exists()
    page.get_by_role("button", name="Import this file").click()
    expect(page.get_by_text("The IATI file is imported.")).to_be_visible()
    assert FinancialCommitment.objects.count() == 1

    page.goto(f"/pledges/{pledge.pk}/")
    page.get_by_role("link", name="Link IATI activities").click()
    page.get_by_label("Identifier, title, reporting organisation or provider").fill("ministry")
    page.keyboard.press("Enter")
    link = page.get_by_role("button", name="Link FA TO MINISTRY OF JUSTICE")
    expect(link).to_be_visible()
    results = axe.run(page)
    assert results.violations_count == 0, results.generate_report()
    link.click()
    expect(page.get_by_text("The activity is linked to the pledge.")).to_be_visible()
    expect(page.get_by_role("button", name="Unlink FA TO MINISTRY OF JUSTICE")).to_be_visible()
    assert FinancialCommitment.objects.get().pledge_id == pledge.pk
    context.close()
    assert console_errors == []
