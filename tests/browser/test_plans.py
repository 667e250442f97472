"""The plan editor in a real browser: the preview follows the inputs, then the plan is saved."""

import pytest

from funnel.models import Plan
from orgs.models import Role
from tests.factories import PASSWORD, MembershipFactory, OrganizationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def manager_page(page):
    org = OrganizationFactory(name="Acme", slug="acme")
    MembershipFactory(
        user=UserFactory(username="mia"), organization=org, role=Role.MARKETING_MANAGER
    )
    page.goto("/accounts/login/")
    page.fill("#id_username", "mia")
    page.fill("#id_password", PASSWORD)
    page.click("form[data-testid=login-form] button[type=submit]")
    page.wait_for_selector("h1:text('Acme')")
    return page


def test_the_preview_follows_the_inputs_and_the_plan_is_saved(manager_page):
    page = manager_page
    page.goto("/plans/new/")
    page.fill("#id_name", "FY2027")
    page.fill("#id_first_month", "2027-01")
    page.fill("#id_last_month", "2027-12")
    page.select_option("#id_mode", "frozen")
    page.fill("#id_average_deal_size", "12000")
    for i, rate in enumerate(["0.4", "0.5", "0.5", "0.25"]):
        page.fill(f"#id_rate_{i}", rate)
    page.fill("#id_revenue_goal", "1200000")
    page.wait_for_selector("[data-testid=preview-customers]:text('100')")
    page.fill("#id_rate_0", "0.8")  # twice the conversion: half the leads
    page.wait_for_selector("[data-testid=preview-leads]:text('2,000')")

    with page.expect_navigation():
        page.click("form[data-testid=plan-form] button[type=submit]")

    page.wait_for_selector("[data-testid=funnel-chart] .main-svg")  # plotly drew the funnel
    assert Plan.objects.get().result["leads_needed"] == 2000
    assert page.problems == []
