"""A whole review cycle in Chromium, through to the State's dossier and its PDF: the secretariat
opens a cycle, Kenya's focal point drafts and submits the review (and sees the draft dossier,
which the public cannot), the secretariat publishes it, a stakeholder submits an assessment of
Kenya and comments on a paragraph, a moderator approves both; then anyone finds the dossier from
the country page, reads every section, and downloads its PDF, whose text is checked."""

from __future__ import annotations

import io
from typing import Any

import pytest
from playwright.sync_api import Browser, expect
from pypdf import PdfReader

from tests.browser.review_steps import (
    comment_on_second_paragraph,
    cycle_cast,
    draft_and_submit_review,
    no_axe_violations,
    open_cycle,
    publish_review,
)

pytestmark = pytest.mark.browser


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_a_whole_cycle_through_to_the_dossier_and_its_pdf(
    browser: Browser, live_server: Any, console_errors: list[str]
) -> None:
    cast = cycle_cast(browser, live_server, console_errors)
    context, page = cast.context, cast.page
    open_cycle(cast)
    draft_and_submit_review(cast)

    # She sees the draft dossier, marked as a draft; the public is told there is none.
    page.goto("/dossiers/KEN/")
    page.get_by_role("link", name="Draft dossier").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dossier of Kenya, IMRF-2030")
    expect(page.get_by_role("note")).to_contain_text("this dossier is a working draft")
    expect(page.locator("#section-review")).to_contain_text(
        "Recruitment fees charged to workers are banned."
    )
    no_axe_violations(page)
    cast.as_user(None)
    assert context.request.get("/dossiers/KEN/IMRF-2030/").status == 404
    assert context.request.get("/dossiers/KEN/IMRF-2030.pdf").status == 404

    publish_review(cast)

    # A stakeholder assesses Kenya and comments on the second paragraph.
    page = cast.as_user(cast.lucia)
    page.goto("/reviews/IMRF-2030/")
    page.get_by_role("link", name="Submit an input").click()
    page.locator("#id_country").select_option("KEN")
    page.locator("#id_title").fill("Recruitment fees persist in the Gulf corridor")
    page.locator("#id_body").fill(
        "Agencies still charge fees abroad, outside the reach of Kenyan inspectors."
    )
    page.get_by_role("button", name="Submit the input").click()
    expect(page.get_by_text("a moderator will review it before it is shown")).to_be_visible()
    comment_on_second_paragraph(cast)

    # The moderator approves both.
    page = cast.as_user(cast.moses)
    for _ in range(2):
        page.goto("/reviews/moderation/")
        page.get_by_role("button", name="Approve").first.click()
        expect(page.get_by_text("Approved.")).to_be_visible()

    # Anyone finds the dossier from the country page and reads every section.
    page = cast.as_user(None)
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
