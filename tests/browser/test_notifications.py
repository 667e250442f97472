"""The notification centre and the weekly digest on the demo, in a real browser: the bell's
count, the list in words (no codes), marking read in place, the choices, the digest's
preview; in English and Polish. The screenshots in docs/screenshots/ are taken here."""

from pathlib import Path

import pytest

from orgs.demo import DEMO_PASSWORD, seed_demo_organizations
from reviews.models import Notification

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _sign_in(page, username):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("form[data-testid=login-form] button[type=submit]")
    page.wait_for_selector("h1")


@pytest.mark.parametrize("language", ["en", "pl"])
def test_the_sales_manager_reads_and_marks_notifications(page, language):
    from playwright.sync_api import expect

    seed_demo_organizations()
    unread = Notification.objects.filter(user__username="sales", read_at__isnull=True).count()
    assert unread >= 3
    _sign_in(page, "sales")
    page.context.add_cookies([{"name": "django_language", "value": language, "url": page.url}])
    page.goto("/")
    expect(page.get_by_test_id("unread-count")).to_have_text(str(unread))

    page.get_by_test_id("topbar-notifications").click()
    rows = page.get_by_test_id("notification")
    expect(rows).to_have_count(unread)
    text = page.inner_text("main")
    for code in ("first_touch", "sla.breach", "awaiting_signature", "sales_manager", "None"):
        assert code not in text, code
    SHOTS.mkdir(parents=True, exist_ok=True)
    if language == "en":
        page.screenshot(path=str(SHOTS / "notifications-1366.png"))

    first = page.locator(f"#{rows.first.get_attribute('id')}")
    with page.expect_response(lambda answer: answer.url.endswith("/read/")):
        first.get_by_test_id("mark-read").click()
    expect(first.get_by_test_id("mark-read")).to_have_count(0)  # swapped in place
    page.reload()
    expect(page.get_by_test_id("unread-count")).to_have_text(str(unread - 1))

    page.goto("/notifications/preferences/")
    page.uncheck("#email-objective")
    page.get_by_test_id("save").click()
    expect(page.locator("#email-objective")).not_to_be_checked()
    expect(page.locator("#in-app-objective")).to_be_checked()

    page.goto("/notifications/digest/")
    expect(page.get_by_test_id("digest")).to_be_visible()
    digest = page.inner_text("main")
    assert "€" in digest  # the demo's money, with its currency
    if language == "en":
        page.screenshot(path=str(SHOTS / "digest-1366.png"), full_page=True)
    assert not page.problems, page.problems
