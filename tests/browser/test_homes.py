"""Each role's home on the demo, in a real browser, in English and Russian, on a laptop and a
phone: the screenshots in docs/screenshots/ (shown in the README) are taken here."""

from pathlib import Path

import pytest

from kpis.recompute import kpis_recompute_full
from orgs.demo import DEMO_PASSWORD, DEMO_USERS, seed_demo_organizations
from orgs.models import Organization

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WIDTHS = {"1366": (1366, 768), "390": (390, 844)}
LANGUAGES = ("en", "ru")
TALLEST = 2400  # px of a page kept: the top of a long page says what it is about; PNGs stay small
# What each role's home shows beside the plan's revenue, pace and stages behind.
OWN_PART = {
    "admin": "[data-testid=waiting]",
    "marketing": "[data-testid=channels-behind]",
    "sales": "[data-testid=waiting]",
    "rep": "[data-testid=waiting]",
    "leader": "[data-testid=customers]",
}


def _sign_in(page, username):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("form[data-testid=login-form] button[type=submit]")
    page.wait_for_selector("[data-testid=revenue]")


def _capture(page, name, width):
    """The page as tall as it is (up to TALLEST): a viewport that tall, so the fixed sidebar
    reaches the bottom as a reader sees it."""
    height = min(page.evaluate("document.documentElement.scrollHeight"), TALLEST)
    page.set_viewport_size({"width": width, "height": height})
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def _no_sideways_scroll(page):
    """The page itself never scrolls sideways; wide tables scroll inside their card."""
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def test_each_roles_home_in_english_and_russian_on_a_laptop_and_a_phone(browser, live_server):
    seed_demo_organizations()
    kpis_recompute_full(organization_id=Organization.objects.get(slug="demo").pk)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    host = live_server.url.split("//")[1].split(":")[0]
    problems: list[str] = []

    for username, _role, _first, _last in DEMO_USERS:
        context = browser.new_context(base_url=live_server.url)
        page = context.new_page()
        page.on("response", lambda r: problems.append(r.url) if r.status >= 400 else None)
        _sign_in(page, username)
        for language in LANGUAGES:
            language_cookie = {"name": "django_language", "value": language, "path": "/"}
            context.add_cookies([language_cookie | {"domain": host}])
            for label, (width, height) in WIDTHS.items():
                page.set_viewport_size({"width": width, "height": height})
                page.goto("/")
                page.wait_for_selector(OWN_PART[username])
                assert page.locator("html").get_attribute("lang") == language
                assert _no_sideways_scroll(page), (username, language, label)
                _capture(page, f"home-{username}-{language}-{label}", width)
        context.close()
    assert problems == []
