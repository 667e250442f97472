"""The Content-Security-Policy holds in a real browser: the pages that draw charts, run htmx
and Swagger UI load with nothing refused (no inline script or style is left to block)."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from crm.demo import seed_crm_history
from crm.services.import_jobs import import_job_upload
from funnel.services import plan_create
from kpis.recompute import kpis_recompute_full
from orgs.models import Role, User
from tests.factories import PASSWORD, MembershipFactory, OrganizationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def history():
    """An organisation with a CRM history, its KPI facts and a plan: every chart has data."""
    org = OrganizationFactory(name="Acme", slug="acme")
    MembershipFactory(user=UserFactory(username="ada"), organization=org, role=Role.ADMIN)
    seed_crm_history(organization=org, today=date(2026, 11, 15))
    kpis_recompute_full(organization_id=org.pk)
    inputs = {
        "revenue_goal": "900000",
        "average_deal_size": "10000",
        "stages": ["lead", "mql", "sql", "opportunity", "customer"],
        "conversion_rates": ["0.4", "0.5", "0.5", "0.25"],
        "channels": [{"code": "paid_search", "share": "0.5"}, {"code": "social", "share": "0.5"}],
    }
    return plan_create(
        organization=org, by=None, name="FY2026", first_month=date(2026, 1, 1),
        last_month=date(2026, 12, 1), inputs=inputs,
    )  # fmt: skip


@pytest.fixture
def refused(page):
    """What the browser refused under the policy, as its console reports it ("Refused to
    load ...", "Applying inline style violates ...")."""
    found = []

    def note(message):
        if "Content Security Policy" in message.text:
            found.append(f"{message.text} at {message.location}")

    page.on("console", note)
    page.goto("/accounts/login/")
    page.fill("#id_username", "ada")
    page.fill("#id_password", PASSWORD)
    page.click("form[data-testid=login-form] button[type=submit]")
    page.wait_for_selector("h1:text('Acme')")
    return found


def test_the_dashboard_draws_its_chart_and_filters_with_nothing_refused(page, history, refused):
    response = page.goto("/dashboards/marketing/")

    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector("[data-testid=dashboard-chart] .main-svg")  # plotly drew it
    with page.expect_response(lambda r: "/dashboards/marketing/" in r.url):
        page.locator("[data-testid=dashboard-filters] select").first.select_option(index=1)
    page.wait_for_selector("[data-testid=dashboard-chart] .main-svg")  # and again after htmx
    assert refused == []
    assert page.problems == []


def test_a_plan_page_draws_its_funnel_with_nothing_refused(page, history, refused):
    page.goto(f"/plans/{history.pk}/")

    page.wait_for_selector("[data-testid=funnel-chart] .main-svg")
    page.hover("[data-testid=funnel-chart] .main-svg")  # plotly's hover layer styles itself
    plotly_rules = page.evaluate(
        "document.getElementById('plotly.js-style-global').sheet.cssRules.length"
    )
    assert plotly_rules > 10  # plotly's own CSS went into the site's sheet, not inline
    assert refused == []
    assert page.problems == []


def test_the_api_docs_render_the_operations_with_nothing_refused(page, history, refused):
    page.goto("/api/docs/")

    page.wait_for_selector(".swagger-ui .opblock")  # Swagger UI ran and read the schema
    page.locator(".opblock-summary").first.click()
    page.wait_for_selector(".opblock-body")
    assert refused == []
    assert page.problems == []


def test_choosing_what_an_import_holds_reloads_its_mapping_with_nothing_refused(
    page, history, refused, settings, tmp_path
):
    settings.IMPORT_DIR = tmp_path
    upload = SimpleUploadedFile("deals.csv", b"id,amount\nD1,100\n")
    ada = User.objects.get(username="ada")
    job = import_job_upload(organization=history.organization, by=ada, upload=upload)
    page.goto(f"/crm/import/{job.pk}/map/")

    with page.expect_navigation():
        page.select_option("select[name=kind]", "deals")  # static/js/app.js submits the form

    assert page.locator("select[name=kind]").input_value() == "deals"
    assert page.locator("select[name=column_amount]").input_value() == "amount"  # suggested anew
    assert refused == []
    assert page.problems == []
