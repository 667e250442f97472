from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import F
from django.utils import timezone

from crm.demo import seed_crm_history
from crm.models import Deal
from funnel.models import Plan, PlanTarget
from funnel.services import plans_refresh_learned
from kpis.recompute import kpis_recompute_full
from kpis.selectors import kpi_rows
from orgs.models import Role
from orgs.permissions import Action, can
from tests.conftest import ALL_ROLES, token_client

pytestmark = pytest.mark.django_db
BODY: dict[str, Any] = {
    "name": "FY2027",
    "first_month": "2027-01",
    "last_month": "2027-12",
    "mode": "frozen",
    "inputs": {
        "revenue_goal": "1200000",
        "average_deal_size": "12000",
        "stages": ["lead", "mql", "sql", "opportunity", "customer"],
        "conversion_rates": ["0.4", "0.5", "0.5", "0.25"],
        "stage_days": ["5", "10", "15", "30"],
        "channels": [
            {"code": "paid_search", "share": "0.5", "cost_per_lead": "40"},
            {"code": "social", "share": "0.5", "cost_per_lead": "20"},
        ],
    },
}


@pytest.mark.parametrize("role", ALL_ROLES)
def test_who_creates_plans(role, member):
    response = token_client(member(role)).post("/api/v1/plans/", BODY, format="json")

    assert response.status_code == (201 if can(role, Action.EDIT_PLANS) else 403)
    assert Plan.objects.count() == (1 if can(role, Action.EDIT_PLANS) else 0)


def test_a_plan_stores_targets_that_add_up(member, monkeypatch):
    # Seen from October 2026: the lead-ins of a plan starting in January all lie ahead
    # (from late November on, the planner moves what falls in the days gone forward).
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a: date(2026, 10, 15))
    api = token_client(member(Role.MARKETING_MANAGER))

    plan = api.post("/api/v1/plans/", BODY, format="json").json()
    all_channels = api.get(f"/api/v1/plans/{plan['id']}/targets/?stage=lead&channel=all").json()
    january = api.get(f"/api/v1/plans/{plan['id']}/targets/?month=2027-01&stage=customer").json()
    all_channels, january = all_channels["results"], january["results"]

    assert plan["result"]["customers_needed"] == 100
    assert plan["result"]["inputs_used"]["months"][0] == "2027-01"
    assert sum(row["target"] for row in all_channels) == 4000
    assert (
        min(row["month"] for row in all_channels) == "2026-11"
    )  # two months of funnel ahead of January
    assert {row["channel"] for row in january} == {"", "paid_search", "social"}
    assert all(row["actual"] == 0 for row in january)  # no CRM history here
    by_channel = sum(r["target"] for r in january if r["channel"])
    assert by_channel == next(r["target"] for r in january if r["channel"] == "")


def test_editing_an_active_plan_makes_a_new_version_and_keeps_the_old(member):
    api = token_client(member(Role.SALES_MANAGER))
    first = api.post("/api/v1/plans/", BODY, format="json").json()
    api.post(f"/api/v1/plans/{first['id']}/activate/")

    edited = api.patch(
        f"/api/v1/plans/{first['id']}/",
        {"inputs": {**BODY["inputs"], "revenue_goal": "2400000"}},
        format="json",
    ).json()
    versions = api.get(f"/api/v1/plans/{edited['id']}/versions/").json()["results"]

    assert (edited["version"], edited["status"], edited["result"]["customers_needed"]) == (
        2,
        "active",
        200,
    )
    assert [(v["version"], v["status"]) for v in versions] == [(2, "active"), (1, "archived")]
    old = Plan.objects.get(pk=first["id"])
    assert old.result["customers_needed"] == 100
    assert PlanTarget.objects.filter(plan=old).exists()


