"""Drift over the API: every member reads the stored rows, of all active plans or one;
another organisation's plan answers 404; plan editors set the window, within bounds."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from orgs.models import Role
from orgs.permissions import Action, can
from reviews.models import DriftSettings, PlanDrift
from reviews.services.drift import drift_settings_update
from tests.conftest import ALL_ROLES
from tests.reviews.conftest import DRIFT_DAY
from tests.reviews.drift_history import active_plan

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("drift_day")]
T = DRIFT_DAY


def test_the_drift_of_a_plan_reads_as_stored(measured, api_as):
    answer = api_as(Role.SALES_REP).get(f"/api/v1/drift/?plan={measured.pk}")

    assert answer.status_code == 200
    body = answer.json()
    assert body["count"] == 8
    risky = [row for row in body["results"] if row["at_risk"]]
    assert risky == [{
        "plan": measured.pk, "plan_name": "FY plan", "stage": "lead->mql",
        "stage_name": "Lead → Marketing-qualified lead", "metric": "rate",
        "direction": "below", "at_risk": True, "assumed": "0.5", "measured": "0.3",
        "low": "0.2407", "high": "0.3668", "confidence": "0.95", "sample": 200,
        "customers_delta": -40, "revenue_delta": "-480000", "currency": "EUR",
        "window_days": 90, "window_start": "2026-08-03", "window_end": "2026-11-01",
        "since": "2026-11-16", "computed_at": risky[0]["computed_at"],
    }]  # fmt: skip
    unmeasured = next(r for r in body["results"] if r["stage"] == "opportunity->customer")
    assert (unmeasured["measured"], unmeasured["low"], unmeasured["sample"]) == (None, None, 0)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_member_reads_every_active_plans_drift(role, org, api_as):
    plan = active_plan(org, date(2027, 1, 1))
    PlanDrift.objects.create(
        organization=org, plan=plan, stage="lead->mql", position=0, metric="days",
        assumed=Decimal(5), measured=Decimal(9), low=Decimal(7), high=Decimal(11), sample=40,
        direction="above", customers_delta=-3, revenue_delta=Decimal(-36000), window_days=90,
        window_start=date(2026, 8, 3), window_end=date(2026, 11, 1), computed_at=timezone.now(),
    )  # fmt: skip

    answer = api_as(role).get("/api/v1/drift/")

    assert answer.status_code == 200
    assert [(r["stage"], r["metric"], r["direction"]) for r in answer.json()["results"]] == [
        ("lead->mql", "days", "above")
    ]


def test_another_organisations_plan_is_a_404(measured, other_org, api_as):
    theirs = active_plan(other_org, date(2027, 1, 1), name="Theirs")

    answer = api_as(Role.ADMIN).get(f"/api/v1/drift/?plan={theirs.pk}")

    assert answer.status_code == 404
    assert answer.json() == {"error": {"status": 404, "code": "not_found", "message": "Not found."}}


@pytest.mark.parametrize("given", ["abc", "0", "-3", "1.5", "99999999999999999999999"])
def test_a_plan_that_is_no_id_is_a_400(given, api_as):
    answer = api_as(Role.ADMIN).get("/api/v1/drift/", {"plan": given})

    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "invalid"
    assert "plan" in answer.json()["error"]["fields"]


def test_the_list_reads_a_fixed_number_of_queries(org, api_as, django_assert_max_num_queries):
    api = api_as(Role.ADMIN)
    for i in range(3):
        plan = active_plan(org, date(2027, 1, 1), name=f"Plan {i}")
        for position, stage in enumerate(("lead->mql", "mql->sql")):
            PlanDrift.objects.create(
                organization=org, plan=plan, stage=stage, position=position, metric="rate",
                assumed=Decimal("0.5"), sample=0, direction="unmeasured", window_days=90,
                window_start=date(2026, 8, 3), window_end=date(2026, 11, 1),
                computed_at=timezone.now(),
            )  # fmt: skip

    with django_assert_max_num_queries(7):  # as many for one plan as for three
        answer = api.get("/api/v1/drift/")

    assert answer.json()["count"] == 6


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_member_reads_the_window_and_plan_editors_set_it(
    role, org, api_as, django_capture_on_commit_callbacks
):
    api = api_as(role)
    assert api.get("/api/v1/drift/settings/").json() == {"window_days": 90}

    with django_capture_on_commit_callbacks(execute=True):
        answer = api.put("/api/v1/drift/settings/", {"window_days": 60}, format="json")

    if can(role, Action.EDIT_PLANS):
        assert answer.status_code == 200
        assert answer.json() == {"window_days": 60}
        assert DriftSettings.objects.for_org(org).get().window_days == 60
    else:
        assert answer.status_code == 403
        assert answer.json()["error"]["code"] == "permission_denied"
        assert not DriftSettings.objects.exists()


@pytest.mark.parametrize(
    "body",
    [{"window_days": 29}, {"window_days": 366}, {"window_days": "ninety"}, {}, {"window_days": None},
     {"window_days": 45.5}, {"window_days": True}],
)  # fmt: skip
def test_a_window_out_of_bounds_is_a_400_and_the_setting_kept(body, org, api_as):
    drift_settings_update(organization=org, by=None, window_days=120)

    answer = api_as(Role.SALES_MANAGER).put("/api/v1/drift/settings/", body, format="json")

    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "invalid"
    assert "window_days" in answer.json()["error"]["fields"]
    assert DriftSettings.objects.for_org(org).get().window_days == 120


def test_the_window_is_each_organisations_own(org, other_org, member, api_as):
    drift_settings_update(organization=other_org, by=None, window_days=200)

    api_as(Role.ADMIN).put("/api/v1/drift/settings/", {"window_days": 45}, format="json")

    assert DriftSettings.objects.for_org(other_org).get().window_days == 200
    assert DriftSettings.objects.for_org(org).get().window_days == 45
