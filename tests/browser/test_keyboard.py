"""Everything reachable with the keyboard alone, in a sensible order, with a visible focus."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

NAVIGATION = [
    "Home",
    "Objectives",
    "Countries",
    "Indicators",
    "Pledges",
    "Fair sharing",
    "Human rights",
    "Reviews",
    "Testimonies",
    "API docs",
    "Log in",
]

FOCUSED = """() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  const box = element.getBoundingClientRect();
  return {
    text: element.textContent.trim(),
    inNav: element.closest("nav.site-nav") !== null,
    outlineStyle: style.outlineStyle,
    outlineWidth: parseFloat(style.outlineWidth),
    visible: box.width > 0 && box.height > 0 && box.bottom > 0 && box.top < window.innerHeight,
  };
}"""


def assert_visibly_focused(focused: dict[str, object]) -> None:
    assert focused["visible"], focused
    assert focused["outlineStyle"] not in ("none", ""), focused
    assert isinstance(focused["outlineWidth"], int | float)
    assert focused["outlineWidth"] >= 2, focused


def test_tab_walks_skip_link_then_main_navigation(page: Page) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate(FOCUSED)
    assert focused["text"] == "Skip to main content"
    assert_visibly_focused(focused)

    for name in NAVIGATION:
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        assert focused["text"] == name
        assert focused["inNav"]
        assert_visibly_focused(focused)

    # The language switcher comes right after the navigation.
    page.keyboard.press("Tab")
    expect(page.locator("#language-select")).to_be_focused()

    # Back to "Countries", and Enter follows it.
    for _ in range(len(NAVIGATION) - NAVIGATION.index("Countries")):
        page.keyboard.press("Shift+Tab")
    assert page.evaluate(FOCUSED)["text"] == "Countries"
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/countries/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Countries and areas")
    expect(page.locator('.site-nav a[aria-current="page"]')).to_have_text("Countries")


def test_skip_link_moves_focus_to_the_main_content(page: Page) -> None:
    page.goto("/countries/")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")
    # The first control of the page itself, not the header again.
    expect(page.get_by_label("Search by name or code")).to_be_focused()


def test_language_can_be_changed_with_the_keyboard(page: Page) -> None:
    page.goto("/")
    page.locator("#language-select").focus()
    page.keyboard.press("ArrowDown")  # English → Français
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
