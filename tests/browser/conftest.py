"""Playwright driving Debian's chromium against a live server.

Playwright's own browser download is not used: the tests launch the system chromium.
"""

import os
import shutil
from pathlib import Path

import pytest

from tests.factories import PASSWORD

# Playwright's sync API runs an event loop in the test thread; Django must still let the
# test itself use the ORM there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# Without the networking flags chromium keeps calling home, which a closed network refuses.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(
            "Chromium is not installed, so the browser tests are skipped. "
            "Install it with: sudo apt-get install chromium (Debian/Ubuntu), "
            "or set CHROMIUM_PATH to a Chromium binary."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh page; any failed request or console error fails the test."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    problems = []
    page.on(
        "console",
        lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
    )
    page.on(
        "requestfailed", lambda r: None if _left_behind(r) else problems.append(f"failed: {r.url}")
    )
    page.on(
        "response", lambda r: problems.append(f"{r.status}: {r.url}") if r.status >= 400 else None
    )
    page.problems = problems
    yield page
    context.close()


def _left_behind(request) -> bool:
    """An htmx request the browser gave up because the page went on to another (the header's
    unread count, loaded as each page opens): not a failure of the app."""
    return request.resource_type in ("xhr", "fetch") and request.failure == "net::ERR_ABORTED"


def screenshot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def sign_in(page, username, heading="Acme"):
    """Sign in through the login form and wait for the organisation's home."""
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form[data-testid=login-form] button[type=submit]")
    page.wait_for_selector(f"h1:text('{heading}')")


@pytest.fixture
def second_page(browser, live_server):
    """Another person's browser: its own context, cookies and session."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on(
        "response", lambda r: problems.append(f"{r.status}: {r.url}") if r.status >= 400 else None
    )
    page.problems = problems
    yield page
    context.close()
