"""Drift recomputed and stored: each active plan's conversion rates and stage times measured
on the organisation's latest cohorts (reviews/drift.py says how), the rows replaced in one
transaction, and a drift that was not there before announced in it (`plan.at_risk`).

A drift is told once, however often it is recomputed (after every KPI change, each night):
each row keeps `since`, the day it first showed, while the same pair and metric stays on
the same side of the assumption; the announcement's key holds that day, so a recompute
that finds it again announces the same key, which the events record once. A drift that
goes away and comes back on a later day has a new `since`, and is told again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from crm.selectors import lifecycle_stage_names
from funnel.assumptions import Entry, cohort_entries
from funnel.calculations import FunnelInputError, parse_input
from funnel.models import Plan
from funnel.selectors import plan_target_rows
from orgs.models import Membership, Organization, Role, User
from reviews import drift
from reviews.models import DriftSettings, PlanDrift
from reviews.selectors.drift import drift_settings_of
from smarketing.lib.enqueue import send_once
from smarketing.lib.events import Happening, Kind, announce
from smarketing.lib.formatting import pair_named

logger = logging.getLogger(__name__)

LOCK = -12  # the advisory lock's second key (smarketing/lib/advisory.py lists the others)
RECOMPUTE_TASK = "reviews.tasks.drift_recompute_task"
# Who hears of a plan at risk: those who answer for the plan together.
TOLD = (Role.ADMIN, Role.MARKETING_MANAGER, Role.SALES_MANAGER, Role.LEADERSHIP)


@dataclass(frozen=True)
class Assumptions:
    """What a plan assumes of each stage pair, as its calculation used it."""

    stages: list[str]
    rates: list[Decimal]
    days: list[Decimal | None]
    deal_size: Decimal

    @property
    def pairs(self) -> list[str]:
        return [f"{a}->{b}" for a, b in pairwise(self.stages)]


def assumptions_of(plan: Plan) -> Assumptions | None:
    """The plan's rates, stage times and deal size; None for a plan whose inputs cannot be
    read as a funnel (it has no calculation to measure)."""
    used = plan.result.get("inputs_used") if isinstance(plan.result, dict) else None
    if not isinstance(used, dict):
        return None
    try:
        data = parse_input(used)
    except FunnelInputError:
        return None
    rates = list(data.conversion_rates)
    if len(data.stages) < 2 or len(rates) != len(data.stages) - 1:
        return None
    days: list[Decimal | None] = list(data.stage_days)
    if len(days) != len(rates):
        days = [None] * len(rates)
    return Assumptions(data.stages, rates, days, data.average_deal_size)


def drift_key(organization_id: int) -> str:
    return f"reviews-drift:{organization_id}"


def drift_schedule(*, organization_id: int) -> bool:
    """Send one recompute for the organisation unless one is already waiting (changes
    within DRIFT_COALESCE_SECONDS share it); True if sent."""
    return send_once(drift_key(organization_id), RECOMPUTE_TASK, organization_id,
                     delay=settings.DRIFT_COALESCE_SECONDS)  # fmt: skip


def drift_schedule_on_commit(*, organization_id: int) -> None:
    transaction.on_commit(lambda: drift_schedule(organization_id=organization_id))


@transaction.atomic
def drift_settings_update(
    *, organization: Organization, by: User | None, window_days: int
) -> DriftSettings:
    """Set the organisation's window; its drift is measured again once this commits.
    Raises ValidationError (nothing saved) for a window out of bounds."""
    DriftSettings.objects.get_or_create(organization=organization)
    found = DriftSettings.objects.select_for_update().get(organization=organization)
    found.window_days, found.updated_by, found.updated_at = window_days, by, timezone.now()
    found.full_clean()
    found.save()
    drift_schedule_on_commit(organization_id=organization.pk)
    return found


def drift_recompute(*, organization_id: int, today: date) -> int:
    """Measure every active plan of the organisation on its latest cohorts, replace its
    stored drift and announce each drift new since the last recompute; how many rows."""
    organization = Organization.objects.get(pk=organization_id)
    window = drift_settings_of(organization).window_days
    plans = [
        (plan, found)
        for plan in Plan.objects.for_org(organization).filter(status=Plan.Status.ACTIVE)
        if (found := assumptions_of(plan)) is not None
    ]
    cohorts = _cohorts(organization, [a for _plan, a in plans], window, today)
    now = timezone.now()
    measured = [
        row
        for plan, found in plans
        for row in _plan_rows(
            organization, plan, found, cohorts[tuple(found.stages)], window, today
        )
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        # One recompute of an organisation at a time: the nightly one and one after a
        # change would otherwise both replace the rows, and both see a drift as new.
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [organization_id, LOCK])
        before = {
            (row.plan_id, row.stage, row.metric): row
            for row in PlanDrift.objects.for_org(organization)
        }
        new = []
        for row in measured:
            row.computed_at = now
            if row.at_risk:
                previous = before.get((row.plan_id, row.stage, row.metric))
                if previous and previous.direction == row.direction and previous.since:
                    row.since = previous.since
                else:
                    row.since = today
                    new.append(row)
        PlanDrift.objects.for_org(organization).delete()
        PlanDrift.objects.bulk_create(measured)
        _announce(organization, new)
    return len(measured)


def _cohorts(
    organization: Organization, plans: list[Assumptions], window: int, today: date
) -> dict[tuple[str, ...], dict[str, list[Entry]]]:
    """The cohorts of each funnel the plans measure (usually one), lead by lead, over the
    longest window any of their pairs needs."""
    found: dict[tuple[str, ...], dict[str, list[Entry]]] = {}
    for stages in {tuple(a.stages) for a in plans}:
        lag = max(drift.maturity(a_days) for a in plans if tuple(a.stages) == stages
                  for a_days in a.days)  # fmt: skip
        found[stages] = cohort_entries(
            organization=organization,
            stages=list(stages),
            start=today - timedelta(days=window + lag),
            end=today,
        )
    return found


def _plan_rows(
    organization: Organization,
    plan: Plan,
    assumed: Assumptions,
    cohorts: dict[str, list[Entry]],
    window: int,
    today: date,
) -> list[PlanDrift]:
    """Each pair's rate and stage time against its cohort, with what a drift means."""
    targets = plan_target_rows(organization, plan, stage=assumed.stages[-1], channel="")
    ahead = drift.customers_ahead(
        {row["month"].strftime("%Y-%m"): row["target"] for row in targets}, today
    )
    rows = []
    for index, pair in enumerate(assumed.pairs):
        days = assumed.days[index]
        start, end = drift.cohort_window(today, window, days)
        cohort = drift.in_window(cohorts.get(pair, []), start, end)
        for measure in (
            drift.measure_rate(cohort, assumed.rates[index]),
            drift.measure_days(cohort, days),
        ):
            if measure is None:
                continue
            customers = _impact(measure, ahead, assumed, index) if measure.drifts else 0
            rows.append(PlanDrift(
                organization=organization, plan=plan, stage=pair, position=index,
                metric=measure.metric, assumed=measure.assumed, measured=measure.measured,
                low=measure.low, high=measure.high, sample=measure.sample,
                direction=measure.direction, customers_delta=customers,
                revenue_delta=drift.revenue(customers, assumed.deal_size),
                window_days=window, window_start=start, window_end=end,
            ))  # fmt: skip
    return rows


