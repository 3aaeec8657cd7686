"""Playwright fixtures for browser tests in Debian's Chromium (never ``playwright install``).

Use ``pytest_plugins = ["tests.browser"]`` in a conftest (or import the fixtures).  ``browser``
is one Chromium per session; ``page`` is a fresh page that aborts every http(s) request and
records page errors (``page.errors``), console errors (``page.console_errors``) and dialogs
(``page.dialogs``: ``alert(1)`` from a report would land here; each is dismissed).  Without
``/usr/bin/chromium`` the tests skip with a reason, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _missing(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: browser tests must run)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium driven by Playwright."""
    if not CHROMIUM.exists():
        _missing(f"{CHROMIUM} is missing: apt-get install --no-install-recommends chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as err:  # the [dev] extra
        _missing(f"playwright is not installed ({err}); pip install -e '.[dev]'")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _route(route: Any) -> None:
    if route.request.url.startswith(("http:", "https:")):
        route.abort()
    else:
        route.continue_()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A page with the network cut off, recording errors and dialogs."""
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    tab = context.new_page()
    tab.errors = []
    tab.console_errors = []
    tab.dialogs = []
    tab.blocked = []

    def on_dialog(dialog: Any) -> None:
        tab.dialogs.append(dialog.message)
        dialog.dismiss()

    def on_request_failed(request: Any) -> None:
        if request.url.startswith(("http:", "https:")):
            tab.blocked.append(request.url)

    tab.on("pageerror", lambda error: tab.errors.append(str(error)))
    tab.on("console", lambda m: tab.console_errors.append(m.text) if m.type == "error" else None)
    tab.on("dialog", on_dialog)
    tab.on("requestfailed", on_request_failed)
    tab.route("**/*", _route)
    try:
        yield tab
    finally:
        context.close()


def open_file(tab: Any, path: Path, *, wait_for: str = ".leaflet-container") -> None:
    """Load a saved page from disk and wait until ``wait_for`` is there."""
    tab.goto(Path(path).resolve().as_uri())
    tab.wait_for_selector(wait_for, state="attached", timeout=15_000)
