"""The participation fund's pages in Chromium: a call with published results, the application
form and the panel pass axe; an applicant applies through the real form."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from conftest import verify_two_factor
from solidarity.fund import actions
from solidarity.fund.models import Application

pytestmark = pytest.mark.browser

axe = Axe()


def signed_in_page(browser: Browser, live_server: Any, user: Any) -> Page:
    client = Client()
    client.force_login(user)
    verify_two_factor(client, user)
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context.new_page()


def no_violations(page: Page) -> None:
    results = axe.run(page)
    assert results.violations_count == 0, results.generate_report()


def test_apply_then_results_pass_axe(
    page: Page, browser: Browser, live_server: Any, cast: Any
) -> None:
    today = timezone.localdate()
    call = actions.call_create(
        actor="system:tests",
        code="imrf-2026",
        title="Participation in the IMRF 2026",
        cycle_code="IMRF-2026",
        budget=Decimal(5000),
        opens_on=today - datetime.timedelta(days=1),
        closes_on=today + datetime.timedelta(days=10),
        eligibility_rules="Migrants and migrant-led organisations.",
        criteria=[actions.CriterionSpec("Relevance", Decimal(1), 10)],
    )
    lucia = signed_in_page(browser, live_server, cast.migrant_org_member)
    lucia.goto("/fund/imrf-2026/")
    no_violations(lucia)
    lucia.get_by_role("link", name="Apply").click()
    no_violations(lucia)
    lucia.get_by_label("An organisation").check()
    lucia.get_by_label("Name of the person or organisation").fill("Migrant Workers' Voice")
    lucia.get_by_label("Country").select_option("MEX")
    lucia.get_by_label("Migrant-led").check()
    lucia.get_by_label("Amount requested").fill("3000")
    lucia.get_by_label("What the grant would make possible").fill("Two members travel.")
    lucia.get_by_role("button", name="Send my application").click()
    expect(lucia).to_have_url(re.compile(r"/fund/mine/$"))
    expect(lucia.locator("main")).to_contain_text("Submitted")
    no_violations(lucia)

    application = Application.objects.get()
    actions.application_screen(
        actor=cast.reviewer, application=application, eligible=True, reason=""
    )
    rita = signed_in_page(browser, live_server, cast.reviewer)
    rita.goto("/fund/imrf-2026/panel/")
    no_violations(rita)
    rita.get_by_label("Relevance").fill("9")
    rita.get_by_role("button", name="Record my scores").click()
    rita.get_by_role("button", name="Run the allocation").click()
    expect(rita.locator("main")).to_contain_text("Chosen: score 90.00, ranked 1 of 1.")
    rita.get_by_role("button", name="Publish the results").click()
    page.goto(f"/fund/{call.code}/")
    expect(page.locator("main")).to_contain_text("Chosen: score 90.00, ranked 1 of 1.")
    no_violations(page)
    lucia.context.close()
    rita.context.close()
