"""A calculation or a plan holds at most 20 stages, 50 channels and 60 months, in 1990-2100,
with codes that fit their columns: the last good value is taken, the first bad one refused
with a 400 naming the field and the bound, and nothing is stored."""

from datetime import date
from time import monotonic

import pytest

from funnel.api import MINIMAL
from funnel.models import Plan, PlanTarget
from funnel.services import plan_create
from orgs.models import Role
from tests.conftest import signed_in_client, token_client
from tests.funnel.test_plans import BODY

pytestmark = pytest.mark.django_db
CALCULATE = "/api/v1/funnel/calculate/"
DATES = "from 1990-01-01 to 2100-12-31"
PERIOD = "at most 60 months (5 years)"


def refused(response, field: str, bound: str) -> None:
    assert response.status_code == 400, response.json()
    error = response.json()["error"]
    assert (error["status"], error["code"]) == (400, "invalid")
    assert bound in str(error["fields"][field])


def stages(count: int, length: int = 8) -> dict[str, list[str]]:
    codes = [f"s{i}".ljust(length, "x") for i in range(count)]
    return {"stages": codes, "conversion_rates": ["0.5"] * (count - 1)}


def channels(count: int, length: int = 8) -> list[dict[str, str]]:
    return [{"code": f"c{i}".ljust(length, "x"), "share": "0.02"} for i in range(count)]


def months(first: str, count: int) -> list[str]:
    year, month = int(first[:4]), int(first[5:])
    return [f"{year + (month - 1 + i) // 12}-{(month - 1 + i) % 12 + 1:02d}" for i in range(count)]


LAST_GOOD_CALCULATIONS = {
    "20 stages": stages(20),
    "a 32-character stage": stages(2, 32),
    "50 channels": {"channels": channels(50)},
    "a 50-character channel": {"channels": [{"code": "c".ljust(50, "x"), "share": "1"}]},
    "60 months": {"months": months("2027-01", 60)},
    "1990-01": {"months": ["1990-01"]},
    "2100-12": {"months": ["2100-12"]},
    "1826 funnel days": {"stage_days": ["1826"]},
}
FIRST_BAD_CALCULATIONS = {
    "21 stages": (stages(21), "stages", "no more than 20"),
    "a 33-character stage": (stages(2, 33), "stages", "no more than 32"),
    "51 channels": (
        {"channels": channels(51)},
        "channels",
        "no more than 50",
    ),
    "a 51-character channel": (
        {"channels": [{"code": "c".ljust(51, "x"), "share": "1"}]},
        "channels",
        "no more than 50",
    ),
    "61 months": ({"months": months("2027-01", 61)}, "months", "no more than 60"),
    "1989-12": ({"months": ["1989-12"]}, "months", "from 1990-01 to 2100-12"),
    "2101-01": ({"months": ["2101-01"]}, "months", "from 1990-01 to 2100-12"),
    "1827 funnel days": ({"stage_days": ["1827"]}, "stage_days", "at most 1826 days"),
    "a billion billion leads": (
        stages(20) | {"conversion_rates": ["0.01"] * 19},
        "revenue_goal",
        "more than 1,000,000,000,000,000,000",
    ),
    "a budget of 10^14": (
        {
            "average_deal_size": "0.0000001",
            "channels": [{"code": "email", "share": "1", "cost_per_lead": "10"}],
        },
        "average_deal_size",
        "would cost 100,000,000,000,000 or more",
    ),
}


@pytest.mark.parametrize("changes", LAST_GOOD_CALCULATIONS.values(), ids=LAST_GOOD_CALCULATIONS)
def test_a_calculation_at_its_bounds_is_answered(changes, member):
    response = token_client(member(Role.LEADERSHIP)).post(
        CALCULATE, MINIMAL | changes, format="json"
    )

    assert response.status_code == 200, response.json()


@pytest.mark.parametrize(
    ("changes", "field", "bound"), FIRST_BAD_CALCULATIONS.values(), ids=FIRST_BAD_CALCULATIONS
)
def test_a_calculation_past_a_bound_is_a_400_naming_it(changes, field, bound, member):
    response = token_client(member(Role.LEADERSHIP)).post(
        CALCULATE, MINIMAL | changes, format="json"
    )

    refused(response, field, bound)


