"""Steps of a review cycle walked in Chromium, shared by the cycle's and the dossier's browser
tests: the secretariat opens a cycle, Kenya's focal point drafts and submits its review, the
secretariat publishes it, a stakeholder comments on a paragraph."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, expect

from conftest import make_user, verify_two_factor
from solidarity.accounts.models import Organisation, Role, User
from solidarity.reference.models import Country

axe = Axe()

Check = Callable[[Page], None]


def no_axe_violations(page: Page) -> None:
    results = axe.run(page)
    assert results.violations_count == 0, results.generate_report()


def no_check(page: Page) -> None:
    return None


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


@dataclass
class CycleCast:
    """Who walks the cycle: Rita of the secretariat, Amina (Kenya's focal point), Lucia of a
    migrant-led organisation, Moses the moderator; and the browser they share in turn."""

    rita: User
    amina: User
    lucia: User
    moses: User
    context: BrowserContext
    page: Page
    live_server: Any

    def as_user(self, user: User | None) -> Page:
        sign_in(self.context, self.live_server, user)
        return self.page


def cycle_cast(browser: Browser, live_server: Any, console_errors: list[str]) -> CycleCast:
    kenya = Country.objects.get(iso3="KEN")
    organisation = Organisation.objects.create(
        name="Migrant Workers' Voice", kind=Organisation.Kind.MIGRANT_LED
    )
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()

    def record(message: ConsoleMessage) -> None:
        if message.type == "error":
            console_errors.append(f"{page.url}: {message.text}")

    page.on("console", record)
    return CycleCast(
        rita=make_user("rita", role=Role.REVIEWER),
        amina=make_user("amina", role=Role.FOCAL_POINT, country=kenya),
        lucia=make_user("lucia", role=Role.MEMBER, organisation=organisation),
        moses=make_user("moses", role=Role.MODERATOR),
        context=context,
        page=page,
        live_server=live_server,
    )


def open_cycle(cast: CycleCast, *, check: Check = no_check) -> None:
    """The secretariat creates IMRF-2030, dates its phases around today, names Kenya and Mexico,
    and opens it."""
    today = timezone.localdate()
    before, after = today - datetime.timedelta(days=5), today + datetime.timedelta(days=20)
    page = cast.as_user(cast.rita)
    page.goto("/reviews/")
    page.get_by_role("link", name="New review cycle").click()
    page.locator("#id_code").fill("IMRF-2030")
    page.locator("#id_kind").select_option("imrf")
    page.locator("#id_year").fill("2030")
    page.locator("#id_title").fill("International Migration Review Forum 2030")
    page.get_by_role("button", name="Create the cycle").click()
    expect(page.get_by_text("The cycle is created. Set its phases' dates.")).to_be_visible()
    check(page)
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
    check(page)


def draft_and_submit_review(cast: CycleCast, *, check: Check = no_check) -> None:
    """Kenya's focal point writes objective 6 (two paragraphs, citing indicator 10.7.2) and the
    gender-responsive approach, saves a version and submits the review."""
    page = cast.as_user(cast.amina)
    page.goto("/reviews/IMRF-2030/")
    page.get_by_role("link", name="Write the review of Kenya").click()
    check(page)
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
    check(page)
    page.get_by_role("button", name="Submit the review").click()
    expect(page.get_by_text("The review is submitted to the secretariat.")).to_be_visible()
    expect(page.locator("#review-status")).to_have_text("Submitted")


def publish_review(cast: CycleCast) -> None:
    page = cast.as_user(cast.rita)
    page.goto("/reviews/IMRF-2030/states/KEN/")
    page.get_by_role("button", name="Publish the review").click()
    expect(page.get_by_text("The review is published.")).to_be_visible()


def comment_on_second_paragraph(cast: CycleCast, *, check: Check = no_check) -> None:
    """The stakeholder comments on objective 6's second paragraph, in her organisation's name."""
    page = cast.as_user(cast.lucia)
    page.goto("/reviews/IMRF-2030/states/KEN/")
    paragraph = page.locator("#p-objective-6-what_was_done-2")
    paragraph.get_by_text("Comment on paragraph 2").click()
    paragraph.get_by_label("Your comment").fill("Inspections cover the capital only.")
    paragraph.get_by_role("button", name="Send the comment").click()
    expect(page.get_by_text("a moderator will review it before it is shown")).to_be_visible()
    check(page)
