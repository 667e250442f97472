"""The marketing dashboard in a real browser: which channels convert, as percentages."""

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from crm.models import Campaign, Channel
from crm.services.leads import lead_change_stage, lead_create
from crm.services.records import record_create
from kpis.recompute import kpis_recompute_full
from orgs.models import Role
from tests.browser.conftest import screenshot
from tests.factories import PASSWORD, MembershipFactory, OrganizationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def mia_page(page):
    """Mia, a marketing manager, signed in; paid search brought 4 leads, 2 became MQLs."""
    org = OrganizationFactory(name="Acme", slug="acme")
    MembershipFactory(
        user=UserFactory(username="mia"), organization=org, role=Role.MARKETING_MANAGER
    )
    paid = Channel.objects.for_org(org).get(code="paid_search")
    ads = record_create(
        Campaign, organization=org, name="Spring ads", channel=paid,
        start_date=date(2026, 1, 1), end_date=date(2026, 1, 31), actual_cost=Decimal("400"),
    )  # fmt: skip
    for i in range(4):
        lead = lead_create(
            organization=org, by=None, name=f"Lead {i}", stage="lead", channel=paid,
            campaign=ads, created_at=datetime(2026, 1, 10, tzinfo=UTC),
        )  # fmt: skip
        if i < 2:
            lead_change_stage(
                lead=lead, to_stage="mql", by=None, at=datetime(2026, 2, 2, tzinfo=UTC)
            )
    kpis_recompute_full(organization_id=org.pk)
    page.goto("/accounts/login/")
    page.fill("#id_username", "mia")
    page.fill("#id_password", PASSWORD)
    page.click("form[data-testid=login-form] button[type=submit]")
    page.wait_for_selector("h1:text('Acme')")
    return page


def test_the_marketing_dashboard_shows_which_channels_convert(mia_page):
    page = mia_page

    page.goto("/dashboards/marketing/?start=2026-01&end=2026-03")
    table = page.locator("[data-testid=conversion-by-channel]")
    row = table.locator("tbody tr", has_text="Paid search")
    cells = row.locator("td").all_inner_texts()

    assert cells[1] == "4"
    assert cells[2] == "50.0%"  # lead to MQL, as English writes a percentage
    assert re.fullmatch(r"\d+\.\d%|—", cells[3])  # MQL to SQL
    assert cells[5] == "€100"  # cost per lead, in euros, beside the conversions
    assert table.locator("thead th").all_text_contents()[2:5] == [
        "Lead to MQL",
        "MQL to SQL",
        "Lead to customer",
    ]
    screenshot(page, "marketing-conversion")
    assert page.problems == []
