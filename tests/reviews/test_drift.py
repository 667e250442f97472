"""Drift on a constructed history (tests/reviews/drift_history.py): only the stage whose
latest cohorts convert clearly below the plan puts it at risk, with its interval and what it
costs; the drift is told once however often it is measured, and again only if it went away
and came back; each organisation's drift is its own."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from funnel.services import plan_archive, plan_update
from orgs.models import Role
from reviews.models import Event, Notification, PlanDrift
from reviews.services.drift import drift_recompute, drift_settings_update
from reviews.words import title
from smarketing.lib.events import Kind
from tests.reviews.conftest import DRIFT_DAY
from tests.reviews.drift_history import active_plan, build_history

pytestmark = pytest.mark.django_db
T = DRIFT_DAY


@pytest.fixture(autouse=True)
def fixed_today(drift_day):
    """Plans are made as seen on T (tests/reviews/conftest.py)."""


@pytest.fixture
def plan(org):
    build_history(org, T)
    return active_plan(org, date(2027, 1, 1))


def stored(org):
    return {(row.stage, row.metric): row for row in PlanDrift.objects.for_org(org)}


def told(org):
    return Event.objects.for_org(org).filter(kind=Kind.PLAN_AT_RISK)


def test_only_the_stage_that_converts_below_the_plan_puts_it_at_risk(org, plan):
    count = drift_recompute(organization_id=org.pk, today=T)

    rows = stored(org)
    assert count == len(rows) == 8  # four pairs, a rate and a stage time each
    risky = rows[("lead->mql", "rate")]
    assert [row for row in rows.values() if row.at_risk] == [risky]
    assert (risky.assumed, risky.measured) == (Decimal("0.5000"), Decimal("0.3000"))
    assert (risky.low, risky.high) == (Decimal("0.2407"), Decimal("0.3668"))  # Wilson, 60 of 200
    assert (risky.sample, risky.direction, risky.since) == (200, "below", T)
    assert (risky.window_start, risky.window_end) == (T - timedelta(105), T - timedelta(15))
    # 100 customers ahead, at 30 % instead of 50 % from lead to MQL: 60.
    assert (risky.customers_delta, risky.revenue_delta) == (-40, Decimal("-480000.00"))


def test_the_stages_within_their_intervals_are_measured_and_not_at_risk(org, plan):
    drift_recompute(organization_id=org.pk, today=T)

    rows = stored(org)
    days = rows[("lead->mql", "days")]
    assert (days.measured, days.low, days.high, days.sample) == (
        Decimal("5.0"), Decimal("4.0"), Decimal("6.0"), 60,
    )  # fmt: skip
    assert days.direction == "within"
    assert days.customers_delta == 0
    assert days.since is None
    handed = rows[("mql->sql", "rate")]
    assert (handed.measured, handed.sample, handed.direction) == (Decimal("0.5000"), 100, "within")
    assert handed.low < Decimal("0.5") < handed.high
    assert rows[("mql->sql", "days")].measured == Decimal("10.0")
    assert rows[("mql->sql", "days")].direction == "within"
    for pair in ("sql->opportunity", "opportunity->customer"):
        assert rows[(pair, "rate")].direction == "unmeasured"
        assert rows[(pair, "rate")].sample == 0


def test_a_drift_is_told_once_to_the_plans_people_however_often_it_is_measured(org, plan, member):
    people = {role: member(role) for role in Role}

    drift_recompute(organization_id=org.pk, today=T)
    drift_recompute(organization_id=org.pk, today=T)

    event = told(org).get()
    assert event.key == f"plan.at_risk:{plan.pk}:lead->mql:rate:below:2026-11-16"
    assert event.link == f"/plans/{plan.pk}/"
    assert {k: event.data[k] for k in ("plan_id", "plan_name", "stage", "stage_name", "metric")} == {
        "plan_id": plan.pk, "plan_name": "FY plan", "stage": "lead->mql",
        "stage_name": "Lead → Marketing-qualified lead", "metric": "rate",
    }  # fmt: skip
    assert (event.data["assumed"], event.data["measured"]) == ("0.5000", "0.3000")
    assert (event.data["low"], event.data["high"]) == ("0.2407", "0.3668")
    assert (event.data["customers_delta"], event.data["revenue_delta"]) == (-40, "-480000.00")
    assert event.data["currency"] == org.currency
    notified = set(Notification.objects.filter(event=event).values_list("user_id", flat=True))
    assert notified == {
        people[role].user_id
        for role in (Role.ADMIN, Role.MARKETING_MANAGER, Role.SALES_MANAGER, Role.LEADERSHIP)
    }
    assert title(event.kind, event.data) == (
        "Plan “FY plan” is at risk: Lead → Marketing-qualified lead converts 30.0%, not the "
        "50.0% assumed (-40 customers at current rates)"
    )


def test_a_drift_that_went_away_and_came_back_is_told_again(org, plan):
    drift_recompute(organization_id=org.pk, today=T)
    drift_recompute(organization_id=org.pk, today=T + timedelta(days=400))  # no cohort left

    assert not any(row.at_risk for row in stored(org).values())
    drift_recompute(organization_id=org.pk, today=T + timedelta(days=1))

    assert stored(org)[("lead->mql", "rate")].since == T + timedelta(days=1)
    assert sorted(told(org).values_list("key", flat=True)) == [
        f"plan.at_risk:{plan.pk}:lead->mql:rate:below:2026-11-16",
        f"plan.at_risk:{plan.pk}:lead->mql:rate:below:2026-11-17",
    ]


def test_a_drift_that_lasts_keeps_the_day_it_showed(org, plan):
    drift_recompute(organization_id=org.pk, today=T)
    drift_recompute(organization_id=org.pk, today=T + timedelta(days=1))

    assert stored(org)[("lead->mql", "rate")].since == T
    assert told(org).count() == 1


def test_a_narrower_window_measures_fewer_cohorts(org, plan):
    drift_settings_update(organization=org, by=None, window_days=30)
    drift_recompute(organization_id=org.pk, today=T)

    risky = stored(org)[("lead->mql", "rate")]
    assert (risky.window_days, risky.window_start) == (30, T - timedelta(45))
    # The cohorts of [T-45, T-15): the 60 that moved on (T-29 to T-16), and the lost ones
    # of those days, which came in T-99 to T-16 (T-71 to T-16 twice).
    assert risky.sample == 60 + sum(1 for i in range(140) if 16 + i % 84 <= 45) == 120
    assert (risky.measured, risky.direction) == (Decimal("0.5000"), "within")


def test_an_archived_plans_drift_is_dropped_and_a_new_version_is_measured_afresh(org, plan):
    drift_recompute(organization_id=org.pk, today=T)
    edited = plan_update(plan=plan, by=None, inputs={**plan.inputs, "revenue_goal": "2400000"})

    drift_recompute(organization_id=org.pk, today=T)

    assert set(PlanDrift.objects.values_list("plan_id", flat=True)) == {edited.pk}
    assert stored(org)[("lead->mql", "rate")].customers_delta == -80  # 200 customers ahead
    assert told(org).count() == 2  # the new version is a plan of its own
    plan_archive(plan=edited)
    drift_recompute(organization_id=org.pk, today=T)
    assert not PlanDrift.objects.exists()


def test_each_organisation_measures_its_own_plans(org, other_org, plan):
    build_history(other_org, T - timedelta(days=200))  # its cohorts lie before the window
    theirs = active_plan(other_org, date(2027, 1, 1), name="Their plan")

    drift_recompute(organization_id=org.pk, today=T)
    drift_recompute(organization_id=other_org.pk, today=T)
    drift_recompute(organization_id=org.pk, today=T)

    assert set(PlanDrift.objects.for_org(org).values_list("plan_id", flat=True)) == {plan.pk}
    their_rows = PlanDrift.objects.for_org(other_org)
    assert set(their_rows.values_list("plan_id", flat=True)) == {theirs.pk}
    assert not any(row.at_risk for row in their_rows)  # their leads are not ours
    assert not told(other_org).exists()
