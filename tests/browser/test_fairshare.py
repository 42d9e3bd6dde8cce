"""The fair-share calculator in Chromium: no axe violations, nothing refused by the Content
Security Policy, the custom weights shown only when chosen (the static script), and the form
usable from the keyboard alone."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from solidarity.fairshare.actions import figures_load_shipped

pytestmark = pytest.mark.browser

axe = Axe()


@pytest.fixture(autouse=True)
def figures(reference_data: None) -> None:
    # The transactional database of the browser tests starts without the migration's rows.
    figures_load_shipped(actor="system:tests")


@pytest.mark.parametrize("language_prefix", ["", "/fr"], ids=["en", "fr"])
def test_the_calculator_has_no_axe_violations(page: Page, language_prefix: str) -> None:
    response = page.goto(f"{language_prefix}/fairshare/")
    assert response is not None
    assert response.status == 200
    expect(page.locator("svg.gap-chart")).to_have_count(1)
    expect(page.locator("svg.tile-map")).to_have_count(1)
    results = axe.run(page)
    assert results.violations_count == 0, results.generate_report()


def test_the_custom_weights_appear_when_chosen_and_compute(page: Page) -> None:
    page.goto("/fairshare/")
    weights = page.locator("#custom-weights")
    expect(weights).to_be_hidden()
    page.locator("#id_key").focus()
    page.keyboard.press("End")  # the last choice: my own weights
    expect(weights).to_be_visible()
    page.locator("#id_weight_population").fill("1")
    page.locator("#id_weight_gdp_per_capita").fill("1")
    page.locator("#id_weight_gdp_per_capita").press("Enter")
    expect(page.locator("code").first).to_contain_text("s_i(gdp/population)")
    assert "weight_population=1" in page.url
