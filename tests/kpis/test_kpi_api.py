"""GET /api/v1/kpis/: stored facts per month, channel or campaign, with their freshness."""

from datetime import date

import pytest

from crm.demo import seed_crm_history
from kpis.models import KpiFact
from kpis.recompute import kpis_recompute_changed, kpis_recompute_full
from orgs.models import Role
from tests.conftest import token_client

pytestmark = pytest.mark.django_db
FIELDS = {
    "leads", "mqls", "sqls", "opportunities", "won_deals", "lost_deals", "won_revenue",
    "win_rate", "avg_deal_size", "new_customers", "arpu",
}  # fmt: skip


@pytest.fixture
def history(org):
    seed_crm_history(organization=org, today=date(2026, 11, 15))
    kpis_recompute_full(organization_id=org.pk)
    return org


def test_kpis_by_month_within_the_period(history, member, django_assert_max_num_queries):
    api = token_client(member(Role.LEADERSHIP))

    with django_assert_max_num_queries(8):
        answer = api.get("/api/v1/kpis/?start=2026-01-15&end=2026-06-30&group_by=month")

    body = answer.json()
    assert answer.status_code == 200
    assert body["as_of"]
    assert body["waiting_cells"] == 0
    assert [row["month"] for row in body["results"]] == [f"2026-0{m}" for m in range(1, 7)]
    assert set(body["results"][0]) >= FIELDS
    facts = KpiFact.objects.for_org(history).filter(month=date(2026, 3, 1))
    assert body["results"][2]["leads"] == sum(f.leads for f in facts)


def test_kpis_by_channel_and_campaign(history, member):
    api = token_client(member(Role.SALES_REP))

    channels = api.get("/api/v1/kpis/?group_by=channel").json()["results"]
    campaigns = api.get("/api/v1/kpis/?group_by=campaign").json()["results"]
    months = api.get("/api/v1/kpis/").json()["results"]

    assert {row["channel"] for row in channels} >= {"paid_search", "organic_search"}
    assert any(row["campaign_name"] for row in campaigns)
    assert sum(r["leads"] for r in channels) == sum(r["leads"] for r in months)
    assert sum(r["won_deals"] for r in campaigns) == sum(r["won_deals"] for r in months)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("start=2026-13-01", "start"),
        ("end=yesterday", "end"),
        ("start=2026-05-01&end=2026-01-01", "end"),
        ("group_by=week", "group_by"),
        ("channel=a%00b", "channel"),
        ("channel=not a code", "channel"),
    ],
)
def test_bad_queries_name_the_parameter(member, query, field):
    answer = token_client(member(Role.ADMIN)).get(f"/api/v1/kpis/?{query}")

    assert answer.status_code == 400
    assert field in answer.json()["error"]["fields"]


def test_kpis_of_one_channel(history, member):
    api = token_client(member(Role.MARKETING_MANAGER))

    paid = api.get("/api/v1/kpis/?channel=paid_search").json()["results"]
    unknown = api.get("/api/v1/kpis/?channel=x")
    by_channel = api.get("/api/v1/kpis/?group_by=channel").json()["results"]

    expected = next(r["leads"] for r in by_channel if r["channel"] == "paid_search")
    assert sum(r["leads"] for r in paid) == expected
    assert unknown.status_code == 200
    assert unknown.json()["results"] == []


def test_another_organisations_facts_stay_out(history, other_org, member):
    kpis_recompute_full(organization_id=other_org.pk)
    outsider = token_client(member(Role.ADMIN, organization=other_org))

    assert outsider.get("/api/v1/kpis/").json()["results"] == []


def test_kpis_need_a_member(client):
    assert client.get("/api/v1/kpis/").status_code in (401, 403)


def test_an_answer_is_cached_until_the_facts_are_recomputed(
    history, member, django_assert_max_num_queries
):
    api = token_client(member(Role.LEADERSHIP))
    path = "/api/v1/kpis/?start=2026-03-01&end=2026-03-31"
    first = api.get(path).json()

    with django_assert_max_num_queries(3):  # token, freshness, waiting cells: no facts read
        again = api.get(path).json()
    KpiFact.objects.for_org(history).filter(month=date(2026, 3, 1)).update(leads=0)
    unchanged = api.get(path).json()
    kpis_recompute_full(organization_id=history.pk)  # a new version of the facts
    recomputed = api.get(path).json()

    assert again == first
    assert unchanged["results"] == first["results"]  # the facts were changed behind its back
    assert recomputed["results"] == first["results"]  # and the recompute put them right
    assert recomputed["as_of"] >= first["as_of"]


def test_a_change_shows_as_waiting_at_once_and_in_the_rows_after_its_recompute(history, member):
    api = token_client(member(Role.MARKETING_MANAGER))
    path = "/api/v1/kpis/?start=2026-11-01&end=2026-11-30"
    before = api.get(path).json()
    leads_before = sum(row["leads"] for row in before["results"])

    created = api.post(  # its recompute waits for a commit this test never makes
        "/api/v1/leads/",
        {"name": "New", "stage": "lead", "created_at": "2026-11-10T09:00:00Z"},
        format="json",
    )
    waiting = api.get(path).json()
    kpis_recompute_changed(organization_id=history.pk)
    after = api.get(path).json()

    assert created.status_code == 201
    assert waiting["waiting_cells"] >= 1
    assert waiting["results"] == before["results"]
    assert after["waiting_cells"] == 0
    assert sum(row["leads"] for row in after["results"]) == leads_before + 1
