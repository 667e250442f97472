"""Progress against the stored facts: refreshed for one objective when it is saved, for an
organisation's objectives when its KPI facts change (coalesced, after commit), and kept
as a weekly history."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings

from kpis.selectors import kpis_as_of
from objectives.announcements import status_moved
from objectives.calculations import Progress, period_months, progress
from objectives.metrics import BY_CODE, Direction, ObjectiveMetric
from objectives.models import Objective, RepTarget, Snapshot
from objectives.selectors import (
    Scope,
    metric_history,
    plan_month_profile,
    plan_of,
)
from orgs.models import Organization
from smarketing.lib.enqueue import send_once
from smarketing.lib.months import add_months

REFRESH_TASK = "objectives.tasks.objectives_refresh_task"
# Progress is refreshed for objectives whose period ended less than this long ago: a late
# deal can still change a month just over.
REFRESH_AFTER_END = timedelta(days=62)


def _season(
    objective: Objective, metric: ObjectiveMetric, scope: Scope, months: list[date],
    memo: dict[Any, Any],
) -> dict[date, Decimal]:  # fmt: skip
    """Each month's weight in what is expected by now: the plan's monthly targets where the
    plan plans this metric, else the same months a year earlier, else none (equal)."""
    if ("plan", objective.plan_id) not in memo:
        memo[("plan", objective.plan_id)] = plan_of(objective.organization, objective.plan_id)
    plan = memo[("plan", objective.plan_id)]
    if plan is not None:
        key = ("profile", plan.pk, metric.code, scope)
        if key not in memo:
            memo[key] = plan_month_profile(objective.organization, plan, metric, scope)
        if any(memo[key].get(m) for m in months):
            return memo[key]
    year_before = metric_history(
        objective.organization, metric, scope,
        start=add_months(months[0], -12), end=add_months(months[-1], -12), memo=memo,
    )  # fmt: skip
    return {
        m: Decimal(metric.value([year_before.get(add_months(m, -12), {})]) or 0) for m in months
    }


def _progress_of(
    objective: Objective, *, target: Decimal, today: date, owner: int | None = None,
    season: Mapping[date, Decimal] | None = None, memo: dict[Any, Any] | None = None,
) -> Progress:  # fmt: skip
    metric = BY_CODE[objective.metric]
    scope = Scope.of(objective)
    end = min(objective.last_month, today.replace(day=1))
    actuals = (
        metric_history(objective.organization, metric, scope, start=objective.first_month,
                       end=end, owner=owner, memo=memo)
        if end >= objective.first_month
        else {}
    )  # fmt: skip
    return progress(
        metric, target=target, direction=Direction(objective.direction),
        first=objective.first_month, last=objective.last_month, actuals=actuals, today=today,
        profile=season,
    )  # fmt: skip


def refresh_progress(
    objective: Objective, *, today: date, memo: dict[Any, Any] | None = None
) -> Progress:
    """Read the objective's progress (and its reps') from the stored facts, keep it, and
    write this week's point of its history. `memo` shares reads among many objectives."""
    memo = {} if memo is None else memo
    metric = BY_CODE[objective.metric]
    months = period_months(objective.first_month, objective.last_month)
    scope = Scope.of(objective)
    season = _season(objective, metric, scope, months, memo) if metric.kind == "sum" else None
    found = _progress_of(objective, target=objective.target, today=today, season=season,
                         memo=memo)  # fmt: skip
    if "as_of" not in memo:
        memo["as_of"] = kpis_as_of(objective.organization)[0]
    as_of = memo["as_of"]
    before = objective.status
    objective.progress = found.as_json()
    objective.status = found.status
    objective.progress_as_of = as_of
    objective.save(update_fields=["progress", "status", "progress_as_of"])
    if objective.status != before:
        status_moved(objective, before=before, today=today)
    week = today - timedelta(days=today.weekday())
    Snapshot.objects.update_or_create(
        organization=objective.organization, objective=objective, week=week,
        defaults={"actual": found.actual, "expected": found.expected,
                  "projected": found.projected, "status": found.status},
    )  # fmt: skip
    for rep in RepTarget.objects.filter(
        organization=objective.organization, objective=objective
    ).select_related("membership"):
        mine = _progress_of(objective, target=rep.target, today=today,
                            owner=rep.membership.user_id, season=season, memo=memo)  # fmt: skip
        rep.progress, rep.status = mine.as_json(), mine.status
        rep.save(update_fields=["progress", "status"])
    return found


def objectives_refresh(*, organization_id: int, today: date) -> int:
    """Refresh the progress of the organisation's objectives that are running, or ended
    lately; how many."""
    organization = Organization.objects.get(pk=organization_id)
    live = Objective.objects.for_org(organization).filter(
        last_month__gte=(today - REFRESH_AFTER_END).replace(day=1)
    ).select_related("organization", "channel", "campaign")  # fmt: skip
    count, memo = 0, {}  # type: ignore[var-annotated]
    for objective in live:
        refresh_progress(objective, today=today, memo=memo)
        count += 1
    return count


def scheduled_key(organization_id: int) -> str:
    return f"objectives:scheduled:{organization_id}"


def objectives_schedule(*, organization_id: int) -> bool:
    """Send one refresh for the organisation unless one is already waiting (changes within
    OBJECTIVES_COALESCE_SECONDS share it); True if sent."""
    return send_once(scheduled_key(organization_id), REFRESH_TASK, organization_id,
                     delay=settings.OBJECTIVES_COALESCE_SECONDS)  # fmt: skip
