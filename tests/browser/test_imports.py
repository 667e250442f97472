"""An import in a real browser: upload, map the columns and each channel value, watch the job
end with its summary, then find the records on a dashboard whose default period misses them."""

import pytest

from crm.models import Lead
from crm.services.import_jobs import import_job_run
from kpis.recompute import kpis_recompute_full
from orgs.models import Role
from tests.browser.conftest import screenshot
from tests.factories import PASSWORD, MembershipFactory, OrganizationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MQLS = (
    b"mql_id,first_contact_date,origin\n"
    b"m1,2017-10-02,Direct traffic\n"
    b"m2,2017-11-15,\n"
    b"m3,2018-01-20,paid_search\n"
    b"m4,2018-08-30,Direct traffic\n"
)


@pytest.fixture
def manager_page(page, settings, tmp_path, monkeypatch):
    settings.IMPORT_DIR = tmp_path
    org = OrganizationFactory(name="Acme", slug="acme")  # with the usual channels: direct...
    user = UserFactory(username="mia")
    MembershipFactory(user=user, organization=org, role=Role.MARKETING_MANAGER)
    # The job waits in the queue until the test runs it: the page must poll its way from
    # "Importing" to the summary, as it does with a worker.
    monkeypatch.setattr("crm.services.import_jobs.enqueue_on_commit", lambda *args: None)
    page.goto("/accounts/login/")
    page.fill("#id_username", "mia")
    page.fill("#id_password", PASSWORD)
    page.click("form[data-testid=login-form] button[type=submit]")
    page.wait_for_selector("h1:text('Acme')")
    page.org = org
    return page


def test_an_import_maps_its_values_and_ends_with_its_summary_and_its_period(manager_page):
    page = manager_page
    page.goto("/crm/import/")
    page.set_input_files(
        "form[data-testid=upload-form] input[type=file]",
        files=[{"name": "mqls.csv", "mimeType": "text/csv", "buffer": MQLS}],
    )
    with page.expect_navigation():
        page.click("form[data-testid=upload-form] button[type=submit]")
    assert page.locator("select[name=column_channel]").input_value() == "origin"  # suggested
    page.fill("input[name=constant_stage]", "mql")

    values = page.locator("[data-testid=values-channel]")
    direct = values.locator("tr", has_text="Direct traffic").locator("select")
    blank = values.locator("tr", has_text="(blank)").locator("select")
    assert values.locator("tr", has_text="Direct traffic").locator("td").nth(1).inner_text() == "2"
    assert direct.input_value() == "direct_traffic"  # a new channel, said before it is made
    assert blank.input_value() == ""  # no channel, unless the user says otherwise, as here
    direct.select_option("direct")
    blank.select_option("unknown")
    screenshot(page, "import-mapping-values")
    with page.expect_navigation():
        page.click("button[name=action][value=start]")

    assert "Importing mqls.csv" in page.inner_text("[data-testid=import-heading]")
    import_job_run(job_id=_job_id(page))
    page.wait_for_selector("[data-testid=import-summary]")  # htmx polled its way there

    assert page.inner_text("[data-testid=import-heading]") == "Imported mqls.csv"
    assert page.inner_text("[data-testid=summary-created]") == "4"
    assert page.inner_text("[data-testid=summary-channels]") == "unknown"
    assert dict(Lead.objects.values_list("external_id", "channel__code")) == {
        "m1": "direct",
        "m2": "unknown",
        "m3": "paid_search",
        "m4": "direct",
    }
    screenshot(page, "import-summary")

    kpis_recompute_full(organization_id=page.org.pk)
    page.goto("/dashboards/marketing/")  # the last twelve months: nothing of 2017-2018
    span = page.inner_text("[data-testid=data-span]")
    assert "your data runs from 2017-10 to 2018-08" in span
    with page.expect_navigation():
        page.click("[data-testid=data-span-link]")

    assert "start=2017-10&end=2018-08" in page.url
    assert page.locator("[data-testid=data-span]").count() == 0
    screenshot(page, "import-dashboard-period")
    assert page.problems == []


def _job_id(page):
    return int(page.url.rstrip("/").rsplit("/", 1)[1])
