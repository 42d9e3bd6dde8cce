"""Real headless Chromium against the live Django server (STYLE.md: real Chromium for pages).

Chromium is Debian's package at /usr/bin/chromium, not a browser downloaded by Playwright: the CI
image installs it with apt and has no internet to fetch another. Without it the browser tests fail
(they do not skip), so a missing browser can never pass for a green run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connections
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

from solidarity.indicators.loaders import load_indicator_catalogue
from solidarity.reference.loaders import load_reference_data

# Playwright's sync API runs an asyncio event loop in the test thread, and Django refuses database
# access from a thread with a running event loop (SynchronousOnlyOperation). The tests only call the
# ORM synchronously between browser steps, never from inside the loop, so the guard does not apply.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"The browser tests need Chromium at {CHROMIUM}: run `apt-get install chromium`.",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(scope="package")
def _reference_data_after_the_browser_tests(django_db_blocker: Any) -> Iterator[None]:
    """Put the catalogue back once the last browser test's database flush is done, for any test
    that runs after these and relies on the once-per-session load (conftest.py at the root)."""
    yield
    with django_db_blocker.unblock():
        load_reference_data(actor="system:tests")
        load_indicator_catalogue(actor="system:tests")
        # Playwright's event loop makes Django open a separate connection here; close it so the
        # test database can be dropped at the end of the run (PostgreSQL refuses while in use).
        connections.close_all()


@pytest.fixture(autouse=True)
def reference_data(_reference_data_after_the_browser_tests: None, transactional_db: None) -> None:
    """The live server sees only committed rows, so these tests run on a transactional database,
    which is flushed after each test: load the catalogue again before each one."""
    load_reference_data(actor="system:tests")
    load_indicator_catalogue(actor="system:tests")


@pytest.fixture
def console_errors() -> list[str]:
    return []


@pytest.fixture
def page(browser: Browser, live_server: Any, console_errors: list[str]) -> Iterator[Page]:
    """A fresh browser tab (its own cookies) on the live server. Every console error (a script
    error, a missing file, a resource refused by the Content Security Policy) is collected, and the
    test fails if there was any; a test that expects one removes it from ``console_errors``."""
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()

    def record(message: ConsoleMessage) -> None:
        if message.type == "error":
            console_errors.append(f"{page.url}: {message.text}")

    page.on("console", record)
    page.on("pageerror", lambda error: console_errors.append(f"{page.url}: {error}"))
    yield page
    context.close()
    assert console_errors == []
