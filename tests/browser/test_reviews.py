"""A review cycle in Chromium: the secretariat creates, dates and opens a cycle, a focal point
drafts and submits the State's review, the secretariat publishes it, a stakeholder comments on a
paragraph and a moderator approves the comment — with no axe violations on the way."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, expect

from conftest import make_user, verify_two_factor
from solidarity.accounts.models import Organisation, Role, User
from solidarity.reference.models import Country
from solidarity.reviews.loaders import cycles_load

pytestmark = pytest.mark.browser

axe = Axe()


def no_axe_violations(page: Page) -> None:
    results = axe.run(page)
    assert results.violations_count == 0, results.generate_report()


def sign_in(context: BrowserContext, live_server: Any, user: User | None) -> None:
    """Make ``context`` the browser of ``user`` (anonymous for ``None``), second factor passed."""
    context.clear_cookies()
    if user is None:
        return
    client = Client()
    client.force_login(user)
    if user.role_assignments.exclude(role=Role.MEMBER).exists():
        verify_two_factor(client, user)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


@pytest.mark.parametrize(
    "address",
    ["/reviews/", "/reviews/IMRF-2022/", "/reviews/states/KEN/", "/fr/reviews/RR-2020-ECE/"],
)
def test_the_cycle_pages_have_no_axe_violations(page: Page, address: str) -> None:
    cycles_load(actor="system:tests")
    response = page.goto(address)
    assert response is not None
    assert response.status == 200
    no_axe_violations(page)


def test_a_whole_cycle(browser: Browser, live_server: Any, console_errors: list[str]) -> None:
    kenya = Country.objects.get(iso3="KEN")
    organisation = Organisation.objects.create(
        name="Migrant Workers' Voice", kind=Organisation.Kind.MIGRANT_LED
    )
    rita = make_user("rita", role=Role.REVIEWER)
    amina = make_user("amina", role=Role.FOCAL_POINT, country=kenya)
    lucia = make_user("lucia", role=Role.MEMBER, organisation=organisation)
    moses = make_user("moses", role=Role.MODERATOR)
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()

    def record(message: ConsoleMessage) -> None:
        if message.type == "error":
            console_errors.append(f"{page.url}: {message.text}")

    page.on("console", record)
    today = timezone.localdate()
    before, after = today - datetime.timedelta(days=5), today + datetime.timedelta(days=20)

    # The secretariat creates the cycle, dates its phases, names the States and opens it.
    sign_in(context, live_server, rita)
    page.goto("/reviews/")
    page.get_by_role("link", name="New review cycle").click()
    page.locator("#id_code").fill("IMRF-2030")
    page.locator("#id_kind").select_option("imrf")
    page.locator("#id_year").fill("2030")
    page.locator("#id_title").fill("International Migration Review Forum 2030")
    page.get_by_role("button", name="Create the cycle").click()
    expect(page.get_by_text("The cycle is created. Set its phases' dates.")).to_be_visible()
    no_axe_violations(page)
    page.get_by_label("State reviews due: starts").fill(before.isoformat())
    page.get_by_label("State reviews due: ends").fill(after.isoformat())
    page.get_by_label("Stakeholder inputs due: starts").fill(before.isoformat())
    page.get_by_label("Stakeholder inputs due: ends").fill(after.isoformat())
    page.get_by_role("button", name="Save the phases").click()
    expect(page.get_by_text("The phases are saved.")).to_be_visible()
    page.get_by_role("link", name="Edit the participating States").click()
    page.get_by_label("Participating States").fill("KEN MEX")
    page.get_by_role("button", name="Save the participants").click()
    page.get_by_role("button", name="Open the cycle").click()
    expect(page.get_by_text("The cycle is open.")).to_be_visible()
    expect(page.locator("#phase-state_reviews")).to_contain_text("Open")
    no_axe_violations(page)

    # Kenya's focal point drafts the review and submits it.
    sign_in(context, live_server, amina)
    page.goto("/reviews/IMRF-2030/")
    page.get_by_role("link", name="Write the review of Kenya").click()
    no_axe_violations(page)
    page.locator("#part-objective-6 summary").click()
    page.locator("#objective-6-what_was_done").fill(
        "Recruitment fees charged to workers are banned.\n\nLabour inspections doubled."
    )
    page.locator("#objective-6-cite-indicator").fill("10.7.2")
    page.locator("#part-gender summary").click()
    page.locator("#gender-body").fill("Women migrant workers are consulted on every measure.")
    page.get_by_role("button", name="Save a new version").click()
    expect(page.get_by_text("Version 1 is saved.")).to_be_visible()
    expect(page.locator("#review-status")).to_have_text("Draft")
    no_axe_violations(page)
    page.get_by_role("button", name="Submit the review").click()
    expect(page.get_by_text("The review is submitted to the secretariat.")).to_be_visible()
    expect(page.locator("#review-status")).to_have_text("Submitted")

    # The secretariat publishes it.
    sign_in(context, live_server, rita)
    page.goto("/reviews/IMRF-2030/states/KEN/")
    page.get_by_role("button", name="Publish the review").click()
    expect(page.get_by_text("The review is published.")).to_be_visible()

    # A stakeholder comments on the second paragraph, in its organisation's name.
    sign_in(context, live_server, lucia)
    page.goto("/reviews/IMRF-2030/states/KEN/")
    paragraph = page.locator("#p-objective-6-what_was_done-2")
    paragraph.get_by_text("Comment on paragraph 2").click()
    paragraph.get_by_label("Your comment").fill("Inspections cover the capital only.")
    paragraph.get_by_role("button", name="Send the comment").click()
    expect(page.get_by_text("a moderator will review it before it is shown")).to_be_visible()
    no_axe_violations(page)

    # The moderator approves it, and the public reads it beside the paragraph.
    sign_in(context, live_server, moses)
    page.goto("/reviews/moderation/")
    no_axe_violations(page)
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Approved.")).to_be_visible()
    sign_in(context, live_server, None)
    page.goto("/reviews/IMRF-2030/states/KEN/")
    expect(page.locator("#p-objective-6-what_was_done-2")).to_contain_text(
        "Inspections cover the capital only."
    )
    expect(page.locator("#section-objective-6")).to_contain_text("10.7.2")
    no_axe_violations(page)
    context.close()
    assert console_errors == []
