"""Shared objectives in a real browser: a marketing manager writes one owned with a sales
manager, watches the SMART check follow the target as she types it, saves it, and finds it
on the scorecard marked shared."""

import pytest
from django.utils import timezone

from crm.demo import seed_crm_history
from kpis.recompute import kpis_recompute_full
from objectives.models import Objective, Owner
from orgs.models import Membership, Role
from smarketing.lib.months import add_months
from tests.browser.conftest import screenshot, sign_in
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def acme():
    """Acme with two years of CRM history up to today, Mia in marketing and Sam in sales."""
    org = OrganizationFactory(name="Acme", slug="acme")
    for username, first, last, role in [
        ("mia", "Mia", "Marketing", Role.MARKETING_MANAGER),
        ("sam", "Sam", "Sales", Role.SALES_MANAGER),
    ]:
        user = UserFactory(username=username, first_name=first, last_name=last)
        MembershipFactory(user=user, organization=org, role=role)
    seed_crm_history(organization=org, today=timezone.localdate())
    kpis_recompute_full(organization_id=org.pk)
    return org


def test_a_marketing_manager_writes_a_shared_objective_and_the_check_follows_her(page, acme):
    sam = Membership.objects.get(user__username="sam")
    this_month = timezone.localdate().replace(day=1)
    sign_in(page, "mia")
    page.click(".sidebar a:text('Shared objectives')")
    page.click("[data-testid=new-objective]")

    page.fill("#id_title", "Won revenue, next six months")
    page.select_option("#id_metric", "won_revenue")
    page.fill("#id_first_month", f"{this_month:%Y-%m}")
    page.fill("#id_last_month", f"{add_months(this_month, 5):%Y-%m}")
    assert "Mia Marketing" in page.inner_text("#id_owners-0-member option:checked")
    page.fill("#id_owners-0-weight", "20")
    page.select_option("#id_owners-1-member", str(sam.pk))
    page.fill("#id_owners-1-weight", "30")
    with page.expect_response(lambda r: r.request.method == "POST"):
        page.click("[data-testid=add-owner]")  # a row more, in place, what was typed kept
    page.wait_for_selector("#id_owners-2-member")
    assert page.input_value("#id_owners-1-weight") == "30"
    with page.expect_response(lambda r: r.url.endswith("/objectives/check/")):
        page.locator("#id_target").press_sequentially("600000", delay=30)

    check = page.locator("[data-testid=smart-check]")
    check.locator("[data-testid=letter-time_bound]").wait_for()
    page.wait_for_function(
        "document.querySelector('[data-testid=letter-specific]').innerText.includes('€600,000')"
    )
    assert check.locator("[data-testid=letter-achievable]").count() == 1
    assert "Owned by marketing and sales together" in check.inner_text()
    assert "%" in check.locator("[data-testid=smart-summary]").inner_text()  # the chance
    screenshot(page, "objective-editor")

    with page.expect_navigation():
        page.click("[data-testid=save-objective]")
    page.wait_for_selector("[data-testid=objective-chart] .main-svg")  # plotly drew it
    objective = Objective.objects.get()
    assert objective.shared
    assert objective.target == 600000
    assert Owner.objects.filter(objective=objective).count() == 2
    assert "€600,000" in page.inner_text("[data-testid=objective-line]")
    screenshot(page, "objective-detail")

    page.click("a.button:text('Scorecard')")
    row = page.locator("[data-testid=group-shared] [data-testid=objective-row]")
    assert row.count() == 1
    assert "Won revenue, next six months" in row.inner_text()
    assert row.locator("[data-testid=shared-mark]").is_visible()
    assert "€600,000" in row.inner_text()
    assert "Mia Marketing (20%)" in row.inner_text()
    screenshot(page, "objective-scorecard")
    assert page.problems == []
