"""Buyer personas in a real browser: a marketing manager writes one and approves it, a
sales manager, signed in on their own, approves the other side; discovery draws its chart
and proposes a persona from a segment."""

import re
from datetime import date

import pytest

from crm.demo import seed_crm_history
from orgs.models import Membership, Role
from personas.models import PersonaVersion
from personas.services import persona_approve, persona_create
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
    return org


def write_persona(page):
    page.click(".sidebar a:text('Buyer personas')")
    page.click("[data-testid=new-persona]")
    page.fill("#id_name", "Mid-size software")
    page.fill("#id_description", "Software companies of 50 to 500 people")
    page.fill("#id_decision_maker", "The CTO, with the CFO")
    page.fill("#id_pains", "Reports made by hand every Monday")
    page.fill("#id_threshold", "60")
    page.fill("#id_criteria-0-values", "Software, Retail")
    page.fill("#id_criteria-0-weight", "3")
    # The range inputs show only once a range is chosen.
    assert not page.is_visible("#id_criteria-0-minimum")
    with page.expect_response(lambda r: r.request.method == "POST"):
        page.click("[data-testid=add-criterion]")
    page.wait_for_selector("#id_criteria-1-kind")
    assert page.input_value("#id_criteria-0-values") == "Software, Retail"  # kept
    page.select_option("#id_criteria-1-kind", "annual_revenue_between")
    assert not page.is_visible("#id_criteria-1-values")
    page.fill("#id_criteria-1-minimum", "1000000")
    page.fill("#id_criteria-1-maximum", "50000000")
    page.fill("#id_criteria-1-weight", "2")
    with page.expect_response(lambda r: r.request.method == "POST"):
        page.click("[data-testid=add-criterion]")
    page.fill("#id_criteria-2-values", "a row to take back")
    with page.expect_response(lambda r: r.request.method == "POST"):
        page.locator("[data-testid=remove-criterion]").nth(2).click()
    page.wait_for_selector("#id_criteria-2-kind", state="detached")
    assert page.input_value("#id_criteria-1-minimum") == "1000000"  # kept
    screenshot(page, "persona-editor")
    with page.expect_navigation():
        page.click("[data-testid=save-persona]")


def test_two_managers_approve_a_persona_each_in_their_own_browser(
    page, second_page, acme, live_server
):
    sign_in(page, "mia")
    write_persona(page)
    page.wait_for_selector("text=Industry is one of Software, Retail")
    assert page.is_visible("text=Annual revenue from €1,000,000 to €50,000,000")
    assert not page.is_visible("[data-testid=approve-sales]")
    with page.expect_navigation():
        page.click("[data-testid=approve-marketing]")
    assert page.inner_text("[data-testid=status]") == "Awaiting sales approval"

    sign_in(second_page, "sam")
    second_page.click(".sidebar a:text('Buyer personas')")
    second_page.click("text=Mid-size software")
    assert not second_page.is_visible("[data-testid=approve-marketing]")
    with second_page.expect_navigation():
        second_page.click("[data-testid=approve-sales]")

    second_page.wait_for_selector("[data-testid=approved]")
    version = PersonaVersion.objects.get()
    assert version.is_approved
    assert second_page.inner_text("[data-testid=status]") == "Approved v1"
    assert "Mia Marketing" in second_page.inner_text("[data-testid=side-marketing]")
    assert "Sam Sales" in second_page.inner_text("[data-testid=side-sales]")
    # A time of day: "3:15 p.m.", or on the hour "3 a.m.", "noon", "midnight".
    assert re.search(
        r"\d:\d\d|\d (a\.m\.|p\.m\.)|noon|midnight",
        second_page.inner_text("[data-testid=side-sales]").split(":", 1)[1],
    )
    screenshot(second_page, "persona-approved")
    page.reload()
    assert page.inner_text("[data-testid=status]") == "Approved v1"
    assert page.problems == []
    assert second_page.problems == []


def test_discovery_draws_its_chart_and_proposes_a_persona(page, acme):
    seed_crm_history(organization=acme, today=date(2026, 11, 15))
    approved = persona_create(organization=acme, by=None, name="Software buyers", criteria=[
        {"kind": "industry_in", "weight": 1, "params": {"values": ["software"]}},
    ])  # fmt: skip
    for membership in Membership.objects.filter(organization=acme):
        side = "marketing" if membership.role == Role.MARKETING_MANAGER else "sales"
        persona_approve(persona=approved, membership=membership, side=side)
    sign_in(page, "mia")
    page.click(".sidebar a:text('Buyer personas')")
    page.click("[data-testid=discovery-link]")
    page.wait_for_selector("[data-testid=discovery-chart] .main-svg")  # by industry first
    assert page.inner_text("[data-testid=coverage] [data-testid=share]").endswith("%")
    screenshot(page, "persona-discovery")
    page.select_option("#id_dimension", "industry")
    page.select_option("#id_second", "size_band")
    with page.expect_navigation():
        page.click("[data-testid=discovery-filters] button[type=submit]")

    page.wait_for_selector("[data-testid=discovery-chart] .main-svg")  # plotly drew it
    assert page.locator("[data-testid=discovery-chart] .bars path").count() > 3
    first = page.locator("[data-testid=segment]").first
    segment = first.locator("td").first.inner_text().split("\n")[0].replace(" small sample", "")
    screenshot(page, "persona-discovery-pair")
    with page.expect_navigation():
        first.locator("[data-testid=propose]").click()

    assert page.url.endswith("/edit/")
    industry, band = segment.split(" / ")
    assert page.input_value("#id_name") == f"{industry} · {band}"
    assert page.input_value("#id_criteria-0-values") == industry
    assert page.input_value("#id_criteria-1-kind") == "employees_between"
    assert page.problems == []
