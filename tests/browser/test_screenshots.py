"""A dashboard and a plan at a laptop's 1366 px and a phone's 390 px, in English and Russian:
nothing cut off, no page wider than the screen, and screenshots in docs/screenshots/."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from crm.demo import seed_crm_history
from funnel.services import plan_activate, plan_create
from kpis.recompute import kpis_recompute_full
from orgs.models import Role
from tests.factories import PASSWORD, MembershipFactory, OrganizationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SCREENS = {"1366": (1366, 800), "390": (390, 844)}


@pytest.fixture
def leader_page(page):
    """Lea, leadership, in an organisation with the demo's two years and an active plan."""
    org = OrganizationFactory(name="Acme", slug="acme")
    MembershipFactory(user=UserFactory(username="lea"), organization=org, role=Role.ADMIN)
    today = timezone.localdate()
    seed_crm_history(organization=org, today=today)
    kpis_recompute_full(organization_id=org.pk)
    plan = plan_create(
        organization=org, by=None, name=f"FY{today.year}", first_month=date(today.year, 1, 1),
        last_month=date(today.year, 12, 1),
        inputs={
            "revenue_goal": "1500000", "average_deal_size": "18000",
            "conversion_rates": ["0.45", "0.5", "0.55", "0.35"],
        },
    )  # fmt: skip
    plan_activate(plan=plan)
    page.goto("/accounts/login/")
    page.fill("#id_username", "lea")
    page.fill("#id_password", PASSWORD)
    page.click("form[data-testid=login-form] button[type=submit]")
    page.wait_for_selector("h1:text('Acme')")
    page.plan = plan
    return page


def _fits(page) -> bool:
    """The page is no wider than the screen: wide tables scroll inside their cards."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _cut_off(page, selector: str) -> list[str]:
    """The elements under `selector` that stick out of their card (hidden past its edge)."""
    return page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)].filter((el) => {
            const card = el.closest('.card, .scroll');
            const box = el.getBoundingClientRect(), edge = card.getBoundingClientRect();
            return box.right > edge.right + 1 && card.scrollWidth <= card.clientWidth;
        }).map((el) => el.outerHTML.slice(0, 80))""",
        selector,
    )


@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_dashboard_and_a_plan_read_well_on_a_laptop_and_a_phone(leader_page, language):
    page = leader_page
    page.context.add_cookies([{"name": "django_language", "value": language, "url": page.url}])
    for screen, (width, height) in SCREENS.items():
        page.set_viewport_size({"width": width, "height": height})

        page.goto("/dashboards/sales/")
        page.wait_for_selector("[data-testid=dashboard-chart] .main-svg")
        assert _fits(page), f"sales dashboard at {screen} px"
        page.screenshot(path=str(SHOTS / f"dashboard-sales-{language}-{screen}.png"))

        page.goto(f"/plans/{page.plan.pk}/")
        page.wait_for_selector("[data-testid=funnel-chart] .main-svg")
        assert _fits(page), f"plan at {screen} px"
        if screen == "1366":  # the plan's last column is in view, not cut off
            projected = page.locator("[data-testid=progress] thead th").last
            box, card = (
                projected.bounding_box(),
                page.locator("[data-testid=progress]").bounding_box(),
            )
            assert box["x"] + box["width"] <= card["x"] + card["width"] + 1
            assert box["x"] + box["width"] <= width
        page.screenshot(path=str(SHOTS / f"plan-{language}-{screen}.png"))

        page.goto(f"/plans/{page.plan.pk}/edit/")
        assert _fits(page), f"plan editor at {screen} px"
        if screen == "1366":
            assert _cut_off(page, "form[data-testid=plan-form] input") == []
    assert page.problems == []


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_persona_pages_read_well_on_a_laptop_and_a_phone(leader_page, language):
    from crm.models import Lead
    from orgs.models import Organization
    from personas.demo import seed_personas
    from personas.models import Persona

    page = leader_page
    org = Organization.objects.get(slug="acme")
    MembershipFactory(organization=org, role=Role.MARKETING_MANAGER)
    MembershipFactory(organization=org, role=Role.SALES_MANAGER)
    seed_personas(organization=org)
    persona = Persona.objects.for_org(org).order_by("pk").first()
    lead = Lead.objects.for_org(org).order_by("pk").first()
    page.context.add_cookies([{"name": "django_language", "value": language, "url": page.url}])
    for screen, (width, height) in SCREENS.items():
        page.set_viewport_size({"width": width, "height": height})
        for name, url in [
            ("personas", "/personas/"),
            ("persona", f"/personas/{persona.pk}/"),
            ("persona-editor", f"/personas/{persona.pk}/edit/"),
            ("lead", f"/crm/leads/{lead.pk}/"),
            ("leads", f"/crm/leads/?persona={persona.pk}&fit_min=60"),
            ("discovery", "/personas/discovery/?dimension=industry"),
        ]:
            page.goto(url)
            assert _fits(page), f"{name} at {screen} px"
        page.wait_for_selector("[data-testid=discovery-chart] .main-svg")
        page.screenshot(path=str(SHOTS / f"discovery-{language}-{screen}.png"))
    assert page.problems == []


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_objective_pages_read_well_on_a_laptop_and_a_phone(leader_page, language):
    from objectives.models import Objective
    from objectives.services import Draft, objective_create, objectives_from_plan
    from orgs.models import Membership, Organization

    page = leader_page
    org = Organization.objects.get(slug="acme")
    for role in (Role.MARKETING_MANAGER, Role.SALES_MANAGER, Role.SALES_REP):
        MembershipFactory(organization=org, role=role)
    mia = Membership.objects.get(organization=org, role=Role.MARKETING_MANAGER)
    sam = Membership.objects.get(organization=org, role=Role.SALES_MANAGER)
    today = timezone.localdate()
    objectives_from_plan(plan=page.plan, by=None, today=today)
    shared = objective_create(organization=org, by=None, today=today, draft=Draft(
        title="Won revenue, second half", metric="won_revenue", target=Decimal("900000"),
        first_month=date(today.year, 7, 1), last_month=date(today.year, 12, 1),
        owners=[(mia, Decimal(20)), (sam, Decimal(30))],
    ))  # fmt: skip
    assert Objective.objects.for_org(org).count() > 3
    page.context.add_cookies([{"name": "django_language", "value": language, "url": page.url}])
    for screen, (width, height) in SCREENS.items():
        page.set_viewport_size({"width": width, "height": height})

        page.goto("/objectives/")
        assert _fits(page), f"scorecard at {screen} px"
        # The whole page: the scorecard's rows are what it is for.
        page.screenshot(path=str(SHOTS / f"objectives-{language}-{screen}.png"), full_page=True)

        page.goto(f"/objectives/{shared.pk}/")
        page.wait_for_selector("[data-testid=objective-chart] .main-svg")
        assert _fits(page), f"objective at {screen} px"
        page.screenshot(path=str(SHOTS / f"objective-{language}-{screen}.png"), full_page=True)

        page.goto(f"/objectives/{shared.pk}/edit/")
        assert _fits(page), f"objective editor at {screen} px"
        if screen == "1366":
            assert (
                _cut_off(
                    page, "form[data-testid=objective-form] :is(input:not([type=hidden]), select)"
                )
                == []
            )
    assert page.problems == []
