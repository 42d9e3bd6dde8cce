"""The public pages in a real browser: what a visitor sees, in which language, on which screen."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from solidarity.reference.models import Objective

pytestmark = pytest.mark.browser


def test_home_page_links_the_23_objectives(page: Page) -> None:
    page.goto("/")
    expect(page).to_have_title(re.compile("Solidarity"))
    expect(page.locator("h1")).to_have_count(1)
    links = page.locator("main .objective-grid a")
    expect(links).to_have_count(23)
    for number in (1, 12, 23):
        expect(page.locator(f'main a[href="/objectives/{number}/"]')).to_be_visible()
    page.locator('main a[href="/objectives/23/"]').click()
    expect(page).to_have_url(re.compile(r"/objectives/23/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Objective 23")


def test_language_switch_to_french_then_spanish(page: Page) -> None:
    first = Objective.objects.get(number=1)
    page.goto("/objectives/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("main")).to_contain_text(first.title)

    page.get_by_label("Language").select_option(label="Français")
    page.locator(".language-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/fr/objectives/$"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("main")).to_contain_text(first.localized("title", "fr"))
    expect(page.locator("#language-select")).to_have_value("fr")

    page.locator("#language-select").select_option(label="Español")
    page.locator(".language-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/es/objectives/$"))
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator("main")).to_contain_text(first.localized("title", "es"))

    # Links on a translated page stay in its language.
    page.locator('main a[href="/es/objectives/1/"]').click()
    expect(page.locator("html")).to_have_attribute("lang", "es")


def test_countries_filter_form_works_without_javascript(page: Page) -> None:
    page.goto("/countries/")
    page.locator("#id_region").select_option(value="002")
    page.locator("#id_grouping").select_option(value="ldc")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"/countries/\?.*region=002"))
    rows = page.locator("tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() < 60
    expect(page.locator("tbody")).not_to_contain_text("Mexico")
    # Kenya is in Africa but not a least developed country.
    expect(page.get_by_role("link", name="Kenya", exact=True)).to_have_count(0)


def test_invalid_filter_shows_a_message(page: Page, console_errors: list[str]) -> None:
    response = page.goto("/countries/?region=999")
    assert response is not None
    assert response.status == 400
    assert len(console_errors) == 1
    assert "status of 400" in console_errors.pop()
    expect(page.get_by_role("alert")).to_contain_text("There is no M49 region with the code")


@pytest.mark.parametrize("url", ["/", "/countries/", "/countries/KEN/", "/objectives/4/"])
def test_pages_fit_a_phone_screen(browser, live_server, url: str) -> None:
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 360, "height": 740}, is_mobile=True
    )
    page = context.new_page()
    page.goto(url)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    context.close()
    assert overflow <= 0, f"{url} scrolls sideways by {overflow}px on a phone"
