"""The three dashboards read stored facts only, in a fixed number of queries."""

import csv
import io
from datetime import date

import pytest

from crm.demo import seed_crm_history
from crm.services.leads import lead_create
from funnel.kpis.recompute import kpis_recompute_full
from funnel.services import plan_activate, plan_create
from orgs.models import Role
from tests.conftest import signed_in_client

pytestmark = pytest.mark.django_db
PERIOD = "?start=2026-01&end=2026-10"


@pytest.fixture
def history(org):
    seed_crm_history(organization=org, today=date(2026, 11, 15))
    kpis_recompute_full(organization_id=org.pk)
    inputs = {
        "revenue_goal": "900000",
        "average_deal_size": "10000",
        "conversion_rates": ["0.4", "0.5", "0.5", "0.25"],
    }
    plan = plan_create(
        organization=org, by=None, name="FY2026", first_month=date(2026, 1, 1),
        last_month=date(2026, 12, 1), inputs=inputs,
    )  # fmt: skip
    plan_activate(plan=plan)
    return org


@pytest.mark.parametrize(
    ("name", "queries", "testids"),
    [
        ("marketing", 14, ["tiles", "pace", "kpi-table", "campaigns"]),
        ("sales", 13, ["tiles", "conversion", "pipeline", "kpi-table"]),
        ("leadership", 12, ["tiles", "pace", "kpi-table"]),
    ],
)
def test_each_dashboard_opens_in_a_fixed_number_of_queries(
    history, member, name, queries, testids, django_assert_num_queries
):
    client = signed_in_client(member(Role.LEADERSHIP))
    client.get(f"/dashboards/{name}/{PERIOD}")  # the session and the member, warmed

    with django_assert_num_queries(queries):  # session, member, facts; none per row
        page = client.get(f"/dashboards/{name}/{PERIOD}").content.decode()

    for testid in testids:
        assert f'data-testid="{testid}"' in page, testid
    assert "Data as of" in page


def test_the_query_count_does_not_grow_with_the_data(history, member, django_assert_num_queries):
    client = signed_in_client(member(Role.ADMIN))
    client.get(f"/dashboards/sales/{PERIOD}")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        client.get(f"/dashboards/sales/{PERIOD}")
    for i in range(20):
        lead_create(organization=history, by=None, stage="mql", name=f"More {i}")
    kpis_recompute_full(organization_id=history.pk)
    with CaptureQueriesContext(connection) as after:
        client.get(f"/dashboards/sales/{PERIOD}")

    assert len(after) == len(before)


def test_the_channel_filter_refreshes_the_body_alone(history, member):
    client = signed_in_client(member(Role.MARKETING_MANAGER))

    fragment = client.get(
        f"/dashboards/marketing/{PERIOD}&channel=paid_search", HTTP_HX_REQUEST="true"
    )

    assert "<html" not in fragment.content.decode()
    assert 'data-testid="kpi-table"' in fragment.content.decode()


def test_the_table_exports(history, member):
    client = signed_in_client(member(Role.SALES_REP))

    answer = client.get(f"/dashboards/leadership/{PERIOD}&export=csv")
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))

    assert rows[0][:3] == ["month", "leads", "mqls"]
    assert [r[0] for r in rows[1:]] == [f"2026-{m:02d}" for m in range(1, 11)]


def test_an_unknown_dashboard_is_not_found(member):
    assert signed_in_client(member(Role.ADMIN)).get("/dashboards/finance/").status_code == 404


def test_a_bad_period_falls_back_to_the_last_year(history, member):
    page = signed_in_client(member(Role.ADMIN)).get("/dashboards/sales/?start=never&end=2026-13")

    assert page.status_code == 200