def test_the_20000_stage_calculation_is_refused_at_once(member):
    api = token_client(member(Role.LEADERSHIP))
    started = monotonic()

    response = api.post(CALCULATE, MINIMAL | stages(20_000), format="json")

    refused(response, "stages", "no more than 20")
    assert monotonic() - started < 1  # its items were never validated one by one


@pytest.mark.parametrize(
    ("query", "field", "kept"),
    [
        ("start=1990-01-01&end=1990-02-01", "start", True),
        ("start=1989-12-31&end=1990-02-01", "start", False),
        ("start=2100-11-01&end=2100-12-31", "end", True),
        ("start=2100-11-01&end=2101-01-01", "end", False),
    ],
)
def test_the_assumptions_window_lies_within_the_bounds(query, field, kept, member):
    response = token_client(member()).get(f"/api/v1/funnel/assumptions/?{query}")

    if kept:
        assert response.status_code == 200
    else:
        refused(response, field, DATES)


@pytest.mark.parametrize(
    ("query", "field", "kept"),
    [
        ("start=1990-01-01", "start", True),
        ("start=1989-12-31", "start", False),
        ("end=2100-12-31", "end", True),
        ("end=2101-01-01", "end", False),
    ],
)
def test_the_kpi_period_lies_within_the_bounds(query, field, kept, member):
    response = token_client(member()).get(f"/api/v1/kpis/?{query}")

    if kept:
        assert response.status_code == 200
    else:
        refused(response, field, DATES)


LAST_GOOD_PLANS = {
    "60 months": {"first_month": "2027-01", "last_month": "2031-12"},
    "from 1990-01": {"first_month": "1990-01", "last_month": "1990-12"},
    "to 2100-12": {"first_month": "2100-01", "last_month": "2100-12"},
    "a 32-character stage": {"inputs": BODY["inputs"] | stages(5, 32)},
    "a 50-character channel": {
        "inputs": BODY["inputs"] | {"channels": [{"code": "c".ljust(50, "x"), "share": "1"}]}
    },
}
FIRST_BAD_PLANS = {
    "61 months": ({"first_month": "2027-01", "last_month": "2032-01"}, "last_month", PERIOD),
    "the issue's 239,976 targets": (
        {"first_month": "0001-01", "last_month": "9999-12"},
        "first_month",
        DATES,
    ),
    "from 1989-12": ({"first_month": "1989-12", "last_month": "1990-12"}, "first_month", DATES),
    "to 2101-01": ({"first_month": "2100-06", "last_month": "2101-01"}, "last_month", DATES),
    "inputs 1.5": ({"inputs": 1.5}, "inputs", "JSON object"),
    'inputs "x"': ({"inputs": "x"}, "inputs", "JSON object"),
    'inputs ["abcde"]': ({"inputs": ["abcde"]}, "inputs", "JSON object"),
    "learned, rates not a list": (
        {"mode": "learned", "inputs": BODY["inputs"] | {"conversion_rates": 5}},
        "inputs.conversion_rates",
        "must be a list",
    ),
    "a 33-character stage": (
        {"inputs": BODY["inputs"] | stages(5, 33)},
        "inputs.stages",
        "at most 32 characters",
    ),
    "a 51-character channel": (
        {"inputs": BODY["inputs"] | {"channels": [{"code": "c".ljust(51, "x"), "share": "1"}]}},
        "inputs.channels",
        "at most 50 characters",
    ),
    "21 stages": ({"inputs": BODY["inputs"] | stages(21)}, "inputs.stages", "at most 20 stages"),
    "51 channels": (
        {"inputs": BODY["inputs"] | {"channels": channels(51)}},
        "inputs.channels",
        "at most 50 channels",
    ),
    "a goal of 10^999999": (
        {"inputs": BODY["inputs"] | {"revenue_goal": "1e999999"}},
        "inputs.revenue_goal",
        "below 100,000,000,000,000",
    ),
    "rates of 10^-9000": (
        {"inputs": BODY["inputs"] | {"conversion_rates": ["1e-9000"] * 4}},
        "inputs.revenue_goal",
        "more than 1,000,000,000,000,000,000",
    ),
    "more leads than a target holds": (
        {"inputs": BODY["inputs"] | {"conversion_rates": ["0.00000001", "0.5", "0.5", "0.25"]}},
        "inputs.revenue_goal",
        "at most 2,147,483,647",
    ),
}


