"""Automated WCAG checks (axe-core) on each kind of public page, in English and in French.

axe finds only part of what WCAG asks (roughly a third); the keyboard tests and a person with a
screen reader cover more. Zero violations is the floor, not the goal.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

pytestmark = pytest.mark.browser

PAGES = [
    "/",
    "/objectives/",
    "/objectives/1/",
    "/countries/",
    "/countries/KEN/",
    "/accounts/login/",
]

axe = Axe()


@pytest.mark.parametrize("language_prefix", ["", "/fr"], ids=["en", "fr"])
@pytest.mark.parametrize("path", PAGES)
def test_page_has_no_axe_violations(page: Page, language_prefix: str, path: str) -> None:
    response = page.goto(language_prefix + path)
    assert response is not None
    assert response.status == 200
    results = axe.run(page)
    assert results.violations_count == 0, results.generate_report()


def test_invalid_filter_message_has_no_axe_violations(
    page: Page, console_errors: list[str]
) -> None:
    page.goto("/countries/?region=999&grouping=rich")
    # The 400 answer is the point of this test; Chromium reports every 4xx on the console.
    assert [error for error in console_errors if "status of 400" in error] == console_errors
    console_errors.clear()
    results = axe.run(page)
    assert results.violations_count == 0, results.generate_report()
