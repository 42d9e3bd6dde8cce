"""An indicator page with published data: no axe violations, and its breakdown form works from
the keyboard alone (no JavaScript involved: a plain GET form)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from solidarity.indicators.actions import (
    dataset_version_approve,
    dataset_version_publish,
    dataset_version_submit,
    submission_import,
)
from solidarity.indicators.models import DatasetVersion, Indicator
from solidarity.indicators.selectors import ref_area_get
from solidarity.indicators.tests.conftest import load_provider_mappings

pytestmark = pytest.mark.browser

axe = Axe()


@pytest.fixture
def published(cast: Any, shared_data: Path) -> DatasetVersion:
    load_provider_mappings(
        "ons_10_7_3_mappings.json", provider=cast.statistics_office, actor=cast.data_provider
    )
    path = shared_data / "indicators" / "uk_ons_sdg_indicator_10-7-3.csv"
    result = submission_import(
        actor=cast.data_provider,
        indicator=Indicator.objects.get(code="10.7.3"),
        provider=cast.statistics_office,
        ref_area=ref_area_get(iso3_or_m49="GBR"),
        file=io.BytesIO(path.read_bytes()),
        file_name=path.name,
        dry_run=False,
        revision_note="",
    )
    assert result.version is not None
    version = dataset_version_submit(actor=cast.data_provider, version=result.version)
    version = dataset_version_approve(actor=cast.reviewer, version=version)
    return dataset_version_publish(actor=cast.administrator, version=version)


@pytest.mark.parametrize("language_prefix", ["", "/fr"], ids=["en", "fr"])
def test_the_indicator_page_with_data_has_no_axe_violations(
    page: Page, published: DatasetVersion, language_prefix: str
) -> None:
    response = page.goto(f"{language_prefix}/indicators/10.7.3/")
    assert response is not None
    assert response.status == 200
    expect(page.locator("svg.chart")).to_have_count(1)
    results = axe.run(page)
    assert results.violations_count == 0, results.generate_report()


def test_the_coverage_page_has_no_axe_violations(page: Page, published: DatasetVersion) -> None:
    response = page.goto("/indicators/coverage/?country=GBR")
    assert response is not None
    assert response.status == 200
    results = axe.run(page)
    assert results.violations_count == 0, results.generate_report()


def test_the_breakdown_form_works_by_keyboard(page: Page, published: DatasetVersion) -> None:
    prefix = f"d{published.dataset_id}"
    page.goto("/indicators/10.7.3/")
    caption = page.locator(f"#{prefix}-caption")
    expect(caption).to_contain_text("Headline series for United Kingdom")
    sex = page.locator(f"#{prefix}-SEX")
    sex.focus()
    page.keyboard.press("ArrowDown")  # Total → the first code after it
    chosen = sex.input_value()
    assert chosen != "_T"
    button = page.locator(f"#{prefix} button[type=submit]")
    while not button.evaluate("element => element === document.activeElement"):
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/indicators/10.7.3/?*{prefix}-SEX={chosen}*")
    expect(page.locator(f"#{prefix}-caption")).to_contain_text("Selected series for United Kingdom")
    expect(page.locator(f"#{prefix}-SEX")).to_have_value(chosen)
