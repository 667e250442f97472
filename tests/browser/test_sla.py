"""The Sales-Marketing agreement in a real browser: a marketing manager drafts this year's
(its MQLs proposed from the active plan) and signs for marketing; a sales manager, signed in
on their own, signs for sales; the agreement is then in force with both signatures."""

from datetime import UTC, date, datetime, timedelta

import pytest

from funnel.services import plan_activate, plan_create
from orgs.models import Role
from sla.models import AgreementVersion
from tests.browser.conftest import screenshot, sign_in
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def acme():
    org = OrganizationFactory(name="Acme", slug="acme")
    for username, first, last, role in [
        ("mia", "Mia", "Marketing", Role.MARKETING_MANAGER),
        ("sam", "Sam", "Sales", Role.SALES_MANAGER),
    ]:
        user = UserFactory(username=username, first_name=first, last_name=last)
        MembershipFactory(user=user, organization=org, role=role)
    year = date.today().year
    plan = plan_create(
        organization=org, by=None, name="This year", first_month=date(year, 1, 1),
        last_month=date(year, 12, 1),
        inputs={"revenue_goal": "2400000", "average_deal_size": "10000",
                "stages": ["lead", "mql", "sql", "opportunity", "customer"],
                "conversion_rates": ["0.4", "0.5", "0.5", "0.25"],
                "channels": [{"code": "paid_search", "share": "0.6"}, {"code": "social", "share": "0.4"}]},
    )  # fmt: skip
    plan_activate(plan=plan)
    return org


def test_two_managers_sign_the_agreement_each_in_their_own_browser(page, second_page, acme):
    sign_in(page, "mia")
    page.click(".sidebar a:text('Sales-Marketing SLA')")
    assert page.is_visible("text=Draft this year's agreement")
    proposed = page.input_value("#id_mqls_per_month")
    assert int(proposed) > 0  # from the active plan
    assert int(page.input_value("#id_channel_paid_search")) > 0
    page.fill("#id_fit_share", "60")
    page.uncheck("input[name=rejection_reasons][value=other]")
    page.evaluate("window.scrollTo(0, 0)")  # the sticky top bar at the top of the picture
    screenshot(page, "sla-draft")
    with page.expect_navigation():
        page.click("[data-testid=draft-agreement]")

    assert page.inner_text("[data-testid=status]") == "Draft: awaiting both signatures"
    assert page.is_visible("text=At least 60% of them fit an approved buyer persona.")
    assert page.is_visible("[data-testid=channel-mqls] >> text=Paid search")
    assert not page.is_visible("[data-testid=sign-sales]")
    with page.expect_navigation():
        page.click("[data-testid=sign-marketing]")
    assert page.inner_text("[data-testid=status]") == "Draft: awaiting sales' signature"

    sign_in(second_page, "sam")
    second_page.click(".sidebar a:text('Sales-Marketing SLA')")
    second_page.click("[data-testid=agreement-row] a")
    assert not second_page.is_visible("[data-testid=sign-marketing]")
    with second_page.expect_navigation():
        second_page.click("[data-testid=sign-sales]")

    assert second_page.inner_text("[data-testid=status]") == "Version 1 in force"
    assert second_page.inner_text("[data-testid=version-status]") == "In force"
    assert "Mia Marketing" in second_page.inner_text("[data-testid=side-marketing]")
    assert "Sam Sales" in second_page.inner_text("[data-testid=side-sales]")
    assert second_page.inner_text("[data-testid=side-sales]").count(":") >= 2  # a time of day
    assert AgreementVersion.objects.get().in_force_at is not None
    screenshot(second_page, "sla-agreement")
    second_page.click(".sidebar a:text('Sales-Marketing SLA')")
    assert "Mia Marketing" in second_page.inner_text("[data-testid=signed-marketing]")
    screenshot(second_page, "sla-agreements")
    page.reload()
    assert page.inner_text("[data-testid=status]") == "Version 1 in force"
    assert page.problems == []
    assert second_page.problems == []


def test_a_manager_sets_the_business_calendar(page, acme):
    sign_in(page, "sam")
    page.click(".sidebar a:text('Business calendar')")
    page.select_option("#id_time_zone", "Europe/Rome")
    page.select_option("#id_holidays_country", "IT")
    page.uncheck("input[name=working_days][value='5']")
    page.fill("#id_day_start", "08:30")
    page.fill("#id_day_end", "17:30")
    with page.expect_navigation():
        page.click("[data-testid=save-calendar]")

    assert page.inner_text("[data-testid=working-days]") == "Monday to Thursday"
    assert page.inner_text("[data-testid=working-hours]") == "08:30 – 17:30"
    assert page.inner_text("[data-testid=country]") == "Italy"
    assert page.locator("[data-testid=coming-holidays] tr").count() >= 5
    screenshot(page, "sla-calendar")
    assert page.problems == []


def test_a_rep_accepts_an_mql_from_the_queue(page, acme):
    from crm.models import Lead
    from crm.services.leads import lead_change_stage, lead_create

    MembershipFactory(user=UserFactory(username="rita", first_name="Rita", last_name="Rep"),
                      organization=acme, role=Role.SALES_REP)  # fmt: skip
    handed = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)
    for name in ("Ann Example", "Ben Example"):
        lead = lead_create(
            organization=acme,
            by=None,
            name=name,
            stage="lead",
            created_at=handed - timedelta(hours=1),
        )
        lead_change_stage(lead=lead, to_stage="mql", by=None, at=handed)
    ann = Lead.objects.get(name="Ann Example")
    sign_in(page, "rita")

    page.goto("/sla/queue/")
    page.click(f"[data-testid=accept-{ann.pk}]")

    page.wait_for_selector("text=1 MQL accepted.")
    screenshot(page, "sla-queue")
    assert Lead.objects.get(pk=ann.pk).stage == "sql"
    assert page.locator("[data-testid=waiting]").count() == 1
    assert "Ben Example" in page.inner_text("[data-testid=queue]")
    assert not page.problems
