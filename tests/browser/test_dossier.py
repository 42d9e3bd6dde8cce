"""A whole review cycle in Chromium, through to the State's dossier and its PDF: the secretariat
opens a cycle, Kenya's focal point drafts and submits the review (and sees the draft dossier,
which the public cannot), the secretariat publishes it, a stakeholder submits an assessment of
Kenya and comments on a paragraph, a moderator approves both; then anyone finds the dossier from
the country page, reads every section, and downloads its PDF, whose text is checked."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, expect
from pypdf import PdfReader

from conftest import make_user, verify_two_factor
from solidarity.accounts.models import Organisation, Role, User
from solidarity.reference.models import Country

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


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_a_whole_cycle_through_to_the_dossier_and_its_pdf(
    browser: Browser, live_server: Any, console_errors: list[str]
) -> None:
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

    # Kenya's focal point drafts the review and submits it.
    sign_in(context, live_server, amina)
    page.goto("/reviews/IMRF-2030/")
    page.get_by_role("link", name="Write the review of Kenya").click()
    page.locator("#part-objective-6 summary").click()
    page.locator("#objective-6-what_was_done").fill(
        "Recruitment fees charged to workers are banned.\n\nLabour inspections doubled."
    )
    page.locator("#objective-6-cite-indicator").fill("10.7.2")
    page.locator("#part-gender summary").click()
    page.locator("#gender-body").fill("Women migrant workers are consulted on every measure.")
    page.get_by_role("button", name="Save a new version").click()
    expect(page.get_by_text("Version 1 is saved.")).to_be_visible()
    page.get_by_role("button", name="Submit the review").click()
    expect(page.get_by_text("The review is submitted to the secretariat.")).to_be_visible()

    # She sees the draft dossier, marked as a draft; the public is told there is none.
    page.goto("/dossiers/KEN/")
    page.get_by_role("link", name="Draft dossier").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dossier of Kenya, IMRF-2030")
    expect(page.get_by_role("note")).to_contain_text("this dossier is a working draft")
    expect(page.locator("#section-review")).to_contain_text(
        "Recruitment fees charged to workers are banned."
    )
    no_axe_violations(page)
    sign_in(context, live_server, None)
    assert context.request.get("/dossiers/KEN/IMRF-2030/").status == 404
    assert context.request.get("/dossiers/KEN/IMRF-2030.pdf").status == 404

    # The secretariat publishes it.
    sign_in(context, live_server, rita)
    page.goto("/reviews/IMRF-2030/states/KEN/")
    page.get_by_role("button", name="Publish the review").click()
    expect(page.get_by_text("The review is published.")).to_be_visible()

    # A stakeholder assesses Kenya and comments on the second paragraph.
    sign_in(context, live_server, lucia)
    page.goto("/reviews/IMRF-2030/")
    page.get_by_role("link", name="Submit an input").click()
    page.locator("#id_country").select_option("KEN")
    page.locator("#id_title").fill("Recruitment fees persist in the Gulf corridor")
    page.locator("#id_body").fill(
        "Agencies still charge fees abroad, outside the reach of Kenyan inspectors."
    )
    page.get_by_role("button", name="Submit the input").click()
    expect(page.get_by_text("a moderator will review it before it is shown")).to_be_visible()
    page.goto("/reviews/IMRF-2030/states/KEN/")
    paragraph = page.locator("#p-objective-6-what_was_done-2")
    paragraph.get_by_text("Comment on paragraph 2").click()
    paragraph.get_by_label("Your comment").fill("Inspections cover the capital only.")
    paragraph.get_by_role("button", name="Send the comment").click()
    expect(page.get_by_text("a moderator will review it before it is shown")).to_be_visible()

    # The moderator approves both.
    sign_in(context, live_server, moses)
    for _ in range(2):
        page.goto("/reviews/moderation/")
        page.get_by_role("button", name="Approve").first.click()
        expect(page.get_by_text("Approved.")).to_be_visible()

    # Anyone finds the dossier from the country page and reads every section.
    sign_in(context, live_server, None)
    page.goto("/countries/KEN/")
    page.get_by_role("link", name="The State's dossier for each review cycle").click()
    page.get_by_role("row", name="IMRF-2030").get_by_role("link", name="Dossier").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dossier of Kenya, IMRF-2030")
    expect(page.get_by_role("note")).to_have_count(0)
    for title in (
        "The State's voluntary review",
        "Stakeholders' views",
        "Testimonies",
        "Human-rights recommendations",
        "Treaty ratifications",
        "Indicators and their disaggregation",
        "Pledges and money",
        "Fair-share position",
        "Follow-up recommendations",
    ):
        expect(page.get_by_role("heading", level=2, name=title)).to_be_visible()
    expect(page.locator("#section-stakeholders")).to_contain_text(
        "Recruitment fees persist in the Gulf corridor"
    )
    expect(page.locator("#section-stakeholders")).to_contain_text(
        "Inspections cover the capital only."
    )
    expect(page.locator("#section-testimonies")).to_contain_text(
        "No testimony about this State has been published with its author's consent yet."
    )
    no_axe_violations(page)

    # Its PDF, from the page's link.
    link = page.get_by_role("link", name="Download as PDF")
    response = context.request.get(link.get_attribute("href") or "")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.body())
    assert "Dossier of Kenya, IMRF-2030" in text
    assert "Recruitment fees charged to workers are banned." in text
    assert "Recruitment fees persist in the Gulf corridor" in text
    assert "Inspections cover the capital only." in text
    assert "Fair-share position" in text
    assert "Draft" not in text
    context.close()
    assert console_errors == []
