"""A lead's fit to the buyer personas in a real browser: the lead's page with its reasons,
the lead list filtered by persona and score, and the marketing dashboard's persona table."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import cast

import pytest

from crm.models import Channel, Company
from crm.services.deals import deal_create, deal_win
from crm.services.leads import lead_change_stage, lead_create
from kpis.recompute import kpis_recompute_full
from orgs.models import Organization, Role
from personas.services import persona_approve, persona_create
from tests.browser.conftest import screenshot
from tests.factories import PASSWORD, MembershipFactory, OrganizationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
JANUARY = datetime(2026, 1, 10, tzinfo=UTC)


@pytest.fixture
def mia_page(page):
    """Mia (marketing) and Sam (sales) approved "Software heads"; Ann fits, Bo half, Cy not."""
    org = cast(Organization, OrganizationFactory(name="Acme", slug="acme", currency="EUR"))
    mia = MembershipFactory(
        user=UserFactory(username="mia"), organization=org, role=Role.MARKETING_MANAGER
    )
    sam = MembershipFactory(
        user=UserFactory(username="sam"), organization=org, role=Role.SALES_MANAGER
    )
    paid = Channel.objects.for_org(org).get(code="paid_search")
    software = Company.objects.create(organization=org, name="Nimbus", industry="Software")
    people = [("Ann", "Head of IT", software), ("Bo", "Intern", software), ("Cy", "Intern", None)]
    for name, title, company in people:
        lead = lead_create(
            organization=org, by=None, name=name, title=title, company=company, stage="lead",
            channel=paid, created_at=JANUARY,
        )  # fmt: skip
        lead_change_stage(lead=lead, to_stage="mql", by=None, at=JANUARY.replace(day=20))
        if name == "Ann":
            deal = deal_create(organization=org, by=None, lead=lead, amount=Decimal("12500"))
            deal_win(deal=deal, by=None, at=datetime(2026, 2, 3, tzinfo=UTC))
    persona = persona_create(
        organization=org, by=mia.user, name="Software heads", threshold=100,
        criteria=[
            {"kind": "industry_in", "weight": 1, "params": {"values": ["Software"]}},
            {"kind": "title_words", "weight": 1, "params": {"values": ["head"]}},
        ],
    )  # fmt: skip
    persona_approve(persona=persona, membership=mia, side="marketing")
    persona_approve(persona=persona, membership=sam, side="sales")  # measures every lead
    kpis_recompute_full(organization_id=org.pk)
    page.goto("/accounts/login/")
    page.fill("#id_username", "mia")
    page.fill("#id_password", PASSWORD)
    page.click("form[data-testid=login-form] button[type=submit]")
    page.wait_for_selector("h1:text('Acme')")
    page.persona = persona
    return page


def test_a_lead_page_shows_its_fit_and_why(mia_page):
    page = mia_page
    page.goto("/crm/leads/")
    page.click("text=Bo")

    panel = page.locator("[data-testid=lead-fit]")
    assert panel.locator("[data-testid=fit-score]").inner_text() == "50 / 100"
    assert panel.locator("[data-testid=fit-verdict]").inner_text() == "Does not fit"
    reasons = panel.locator("[data-testid=fit-reasons] li").all_inner_texts()
    assert reasons[0].startswith("✓ Industry «Software» is one of Software.")
    assert reasons[1].startswith("✗ Job title «Intern» contains none of head.")
    screenshot(page, "lead-fit")


def test_the_lead_list_filters_by_persona_and_score(mia_page):
    page = mia_page
    page.goto(f"/crm/leads/?persona={page.persona.pk}&fit_min=100")

    rows = page.locator("#results tbody tr").all_inner_texts()
    assert len(rows) == 1
    assert "Ann" in rows[0]
    assert "✓ 100 / 100 · Software heads" in rows[0]


def test_the_marketing_dashboard_shows_what_each_persona_brings(mia_page):
    page = mia_page
    page.goto("/dashboards/marketing/?start=2026-01&end=2026-03")

    row = page.locator("[data-testid=by-persona] tbody tr", has_text="Software heads")
    cells = row.locator("td").all_inner_texts()
    assert cells[1:] == ["1", "33.3%", "1", "€12,500", "100.0%", "100.0%"]
    paid = page.locator("[data-testid=conversion-by-channel] tbody tr", has_text="Paid search")
    assert paid.locator("td").all_inner_texts()[-2:] == ["33.3%", "33.3%"]
    page.locator("[data-testid=by-persona]").scroll_into_view_if_needed()
    screenshot(page, "marketing-personas")
