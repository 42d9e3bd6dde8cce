"""A protection run in Chromium: the provider uploads a specification and the real UCI Adult
extract, watches the run's progress (polled by the page's script under the strict CSP) while the
database worker carries it out, reads the report and the audit, and submits the tables to the
data hub."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import Browser, Page, expect

from conftest import verify_two_factor
from solidarity.indicators.models import DatasetVersion, Observation
from solidarity.protection.models import ProtectionRun
from solidarity.protection.tests.conftest import SPEC

pytestmark = pytest.mark.browser

axe = Axe()


@pytest.fixture(autouse=True)
def _queued_in_the_database(settings: Any, tmp_path: Path) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.PROTECTION_ROOT = tmp_path / "protection"
    settings.MICRODATA_DIR = None


def signed_in_page(browser: Browser, live_server: Any, user: Any) -> Page:
    client = Client()
    client.force_login(user)
    verify_two_factor(client, user)
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context.new_page()


def test_upload_watch_read_and_submit(
    browser: Browser, live_server: Any, cast: Any, shared_data: Path, console_errors: list[str]
) -> None:
    adult = shared_data / "microdata" / "uci_adult_census_1994.csv"
    page = signed_in_page(browser, live_server, cast.data_provider)
    page.on("pageerror", lambda error: console_errors.append(str(error)))
    page.goto("/protection/new/")
    page.get_by_label("Table specification (YAML text)").fill(SPEC)
    page.get_by_label("Microdata (CSV or Parquet)").set_input_files(str(adult))
    page.get_by_label("Protection method").select_option("suppress")
    page.locator("#id_threshold").fill("100")
    page.get_by_role("button", name="Start the run").click()

    # Queued: the page polls its status; the no-script refresh link is hidden.
    expect(page.locator("#run-progress-bar")).to_be_visible()
    expect(page.locator("#run-status")).to_have_text("Queued")
    expect(page.get_by_role("link", name="Refresh this page")).to_be_hidden()
    run = ProtectionRun.objects.get()
    assert run.status == "queued"

    call_command("db_worker", "--batch", "--max-tasks", "1", "--no-startup-delay", "--no-reload")

    # Done: the script reloads the page, which shows the audit and the report.
    expect(page.locator("#audit-verdict")).to_contain_text("The audit passed", timeout=30_000)
    expect(page.locator("#run-status")).to_have_text("Done")
    run.refresh_from_db()
    expect(page.locator("#cells-withheld")).to_have_text(str(run.report["cells_withheld"]))
    expect(page.get_by_role("table", name="Protected tables")).to_contain_text("T1")
    expect(page.get_by_role("link", name="Download the protected tables (zip)")).to_be_visible()
    violations = axe.run(page).response["violations"]
    assert violations == [], [v["id"] for v in violations]

    page.get_by_label("Indicator").select_option("GCM_MIGRANT_STOCK")
    page.get_by_label("Period").fill("1994")
    page.get_by_role("button", name="Submit to the data hub").click()
    expect(page.locator("#submitted")).to_contain_text("version 1, a draft")
    version = DatasetVersion.objects.get()
    assert Observation.objects.filter(version=version, conf_status="C").exists()
    page.context.close()
