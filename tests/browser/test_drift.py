"""Drift in a real browser: a marketing manager opens the active plan and reads which stage
is at risk and what it costs; on the drift page a window out of bounds is refused (by the
browser: the server's refusal is tests/reviews/test_drift_pages.py's), and one within them
is saved and the plans measured again."""

from datetime import date

import pytest
from django.utils import timezone

from orgs.models import Role
from reviews.models import DriftSettings, PlanDrift
from reviews.services.drift import drift_recompute
from tests.browser.conftest import screenshot, sign_in
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.reviews.drift_history import active_plan, build_history

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def acme():
    org = OrganizationFactory(name="Acme", slug="acme")
    user = UserFactory(username="mia", first_name="Mia", last_name="Marketing")
    MembershipFactory(user=user, organization=org, role=Role.MARKETING_MANAGER)
    today = timezone.localdate()
    build_history(org, today)
    plan = active_plan(org, date(today.year + 1, 1, 1), name=f"FY{today.year + 1}")
    drift_recompute(organization_id=org.pk, today=today)
    return plan


def test_a_manager_reads_the_drift_and_sets_the_window(page, acme):
    sign_in(page, "mia")
    page.click(".sidebar a:text('Plans')")
    page.click(f"a:text('{acme.name}')")

    risk = page.inner_text("[data-testid=drift-panel] [data-testid=drift-risk]")
    assert risk.startswith("At risk: Lead → Marketing-qualified lead converts 30.0% (95% CI 24.1%")
    assert risk.endswith("below the assumption; at current rates -40 customers, -€480,000 revenue.")
    assert not page.is_visible("[data-testid=drift-panel] [data-testid=drift-table]")
    page.click("[data-testid=drift-panel] summary")  # every stage, on demand
    assert page.is_visible("[data-testid=drift-panel] [data-testid=drift-table]")
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "drift-plan")

    page.click(".sidebar a:text('Plan drift')")
    assert page.inner_text("[data-testid=drift-status]") == "At risk"
    page.fill("#id_window_days", "20")
    page.click("[data-testid=drift-settings-form] button[type=submit]")  # the browser refuses
    assert page.eval_on_selector("#id_window_days", "el => el.validity.rangeUnderflow")
    assert not DriftSettings.objects.exists()

    page.fill("#id_window_days", "60")
    with page.expect_navigation():
        page.click("[data-testid=drift-settings-form] button[type=submit]")
    assert page.is_visible("text=Window saved: the plans are measured again.")
    assert set(PlanDrift.objects.values_list("window_days", flat=True)) == {60}
    assert "in a window of 60 days" in page.inner_text(".lead")
    assert page.input_value("#id_window_days") == "60"
    screenshot(page, "drift-page")
    assert page.problems == []
