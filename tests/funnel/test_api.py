import pytest

from funnel.api import FULL, MINIMAL
from orgs.models import Role
from tests.conftest import ALL_ROLES, token_client

pytestmark = pytest.mark.django_db
URL = "/api/v1/funnel/calculate/"


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_member_can_calculate_the_minimal_body(role, member):
    response = token_client(member(role)).post(URL, MINIMAL, format="json")

    assert response.status_code == 200
    body = response.json()
    assert body["customers_needed"] == 200
    assert body["stages"] == [
        {
            "stage": "lead",
            "needed": 10000,
            "by_month": {},
            "by_channel": {},
            "by_month_and_channel": {},
        },
        {
            "stage": "customer",
            "needed": 200,
            "by_month": {},
            "by_channel": {},
            "by_month_and_channel": {},
        },
    ]


def test_months_stage_times_and_channels_give_the_monthly_plan_and_budget(member):
    body = token_client(member(Role.MARKETING_MANAGER)).post(URL, FULL, format="json").json()

    assert body["revenue_goal"] == "5000000"  # exact, without ten trailing zeros
    assert [s["needed"] for s in body["stages"]] == [8000, 3200, 1600, 800, 200]
    leads = body["stages"][0]
    assert sum(leads["by_month"].values()) == 8000
    assert min(leads["by_month"]) == "2026-10"  # 87 days of funnel: three months ahead of January
    assert body["month_shift"]["lead"] == 3
    assert sum(leads["by_channel"].values()) == 8000
    budget = leads["by_channel"]["paid_search"] * 45 + leads["by_channel"]["social"] * 30
    assert body["budget"] == f"{budget}"
    assert body["assumptions"]["conversion_rates"]["lead->mql"] == "0.4"


def test_floats_in_json_are_read_exactly(member):
    body = {
        "revenue_goal": 57,
        "average_deal_size": 1,
        "stages": ["lead", "customer"],
        "conversion_rates": [0.57],
    }

    assert (
        token_client(member()).post(URL, body, format="json").json()["stages"][0]["needed"] == 100
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"conversion_rates": ["0"]}, "conversion_rates[0]"),
        ({"conversion_rates": ["1.5"]}, "conversion_rates[0]"),
        ({"average_deal_size": "0"}, "average_deal_size"),
        ({"average_deal_size": "lots"}, "average_deal_size"),
        ({"stages": [], "conversion_rates": []}, "stages"),
        ({"revenue_goal": None}, "revenue_goal"),
        ({"months": ["2027-03", "2027-01"]}, "months"),
        ({"channels": [{"code": "a", "share": "0.5"}, {"code": "b", "share": "0.2"}]}, "channels"),
        ({"conversion_rates": "0.5"}, "conversion_rates"),
    ],
)
def test_bad_inputs_are_a_400_naming_the_field(changes, field, member):
    response = token_client(member()).post(URL, {**MINIMAL, **changes}, format="json")

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_anonymous_callers_are_refused(client):
    response = client.post(URL, MINIMAL, content_type="application/json")

    assert response.status_code == 401


def test_learned_assumptions_over_the_api(org, member):
    from datetime import date

    from crm.demo import seed_crm_history

    seed_crm_history(organization=org, today=date(2026, 11, 15))
    api = token_client(member(Role.LEADERSHIP))

    body = api.get("/api/v1/funnel/assumptions/?start=2025-11-01&end=2026-11-01").json()

    assert body["start"] == "2025-11-01"
    assert set(body["conversion"]) == {
        "lead->mql",
        "mql->sql",
        "sql->opportunity",
        "opportunity->customer",
    }
    overall = body["conversion"]["lead->mql"]["__all__"]
    assert 0 < float(overall["value"]) < 1
    assert overall["sample"] > 100
    assert set(body["seasonality"]) == {str(m) for m in range(1, 13)}
    assert "paid_search" in body["cost_per_lead"]


@pytest.mark.parametrize(
    "query", ["start=2026-13-01", "end=yesterday", "start=2026-05-01&end=2026-01-01"]
)
def test_a_bad_assumptions_window_is_a_400(query, member):
    response = token_client(member()).get(f"/api/v1/funnel/assumptions/?{query}")

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) <= {"start", "end"}