def test_plans_are_listed_by_status_and_an_unknown_status_is_a_400(member):
    """Another tool pulling ?status=active got the drafts and the archived versions too."""
    api = token_client(member(Role.SALES_MANAGER))
    first = api.post("/api/v1/plans/", BODY, format="json").json()
    api.post("/api/v1/plans/", BODY | {"name": "Draft"}, format="json")
    api.post(f"/api/v1/plans/{first['id']}/activate/")
    api.patch(f"/api/v1/plans/{first['id']}/", {"inputs": {**BODY["inputs"], "revenue_goal": "2400000"}}, format="json")  # fmt: skip

    def listed(query):
        return [(p["name"], p["version"], p["status"]) for p in api.get(f"/api/v1/plans/?{query}").json()["results"]]  # fmt: skip

    assert listed("status=active") == [(BODY["name"], 2, "active")]
    assert listed("status=archived") == [(BODY["name"], 1, "archived")]
    assert listed("status=draft") == [("Draft", 1, "draft")]
    assert len(listed("")) == 3
    refused = api.get("/api/v1/plans/?status=live")
    assert refused.status_code == 400
    assert "status" in refused.json()["error"]["fields"]


def test_a_draft_changes_in_place_and_can_be_deleted_but_not_an_active_plan(member):
    api = token_client(member(Role.ADMIN))
    draft = api.post("/api/v1/plans/", BODY, format="json").json()

    renamed = api.patch(
        f"/api/v1/plans/{draft['id']}/", {"name": "FY2027 draft"}, format="json"
    ).json()
    api.post(f"/api/v1/plans/{draft['id']}/activate/")
    refused = api.delete(f"/api/v1/plans/{draft['id']}/")

    assert (renamed["id"], renamed["version"]) == (draft["id"], 1)
    assert refused.status_code == 400
    assert "Only a draft can be deleted" in str(refused.json())


def test_learned_mode_fills_what_the_plan_does_not_give(org, member):
    seed_crm_history(organization=org, today=date(2026, 12, 1))
    api = token_client(member(Role.MARKETING_MANAGER))
    body = {**BODY, "mode": "learned", "inputs": {"revenue_goal": "1500000"}}

    plan = api.post("/api/v1/plans/", body, format="json").json()

    used = plan["result"]["inputs_used"]
    assert plan["inputs"] == {"revenue_goal": "1500000"}  # what was given stays as given
    assert len(used["conversion_rates"]) == 4
    assert float(used["average_deal_size"]) > 1000
    assert len(used["seasonality"]) == 12
    assert plan["result"]["leads_needed"] > plan["result"]["customers_needed"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"last_month": "2026-12"}, "non_field_errors"),
        (
            {"inputs": {**BODY["inputs"], "conversion_rates": ["0", "0.5", "0.5", "0.25"]}},
            "inputs.conversion_rates[0]",
        ),
        ({"inputs": {**BODY["inputs"], "average_deal_size": "many"}}, "inputs.average_deal_size"),
        ({"first_month": "2027-13"}, "first_month"),
        ({"mode": "psychic"}, "mode"),
    ],
)
def test_bad_plans_are_refused_and_nothing_is_stored(changes, field, member):
    response = token_client(member(Role.ADMIN)).post(
        "/api/v1/plans/", {**BODY, **changes}, format="json"
    )

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not Plan.objects.exists()
    assert not PlanTarget.objects.exists()


def test_learned_mode_without_history_says_what_to_give(member):
    response = token_client(member(Role.ADMIN)).post(
        "/api/v1/plans/",
        {**BODY, "mode": "learned", "inputs": {"revenue_goal": "1000"}},
        format="json",
    )

    assert response.status_code == 400
    assert "no conversion for lead->mql; give the rate" in str(response.json()["error"]["fields"])


def test_another_organisations_plan_is_404(other_org, member):
    from funnel.services import plan_create

    theirs = plan_create(
        organization=other_org,
        by=None,
        name="Theirs",
        first_month=date(2027, 1, 1),
        last_month=date(2027, 3, 1),
        inputs=BODY["inputs"],
    )
    api = token_client(member(Role.ADMIN))

    assert api.get(f"/api/v1/plans/{theirs.pk}/").status_code == 404
    assert api.get(f"/api/v1/plans/{theirs.pk}/targets/").status_code == 404
    assert api.post(f"/api/v1/plans/{theirs.pk}/activate/").status_code == 404
    assert Plan.objects.get(pk=theirs.pk).status == "draft"


