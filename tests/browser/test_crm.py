"""CRM pages in a real browser: stage settings forms, list filtering with htmx."""

import pytest

from crm.models import LifecycleStage
from crm.services.leads import lead_create
from orgs.models import Role
from tests.factories import PASSWORD, MembershipFactory, OrganizationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def admin_page(page):
    org = OrganizationFactory(name="Acme", slug="acme")
    MembershipFactory(user=UserFactory(username="ada"), organization=org, role=Role.ADMIN)
    page.goto("/accounts/login/")
    page.fill("#id_username", "ada")
    page.fill("#id_password", PASSWORD)
    page.click("form[data-testid=login-form] button[type=submit]")
    page.wait_for_selector("h1:text('Acme')")
    page.org = org
    return page


def test_stages_are_renamed_and_added_from_their_table(admin_page):
    page = admin_page
    page.goto("/crm/stages/")
    row = page.locator("[data-testid=lifecycle-stages] tr", has_text="mql")
    row.locator("input[name=name]").fill("Marketing qualified")
    with page.expect_navigation():
        row.get_by_role("button", name="Save").click()
    new = page.locator("[data-testid=lifecycle-stages] tr").last
    new.locator("input[name=code]").fill("nurture")
    new.locator("input[name=name]").fill("Nurture")
    with page.expect_navigation():
        new.get_by_role("button", name="Add").click()

    assert (
        LifecycleStage.objects.get(organization=page.org, code="mql").name == "Marketing qualified"
    )
    assert LifecycleStage.objects.filter(organization=page.org, code="nurture").exists()
    assert page.problems == []


def test_the_lead_list_filters_as_one_types(admin_page):
    page = admin_page
    lead_create(organization=page.org, by=None, name="Zed Zebra", stage="mql")
    lead_create(organization=page.org, by=None, name="Amy Apple", stage="sql")
    page.goto("/crm/leads/")
    assert page.inner_text("[data-testid=result-count]") == "2 records"

    page.fill("input[name=q]", "zeb")
    # A selector, not wait_for_function: that evaluates a string, which the page's CSP refuses.
    page.wait_for_selector("[data-testid=result-count]:text-is('1 record')")

    assert "Zed Zebra" in page.inner_text("#results")
    assert "Amy Apple" not in page.inner_text("#results")
    assert "q=zeb" in page.url  # the filter is in the address, to share or reload
    assert page.problems == []