def _impact(
    measure: drift.Measure, ahead: list[drift.Ahead], assumed: Assumptions, index: int
) -> int:
    """Whole customers gained (negative: missed) of those the plan still expects."""
    assert measure.measured is not None  # a drift is measured
    if measure.metric == drift.RATE:
        return drift.whole(drift.rate_impact(ahead, assumed.rates, index, measure.measured))
    return drift.whole(drift.days_impact(ahead, measure.measured - measure.assumed))


def _announce(organization: Organization, rows: list[PlanDrift]) -> None:
    """Tell the plan's people of each new drift, in the recompute's transaction."""
    if not rows:
        return
    recipients = tuple(
        Membership.objects.for_org(organization)
        .filter(role__in=TOLD)
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )
    names = lifecycle_stage_names(organization)
    for row in rows:
        announce(Happening(
            organization_id=organization.pk, kind=Kind.PLAN_AT_RISK,
            key=f"plan.at_risk:{row.plan_id}:{row.stage}:{row.metric}:{row.direction}:"
                f"{row.since:%Y-%m-%d}",
            data=happening_data(row, stage_name=pair_named(row.stage, names),
                                currency=organization.currency),
            recipients=recipients, link=f"/plans/{row.plan_id}/",
        ))  # fmt: skip


def happening_data(row: PlanDrift, *, stage_name: str, currency: str) -> dict[str, Any]:
    """What `plan.at_risk` says (the webhook's payload, the notification's words)."""
    return {
        "plan_id": row.plan_id, "plan_name": row.plan.name, "stage": row.stage,
        "stage_name": stage_name, "metric": row.metric, "direction": row.direction,
        "assumed": row.assumed, "measured": row.measured, "low": row.low, "high": row.high,
        "confidence": drift.CONFIDENCE, "sample": row.sample,
        "window_start": row.window_start, "window_end": row.window_end,
        "customers_delta": row.customers_delta, "revenue_delta": row.revenue_delta,
        "currency": currency,
    }  # fmt: skip


def organisations_with_active_plans() -> list[int]:
    """The organisations the nightly recompute measures."""
    return sorted(
        set(
            Plan.objects.filter(status=Plan.Status.ACTIVE).values_list("organization_id", flat=True)
        )
    )
