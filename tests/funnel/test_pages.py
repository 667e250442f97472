"""Plan pages: the editor and its preview, a plan against its actuals, exports, permissions."""

import csv
import io
import re
from datetime import date

import pytest

from crm.demo import seed_crm_history
from crm.models import Channel
from funnel.models import Plan
from funnel.services import plan_create
from kpis.recompute import kpis_recompute_full
from orgs.models import Role
from tests.conftest import signed_in_client

pytestmark = pytest.mark.django_db
FORM = {
    "name": "FY2027",
    "first_month": "2027-01",
    "last_month": "2027-12",
    "mode": "frozen",
    "revenue_goal": "1200000",
    "average_deal_size": "12000",
    "rate_0": "0.4", "rate_1": "0.5", "rate_2": "0.5", "rate_3": "0.25",
    "share_paid_search": "0.6", "cpl_paid_search": "40",
    "share_social": "0.4", "cpl_social": "20",
}  # fmt: skip


@pytest.fixture
def plan(org):
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


def test_a_plan_is_made_from_the_editor(member):
    client = signed_in_client(member(Role.MARKETING_MANAGER))

    answer = client.post("/plans/new/", FORM)

    plan = Plan.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == f"/plans/{plan.pk}/"
    assert plan.result["customers_needed"] == 100
    assert plan.inputs["channels"][0] == {
        "code": "paid_search",
        "share": "0.6",
        "cost_per_lead": "40",
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"rate_1": "1.5"}, "conversion_rates[1]"),
        ({"share_social": "0.2"}, "channels"),
        ({"last_month": "2026-06"}, "end before it starts"),
        ({"average_deal_size": "-5"}, "average_deal_size"),
    ],
)
def test_bad_plan_inputs_are_explained_and_nothing_is_stored(member, change, message):
    client = signed_in_client(member(Role.SALES_MANAGER))

    answer = client.post("/plans/new/", FORM | change)

    assert answer.status_code == 200
    assert message in answer.content.decode()
    assert not Plan.objects.exists()


def test_the_preview_shows_the_targets_as_one_types(member):
    client = signed_in_client(member(Role.MARKETING_MANAGER))

    good = client.post("/plans/preview/", FORM, HTTP_HX_REQUEST="true").content.decode()
    bad = client.post("/plans/preview/", FORM | {"rate_0": "0"}, HTTP_HX_REQUEST="true")

    assert 'data-testid="preview-customers">100<' in good
    assert 'data-testid="preview-leads">4,000<' in good  # in the language's number format
    assert "conversion_rates[0]" in bad.content.decode()
    assert not Plan.objects.exists()


def test_a_plan_page_sets_targets_beside_actuals(org, plan, member, django_assert_max_num_queries):
    client = signed_in_client(member(Role.LEADERSHIP))

    # the plan, its progress, revenue against the goal, budget against spend, the names of
    # channels and stages
    with django_assert_max_num_queries(22):
        page = client.get(f"/plans/{plan.pk}/").content.decode()
    fragment = client.get(f"/plans/{plan.pk}/?channel=paid_search", HTTP_HX_REQUEST="true")

    assert 'data-testid="progress"' in page
    assert 'data-testid="funnel-chart"' in page
    assert "vendor/plotly.min.js" in page
    assert "<html" not in fragment.content.decode()  # htmx gets the grid alone
    paid_search = Channel.objects.for_org(org).get(code="paid_search")
    assert f"Month by stage · {paid_search.name}" in fragment.content.decode()  # a name, not a code


def test_targets_export_with_actuals(plan, member):
    client = signed_in_client(member(Role.SALES_REP))

    answer = client.get(f"/plans/{plan.pk}/targets.csv")
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    xlsx = client.get(f"/plans/{plan.pk}/targets.xlsx")

    assert rows[0] == ["Month", "Stage", "Channel", "Target", "Actual"]
    assert len(rows) == plan.targets.count() + 1
    assert any(int(row[4]) > 0 for row in rows[1:])
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_a_plan_of_any_name_exports_as_one_safe_attachment(plan, member):
    client = signed_in_client(member(Role.SALES_REP))
    names = ["Q1: EMEA/APAC", "two\nlines", 'x"; filename="evil.html', "Plan Zürich"]

    for name in names:
        Plan.objects.filter(pk=plan.pk).update(name=name)
        for fmt in ("csv", "xlsx"):
            answer = client.get(f"/plans/{plan.pk}/targets.{fmt}")

            assert answer.status_code == 200, (name, fmt)
            # One parameter: a quoted plain name, or a percent-encoded UTF-8 one (RFC 6266).
            assert re.fullmatch(
                rf"attachment; (filename=\"[\w.-]+\.{fmt}\"|filename\*=utf-8''[\w.%-]+\.{fmt})",
                answer.headers["Content-Disposition"],
            ), (name, fmt)


def test_the_assumptions_page_sets_learned_beside_used(plan, member):
    page = signed_in_client(member(Role.SALES_REP)).get(f"/plans/{plan.pk}/assumptions/")

    text = page.content.decode()
    assert page.status_code == 200
    assert "Lead → Marketing-qualified lead" in text  # the stages' names, not "lead->mql"
    assert "40.0%" in text  # used, set by hand as 0.4


def test_readers_cannot_edit_or_activate(plan, member):
    client = signed_in_client(member(Role.SALES_REP))

    assert client.get("/plans/new/").status_code == 403
    assert client.post(f"/plans/{plan.pk}/activate/").status_code == 403
    assert Plan.objects.get().status == "draft"


def test_activate_then_archive(plan, member):
    client = signed_in_client(member(Role.ADMIN))

    client.post(f"/plans/{plan.pk}/activate/")
    active = Plan.objects.get().status
    client.post(f"/plans/{plan.pk}/archive/")

    assert (active, Plan.objects.get().status) == ("active", "archived")


def test_another_organisations_plan_is_not_found(plan, other_org, member):
    client = signed_in_client(member(Role.ADMIN, organization=other_org))

    for url in ("", "assumptions/", "targets.csv", "edit/"):
        assert client.get(f"/plans/{plan.pk}/{url}").status_code == 404
