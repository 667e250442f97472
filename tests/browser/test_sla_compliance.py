"""The SLA's scorecard and breaches on the demo, in a real browser, in English and Italian, on
a laptop and a phone: both sides' figures and the breaches read without codes or raw
decimals, no page wider than the screen; the screenshots in docs/screenshots/ are taken here."""

import re
from pathlib import Path

import pytest

from orgs.demo import DEMO_PASSWORD, seed_demo_organizations
from orgs.models import Organization
from sla.models import Breach

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SCREENS = {"1366": (1366, 800), "390": (390, 844)}
TALLEST = 1900  # px kept of a long page: the scorecard whole on a laptop, the top of the list


@pytest.fixture
def demo():
    """The demo organisation, its agreement judged on its history (the seed's signatures
    run the recompute)."""
    seed_demo_organizations()
    organization = Organization.objects.get(slug="demo")
    assert Breach.objects.filter(organization=organization, side="marketing").exists()
    assert Breach.objects.filter(organization=organization, side="sales").exists()
    return organization


def _sign_in(page, username):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("form[data-testid=login-form] button[type=submit]")
    page.wait_for_selector("h1")


def _fits(page):
    """The page never scrolls sideways: wide tables scroll inside their card."""
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def _capture(page, name, width):
    height = min(page.evaluate("document.documentElement.scrollHeight"), TALLEST)
    page.set_viewport_size({"width": width, "height": height})
    page.screenshot(path=str(SHOTS / f"{name}.png"))


@pytest.mark.parametrize("language", ["en", "it"])
def test_the_scorecard_and_the_breaches_read_well(demo, page, language):
    from playwright.sync_api import expect

    _sign_in(page, "leader")
    page.context.add_cookies([{"name": "django_language", "value": language, "url": page.url}])
    SHOTS.mkdir(parents=True, exist_ok=True)
    for screen, (width, height) in SCREENS.items():
        page.set_viewport_size({"width": width, "height": height})

        page.goto("/sla/compliance/")
        assert page.locator("html").get_attribute("lang") == language
        for part in ("owes", "marketing", "sales", "shortfall", "channels"):
            assert page.is_visible(f"[data-testid={part}]"), part
        channels = page.inner_text("[data-testid=channels]")
        assert "paid_search" not in channels  # names, not codes
        assert "%" in page.inner_text("[data-testid=acceptance]")
        assert _fits(page), f"scorecard at {screen} px"
        _capture(page, f"sla-compliance-{language}-{screen}", width)

        page.set_viewport_size({"width": width, "height": height})
        page.goto("/sla/breaches/")
        assert page.locator("[data-testid=breach]").count() == 50  # the first page
        assert _fits(page), f"breaches at {screen} px"
        _capture(page, f"sla-breaches-{language}-{screen}", width)

    page.set_viewport_size({"width": 1366, "height": 800})
    page.select_option("select[name=side]", "marketing")  # htmx swaps the list alone
    months = page.locator("[data-testid=breach] a")
    # Wait for the swap itself: the unfiltered list may already start with a month's breach.
    marketing = Breach.objects.filter(organization=demo, side="marketing").count()
    assert 0 < marketing < 50
    expect(page.locator("[data-testid=breach]")).to_have_count(marketing)
    expect(months.first).to_have_attribute("href", re.compile(r"^/sla/compliance/\?month="))
    assert "side=marketing" in page.url
    months.first.click()  # a month's MQLs: its scorecard
    page.wait_for_selector("[data-testid=read-for]")
    assert "month=" in page.url

    for name in ("sales", "leadership"):  # the dashboards show the agreement's figures
        page.goto(f"/dashboards/{name}/")
        assert page.is_visible("[data-testid=sla-figures]"), name
        page.click("[data-testid=sla-scorecard-link]")
        page.wait_for_selector("[data-testid=owes]")
    assert page.problems == []
