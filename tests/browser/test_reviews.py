"""A review cycle in Chromium: the secretariat creates, dates and opens a cycle, a focal point
drafts and submits the State's review, the secretariat publishes it, a stakeholder comments on a
paragraph and a moderator approves the comment — with no axe violations on the way."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from solidarity.reviews.loaders import cycles_load
from tests.browser.review_steps import (
    comment_on_second_paragraph,
    cycle_cast,
    draft_and_submit_review,
    no_axe_violations,
    open_cycle,
    publish_review,
)

pytestmark = pytest.mark.browser


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
    cast = cycle_cast(browser, live_server, console_errors)
    open_cycle(cast, check=no_axe_violations)
    draft_and_submit_review(cast, check=no_axe_violations)
    publish_review(cast)
    comment_on_second_paragraph(cast, check=no_axe_violations)

    # The moderator approves it, and the public reads it beside the paragraph.
    page = cast.as_user(cast.moses)
    page.goto("/reviews/moderation/")
    no_axe_violations(page)
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Approved.")).to_be_visible()
    page = cast.as_user(None)
    page.goto("/reviews/IMRF-2030/states/KEN/")
    expect(page.locator("#p-objective-6-what_was_done-2")).to_contain_text(
        "Inspections cover the capital only."
    )
    expect(page.locator("#section-objective-6")).to_contain_text("10.7.2")
    no_axe_violations(page)
    cast.context.close()
    assert console_errors == []
