"""The API's interactive documentation in a real browser, under the site's strict Content Security
Policy: the page must render and call the API without a single console error (a refused script or
style would be one; the ``page`` fixture fails the test on any)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from solidarity.api.tests.test_permissions import operations as described_operations

pytestmark = pytest.mark.browser


def test_swagger_ui_renders_every_operation_and_tries_one(page: Page) -> None:
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto("/api/v1/docs")

    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Solidarity API")
    operations = page.locator(".opblock-summary-path")
    expect(operations.filter(has_text="/api/v1/countries")).to_have_count(2)
    # Every operation the OpenAPI description lists (each app adds its own).
    expect(operations).to_have_count(len(described_operations()))

    # Run one operation from the page, as a reader exploring the API would.
    page.locator("#operations-Places-country_get").click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_placeholder("iso3").fill("KEN")
    page.get_by_role("button", name="Execute").click()
    expect(page.locator(".live-responses-table tr.response .response-col_status")).to_have_text(
        "200"
    )
    expect(page.locator(".live-responses-table")).to_contain_text('"name_es": "Kenia"')

    # Everything came from this site: no CDN, no online validator.
    origin = page.url.split("/api/")[0]
    assert requests
    assert all(url.startswith((origin, "data:")) for url in requests), requests