def test_what_if_beside_a_plan_for_any_member(member):
    plan = token_client(member(Role.ADMIN)).post("/api/v1/plans/", BODY, format="json").json()
    leader = token_client(member(Role.LEADERSHIP))

    answer = leader.post(
        f"/api/v1/plans/{plan['id']}/what-if/", {"rate_points": {"mql->sql": "0.05"}}, format="json"
    )
    refused = leader.post(
        f"/api/v1/plans/{plan['id']}/what-if/", {"rate_points": {"a->b": "0.05"}}, format="json"
    )
    edit = leader.patch(f"/api/v1/plans/{plan['id']}/", {"name": "Mine"}, format="json")

    assert answer.status_code == 200
    assert answer.json()["difference"]["leads_needed"] < 0
    assert float(answer.json()["difference"]["budget"]) < 0
    assert refused.status_code == 400
    assert "rate_points" in refused.json()["error"]["fields"]
    assert edit.status_code == 403  # asking is open to all; changing is not
    assert Plan.objects.get().name == "FY2027"


def test_targets_carry_the_actuals_from_the_kpi_facts(org, member):
    seed_crm_history(organization=org, today=date(2026, 11, 15))
    kpis_recompute_full(organization_id=org.pk)
    api = token_client(member(Role.MARKETING_MANAGER))
    body = {**BODY, "first_month": "2026-01", "last_month": "2026-06"}
    plan = api.post("/api/v1/plans/", body, format="json").json()

    rows = api.get(f"/api/v1/plans/{plan['id']}/targets/?stage=mql").json()["results"]

    march = {row["channel"]: row["actual"] for row in rows if row["month"] == "2026-03"}
    by_channel = {
        r["channel"]: r["mqls"]
        for r in kpi_rows(org, group_by="channel", start=date(2026, 3, 1), end=date(2026, 3, 31))
    }
    month = kpi_rows(org, group_by="month", start=date(2026, 3, 1), end=date(2026, 3, 31))[0]
    assert march[""] == month["mqls"] > 0
    assert march["paid_search"] == by_channel["paid_search"]


def test_a_learned_plan_follows_its_history(org, member):
    seed_crm_history(organization=org, today=date(2026, 12, 1))
    api = token_client(member(Role.MARKETING_MANAGER))
    body = {**BODY, "mode": "learned", "inputs": {"revenue_goal": "1500000"}}
    plan = Plan.objects.get(pk=api.post("/api/v1/plans/", body, format="json").json()["id"])
    before = plan.result["inputs_used"]["average_deal_size"]
    Deal.objects.for_org(org).filter(status="won").update(amount=F("amount") * 2)

    refreshed = plans_refresh_learned(organization_id=org.pk, months=[date(2026, 6, 1)])

    plan.refresh_from_db()
    assert refreshed == 1
    doubled = Decimal(plan.result["inputs_used"]["average_deal_size"])
    assert abs(doubled - Decimal(before) * 2) <= Decimal("0.01")  # each average rounds to cents
    assert plans_refresh_learned(organization_id=org.pk, months=[date(2027, 6, 1)]) == 0


def test_targets_come_a_page_at_a_time_as_the_schema_says(member, django_assert_max_num_queries):
    from drf_spectacular.generators import SchemaGenerator

    api = token_client(member(Role.MARKETING_MANAGER))
    plan = api.post("/api/v1/plans/", BODY, format="json").json()
    url = f"/api/v1/plans/{plan['id']}/targets/"
    stored = list(
        PlanTarget.objects.filter(plan_id=plan["id"])
        .order_by("month", "stage", "channel")
        .values_list("stage", "channel", "target")
    )

    with django_assert_max_num_queries(5):  # the caller, the plan, count, page, its actuals
        first = api.get(url).json()
    pages, page = [first], first
    while page["next"]:
        page = api.get(page["next"]).json()
        pages.append(page)
    leads = api.get(f"{url}?stage=lead&channel=all&page_size=5").json()
    schema = SchemaGenerator().get_schema(request=None, public=True)

    assert first["count"] == len(stored) > 100
    assert len(first["results"]) == 50  # the page size of every list
    rows = [(r["stage"], r["channel"], r["target"]) for p in pages for r in p["results"]]
    assert rows == stored
    assert leads["count"] == PlanTarget.objects.filter(stage="lead", channel="").count()
    assert len(leads["results"]) == 5
    answer = schema["paths"]["/api/v1/plans/{id}/targets/"]["get"]["responses"]["200"]
    assert answer["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/PaginatedPlanTargetList"
    }


