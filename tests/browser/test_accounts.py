"""Logging in and out through the real forms, as a member without a privileged role (no 2FA)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_member_logs_in_and_out(page: Page, cast) -> None:
    page.goto("/countries/")
    page.locator(".site-nav").get_by_role("link", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/countries/$"))
    page.locator("#id_username").fill(cast.migrant_org_member.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form").get_by_role("button", name="Log in").click()

    expect(page).to_have_url(re.compile(r"/countries/$"))
    nav = page.locator(".site-nav")
    expect(nav).to_contain_text(f"Signed in as {cast.migrant_org_member.username}")
    expect(nav.get_by_role("link", name="Log in")).to_have_count(0)

    nav.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(nav.get_by_role("link", name="Log in")).to_be_visible()
    expect(nav).not_to_contain_text("Signed in as")
