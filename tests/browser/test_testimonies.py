"""Testimonies in real Chromium: a person without an account gives testimony in Spanish on a
narrow phone screen, keeps the receipt and later withdraws with it; a moderator reveals,
redacts and publishes; the State's focal point sees nothing before publication. The form page is
weighed as transferred over the network, and checked with axe."""

from __future__ import annotations

import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client
from playwright.sync_api import Browser, Page, expect

from conftest import verify_two_factor

pytestmark = pytest.mark.browser

axe = Axe()
PHONE = {"width": 360, "height": 740}
TEXT = (
    "Me llamo Rosa Martínez. Salí de Honduras con mi hija y trabajé en Tapachula. "
    "Mi teléfono es +52 962 123 4567."
)


@pytest.fixture(autouse=True)
def _no_time_trap(settings: Any) -> None:
    # A script fills the form faster than a person; the trap itself is tested in test_pages.py.
    settings.TESTIMONY_FORM_MIN_SECONDS = 0


def signed_in_page(browser: Browser, live_server: Any, user: Any) -> Page:
    """A tab signed in as ``user`` with the second factor passed, as after the real login."""
    client = Client()
    client.force_login(user)
    verify_two_factor(client, user)
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context.new_page()


def test_the_form_weighs_under_100_kb_and_has_no_axe_violations(page: Page) -> None:
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    transferred: list[int] = []
    cdp.on("Network.loadingFinished", lambda event: transferred.append(event["encodedDataLength"]))
    page.set_viewport_size(PHONE)
    response = page.goto("/es/testimonies/new/")
    assert response is not None
    assert response.status == 200
    page.wait_for_load_state("networkidle")
    total = sum(transferred)
    print(f"\n/es/testimonies/new/: {len(transferred)} requests, {total} bytes transferred")
    assert 0 < total < 100_000
    # No script at all: the page works on any phone.
    assert page.locator("script").count() == 0
    for language in ("", "/es"):
        page.goto(f"{language}/testimonies/new/")
        results = axe.run(page)
        assert results.violations_count == 0, results.generate_report()


def test_a_testimony_from_submission_to_publication_and_withdrawal(
    page: Page, browser: Browser, live_server: Any, cast: Any
) -> None:
    # An anonymous person on a narrow phone, in Spanish.
    page.set_viewport_size(PHONE)
    page.goto("/es/testimonies/new/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    page.locator("#id_text").fill(TEXT)
    page.locator("#id_consent_store").check()
    page.locator("#id_consent_publish").check()
    page.locator("#id_consent_share_state").check()
    page.locator("#id_country_of_origin").fill("Honduras")
    page.locator("#id_country_of_destination").fill("Kenia")
    page.locator("main form button[type=submit]").click()
    code = page.locator("#receipt-code").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){4}", code)
    digest = page.locator("#receipt-digest").inner_text()
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    # No horizontal scrolling on the phone, and the receipt passes axe too.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    results = axe.run(page)
    assert results.violations_count == 0, results.generate_report()

    # Kenya's focal point sees nothing before a moderator releases it.
    amina = signed_in_page(browser, live_server, cast.focal_point_kenya)
    amina.goto("/testimonies/shared/")
    expect(amina.locator("main")).not_to_contain_text("Honduras")
    expect(amina.locator("main")).not_to_contain_text("Salí de")
    page.goto("/testimonies/")
    expect(page.locator("main")).not_to_contain_text("Salí de")

    # The moderator reveals the text (audited), confirms the flags and publishes.
    moses = signed_in_page(browser, live_server, cast.moderator)
    moses.goto("/testimonies/moderation/")
    moses.get_by_role("link", name=re.compile("^Moderate")).first.click()
    expect(moses.locator("main")).not_to_contain_text("Rosa")
    moses.get_by_label("Why do you need to read this testimony?").fill("Redaction")
    moses.get_by_role("button", name="Reveal the text").click()
    expect(moses.locator("#testimony-text")).to_contain_text("Me llamo Rosa Martínez.")
    flags = moses.locator("input[name=flags]")
    assert flags.count() == 4  # name, Honduras, Tapachula, phone
    results = axe.run(moses)
    assert results.violations_count == 0, results.generate_report()
    moses.get_by_label("Other words to remove, one per line").fill("mi hija")
    moses.locator("input[name=could_endanger][value=no]").check()
    moses.locator("input[name=decision][value=publish]").check()
    moses.get_by_label("Reason").fill("Name, places, phone and daughter removed.")
    moses.get_by_role("button", name="Record the decision").click()
    expect(moses.locator("main")).to_contain_text("The testimony is released")

    published = (
        "Me llamo [name removed]. Salí de [place removed] con [detail removed] y trabajé en "
        "[place removed]. Mi teléfono es [phone number removed]."
    )
    amina.goto("/testimonies/shared/")
    expect(amina.locator("main")).to_contain_text(published)
    page.goto("/testimonies/")
    expect(page.locator("main")).to_contain_text(published)

    # Later, the person withdraws it with the receipt code.
    page.goto("/es/testimonies/receipt/")
    page.locator("#id_code").fill(code.lower())
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main")).to_contain_text(digest)
    page.locator("form:has(input[value=withdraw_all]) button").click()
    expect(page.locator("#testimony-status")).not_to_be_empty()
    page.goto("/testimonies/")
    expect(page.locator("main")).not_to_contain_text("Salí de")
    amina.goto("/testimonies/shared/")
    expect(amina.locator("main")).not_to_contain_text("Salí de")
    amina.context.close()
    moses.context.close()