def _month(day: date, ahead: int) -> date:
    index = day.year * 12 + day.month - 1 + ahead
    return date(index // 12, index % 12 + 1, 1)


def test_a_learned_plan_on_the_demo_history_is_one_to_trust(org, member):
    # Given the demo's two years of history up to today, and a plan starting next month
    # whose stage times (four months from lead to customer) put its first leads before today
    today = timezone.localdate()
    seed_crm_history(organization=org, today=today)
    first = _month(today, 1)
    body = {
        **BODY,
        "mode": "learned",
        "first_month": first.strftime("%Y-%m"),
        "last_month": _month(today, 12).strftime("%Y-%m"),
        "inputs": {"revenue_goal": "1500000", "stage_days": ["30", "30", "30", "30"]},
    }

    # When a marketing manager creates it
    answer = token_client(member(Role.MARKETING_MANAGER)).post(
        "/api/v1/plans/", body, format="json"
    )

    # Then it learned from the twelve complete months before today, and says so
    assert answer.status_code == 201, answer.json()
    plan = Plan.objects.get(pk=answer.json()["id"])
    used = plan.result["inputs_used"]
    assert used["learned_from"]["end"] == today.replace(day=1).isoformat()
    assert used["learned_from"]["start"] == _month(today, -12).isoformat()
    # customers are planned in every month of the period
    customers = dict(
        plan.targets.filter(stage="customer", channel="").values_list("month", "target")
    )
    assert all(customers.get(_month(today, n), 0) > 0 for n in range(1, 13)), customers
    # leads are split by the channels' learned shares and priced at their learned cost
    codes = {c["code"] for c in used["channels"]}
    assert codes >= {"organic_search", "paid_search", "social", "email", "referral", "event"}
    assert Decimal(plan.result["budget"]) > 0
    assert sum(Decimal(v) for v in plan.result["budget_by_channel"].values()) == Decimal(
        plan.result["budget"]
    )
    # no target is left in a month already over: those were moved, and the plan says where
    assert not plan.targets.filter(month__lt=today.replace(day=1)).exists()
    moved = {m["stage"]: m for m in plan.result["moved"]}
    assert moved["lead"]["count"] > 0
    assert set(moved["lead"]["into"]) <= {today.strftime("%Y-%m"), first.strftime("%Y-%m")}
    leads = plan.targets.filter(stage="lead", channel="").values_list("target", flat=True)
    assert sum(leads) == plan.result["leads_needed"]  # moved, not lost


def test_a_month_without_won_revenue_in_the_window_weighs_as_an_average_month(org, member):
    seed_crm_history(organization=org, today=date(2026, 12, 1))
    Deal.objects.for_org(org).filter(status="won", closed_at__month=12).delete()
    body = {**BODY, "mode": "learned", "inputs": {"revenue_goal": "1500000"}}

    plan = token_client(member(Role.ADMIN)).post("/api/v1/plans/", body, format="json").json()

    used = plan["result"]["inputs_used"]
    # December has no history: it weighs as an average month (1 before the weights are
    # scaled to a mean of 1 with the others), never 0
    assert Decimal("0.8") < Decimal(used["seasonality"][11]) < Decimal("1.2")
    assert 12 in used["learned_from"]["seasonality_fallback"]
    december = Plan.objects.get(pk=plan["id"]).targets.filter(
        stage="customer", channel="", month=date(2027, 12, 1)
    )
    assert december.get().target > 0
