"""The fair-share calculator in Chromium: no axe violations, nothing refused by the Content
Security Policy, the custom weights shown only when chosen (the static script), and the form
usable from the keyboard alone."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from solidarity.fairshare.actions import (
    OptionInput,
    consultation_close,
    consultation_create,
    consultation_open,
    country_group_create,
    figures_load_shipped,
    vote_cast,
)
from solidarity.stats.fairshare import preset_key

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


def test_a_closed_consultation_and_the_groups_have_no_axe_violations(page: Page, cast: Any) -> None:
    group = country_group_create(
        actor=cast.migrant_org_member, slug="pair", name="Kenya and Mexico", members=["KEN", "MEX"]
    )
    consultation = consultation_create(
        actor=cast.reviewer,
        title="Which key?",
        question="Which key should share the next 30,000 places?",
        group=f"GROUP:{group.slug}",
        year=2020,
        quorum=Decimal("0.5"),
        majority="simple",
        options=[
            OptionInput("EU 2024 key", preset_key("eu2024").as_dict(), Decimal(30000)),
            OptionInput("EU 2015 key", preset_key("eu2015").as_dict(), Decimal(30000)),
        ],
    )
    consultation = consultation_open(actor=cast.reviewer, consultation=consultation)
    option = consultation.options.first()
    assert option is not None
    vote_cast(actor=cast.focal_point_kenya, consultation=consultation, country="KEN", option=option)
    consultation_close(actor=cast.reviewer, consultation=consultation)
    for path in (f"/fairshare/consultations/{consultation.pk}/", "/fairshare/groups/"):
        response = page.goto(path)
        assert response is not None
        assert response.status == 200
        results = axe.run(page)
        assert results.violations_count == 0, results.generate_report()
    page.goto(f"/fairshare/consultations/{consultation.pk}/")
    expect(page.get_by_text("Adopted: EU 2024 key.")).to_be_visible()