@pytest.mark.parametrize("changes", LAST_GOOD_PLANS.values(), ids=LAST_GOOD_PLANS)
def test_a_plan_at_its_bounds_is_stored(changes, member):
    response = token_client(member(Role.ADMIN)).post(
        "/api/v1/plans/", BODY | changes, format="json"
    )

    assert response.status_code == 201, response.json()
    assert PlanTarget.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "bound"), FIRST_BAD_PLANS.values(), ids=FIRST_BAD_PLANS
)
def test_a_plan_past_a_bound_is_refused_and_nothing_is_stored(changes, field, bound, member):
    response = token_client(member(Role.ADMIN)).post(
        "/api/v1/plans/", BODY | changes, format="json"
    )

    refused(response, field, bound)
    assert not Plan.objects.exists()
    assert not PlanTarget.objects.exists()


@pytest.mark.parametrize("status", ["draft", "active"])
@pytest.mark.parametrize(
    ("changes", "field", "bound"), FIRST_BAD_PLANS.values(), ids=FIRST_BAD_PLANS
)
def test_a_plan_changed_past_a_bound_is_refused_and_keeps_what_it_had(
    changes, field, bound, status, org, member
):
    plan = plan_create(
        organization=org,
        by=None,
        name="FY2027",
        first_month=date(2027, 1, 1),
        last_month=date(2027, 12, 1),
        inputs=BODY["inputs"],
    )
    Plan.objects.filter(pk=plan.pk).update(status=status)
    targets = list(PlanTarget.objects.values_list("month", "stage", "channel", "target"))

    response = token_client(member(Role.ADMIN)).patch(
        f"/api/v1/plans/{plan.pk}/", changes, format="json"
    )

    refused(response, field, bound)
    kept = Plan.objects.get()  # no new version
    assert (kept.status, kept.inputs, kept.last_month) == (
        status,
        BODY["inputs"],
        date(2027, 12, 1),
    )
    assert list(PlanTarget.objects.values_list("month", "stage", "channel", "target")) == targets


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"first_month": "1989-12"}, DATES),
        ({"last_month": "2101-01"}, DATES),
        ({"first_month": "2027-01", "last_month": "2032-01"}, PERIOD),
    ],
)
def test_the_plan_editor_and_its_preview_refuse_a_period_past_the_bounds(change, message, member):
    from tests.funnel.test_pages import FORM

    client = signed_in_client(member(Role.MARKETING_MANAGER))

    saved = client.post("/plans/new/", FORM | change)
    preview = client.post("/plans/preview/", FORM | change, HTTP_HX_REQUEST="true")

    assert saved.status_code == 200
    assert message in saved.content.decode()
    assert message in preview.content.decode()
    assert not Plan.objects.exists()


def test_an_assumptions_window_ending_on_a_leap_day_opens(api_as):
    answer = api_as(Role.LEADERSHIP).get("/api/v1/funnel/assumptions/?end=2024-02-29")

    assert answer.status_code == 200, answer.json()
    assert answer.json()["start"] == "2023-02-01"  # twelve months back, from the 1st


def test_a_month_written_with_other_digits_is_refused(api_as):
    body = {
        "revenue_goal": "1000",
        "average_deal_size": "100",
        "stages": ["lead", "customer"],
        "conversion_rates": ["0.5"],
        "months": ["2025-0\u00b2"],
    }

    answer = api_as(Role.LEADERSHIP).post("/api/v1/funnel/calculate/", body, format="json")

    assert answer.status_code == 400
    assert "months" in answer.json()["error"]["fields"]
