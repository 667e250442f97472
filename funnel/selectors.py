"""Reads of plans and of plans against the KPI facts (read through kpis.selectors); every
query scoped to one organisation."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from crm.selectors import channel_names as crm_channel_names
from crm.selectors import funnel_stage_codes, lifecycle_stage_names, pipeline_stage_names
from funnel.assumptions import NO_CHANNEL
from funnel.models import Plan, PlanTarget
from funnel.tracking import PROJECT_FROM, Progress, progress
from kpis.selectors import fact_total, month_channel_sums
from orgs.models import Organization


def active_plan(organization: Organization) -> Plan | None:
    """The plan the organisation measures itself against: its newest active one."""
    return (
        Plan.objects.for_org(organization)
        .filter(status=Plan.Status.ACTIVE)
        .order_by("-created_at")
        .first()
    )


def channel_names(organization: Organization) -> dict[str, str]:
    """Channel code -> name, with the key of leads without a channel named too."""
    names = crm_channel_names(organization)
    names[NO_CHANNEL] = str(_("No channel"))
    return names


def display_names(organization: Organization) -> dict[str, Any]:
    """What pages show instead of codes: channel, lifecycle and pipeline stage names, and
    the key of leads without a channel (`{{ row.channel|default:no_channel|named:... }}`)."""
    return {
        "channel_names": channel_names(organization),
        "stage_names": lifecycle_stage_names(organization),
        "pipeline_names": pipeline_stage_names(organization),
        "no_channel": NO_CHANNEL,
    }


def actual_counts(
    organization: Organization, first: date, last: date, stages: list[str]
) -> dict[tuple[str, str, str], int]:
    """(month 'YYYY-MM', stage, channel code or '' for all) -> leads that reached the stage."""
    counts: dict[tuple[str, str, str], int] = defaultdict(int)
    for row in month_channel_sums(organization, first=first, last=last, reached=stages):
        month = row["month"].strftime("%Y-%m")
        for stage in stages:
            count = row["reached"][stage]
            counts[(month, stage, row["channel_code"] or NO_CHANNEL)] += count
            counts[(month, stage, "")] += count
    return counts


def plan_target_rows(
    organization: Organization,
    plan: Plan,
    *,
    month: date | None = None,
    channel: str | None = None,
    stage: str | None = None,
) -> QuerySet[PlanTarget, dict[str, Any]]:
    """The plan's targets as rows of {month, stage, channel, target}, in order (to page)."""
    rows = PlanTarget.objects.for_org(organization).filter(plan=plan)
    if month:
        rows = rows.filter(month=month)
    if channel is not None:
        rows = rows.filter(channel=channel)
    if stage:
        rows = rows.filter(stage=stage)
    return rows.order_by("month", "stage", "channel").values("month", "stage", "channel", "target")


def with_actuals(
    organization: Organization, plan: Plan, rows: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Target rows with `actual` beside each: the leads that reached the stage in the month,
    read from the KPI facts of the rows' months only."""
    if not rows:
        return []
    stages = plan.result.get("inputs_used", {}).get("stages") or funnel_stage_codes(organization)
    months = [row["month"] for row in rows]
    actual = actual_counts(organization, min(months), max(months), stages)
    return [
        {
            **row,
            "actual": actual.get((row["month"].strftime("%Y-%m"), row["stage"], row["channel"]), 0),
        }
        for row in rows
    ]


def plan_targets(
    organization: Organization,
    plan: Plan,
    *,
    month: date | None = None,
    channel: str | None = None,
    stage: str | None = None,
) -> list[dict[str, Any]]:
    """Rows of {month, stage, channel, target, actual}: the plan's targets beside the CRM.
    Early stages' targets start before the plan does: leads need time to get through."""
    rows = plan_target_rows(organization, plan, month=month, channel=channel, stage=stage)
    return with_actuals(organization, plan, list(rows))


def plan_progress(
    organization: Organization, plan: Plan, *, today: date, channel: str = ""
) -> list[tuple[str, Progress]]:
    """Per stage of the plan: target, actual, variance, pace needed and projection."""
    targets: dict[str, dict[str, int]] = defaultdict(dict)
    actuals: dict[str, dict[str, int]] = defaultdict(dict)
    for row in plan_targets(organization, plan, channel=channel):
        month = row["month"].strftime("%Y-%m")
        targets[row["stage"]][month] = row["target"]
        actuals[row["stage"]][month] = row["actual"]
    stages = plan.result.get("inputs_used", {}).get("stages") or list(targets)
    return [(s, progress(targets[s], actuals[s], today)) for s in stages if s in targets]


def _channel_key(code: str | None) -> str:
    return code if code is not None else NO_CHANNEL


def plan_budget(organization: Organization, plan: Plan, *, today: date) -> dict[str, Any]:
    """The plan's budget (its lead targets priced at each channel's cost per lead) by month
    and channel, beside the campaign spend recorded so far in the same months."""
    costs = {
        str(c.get("code")): Decimal(str(c.get("cost_per_lead") or 0))
        for c in plan.result.get("inputs_used", {}).get("channels") or []
        if isinstance(c, dict)
    }
    first_stage = (plan.result.get("inputs_used", {}).get("stages") or [None])[0]
    targets = PlanTarget.objects.for_org(organization).filter(plan=plan, stage=first_stage)
    budget: dict[tuple[date, str], Decimal] = defaultdict(Decimal)
    for row in targets.exclude(channel="").values("month", "channel", "target"):
        budget[(row["month"], row["channel"])] += (
            costs.get(row["channel"], Decimal(0)) * row["target"]
        )
    months = sorted({month for month, _ in budget})
    spent: dict[tuple[date, str], Decimal] = defaultdict(Decimal)
    if months:
        last = min(months[-1], today.replace(day=1))
        for row in month_channel_sums(organization, first=months[0], last=last, sums=("cost",)):
            spent[(row["month"], _channel_key(row["channel_code"]))] += row["cost"]
    channels = sorted({code for _, code in budget})
    return {
        "months": [
            {
                "month": month,
                "budget": sum((budget[(month, c)] for c in channels), Decimal(0)),
                "spent": sum((v for (m, _), v in spent.items() if m == month), Decimal(0)),
                "over": month <= today.replace(day=1),
            }
            for month in months
        ],
        "channels": [
            {
                "channel": code,
                "cost_per_lead": costs.get(code, Decimal(0)),
                "budget": sum((v for (_, c), v in budget.items() if c == code), Decimal(0)),
                "spent": sum((v for (_, c), v in spent.items() if c == code), Decimal(0)),
            }
            for code in channels
        ],
        "total": sum(budget.values(), Decimal(0)),
        "spent": sum(spent.values(), Decimal(0)),
    }


def plan_revenue(organization: Organization, plan: Plan, *, today: date) -> dict[str, Any]:
    """The revenue goal against won revenue in the plan's months, to date (the current month
    pro-rated by the days elapsed, as every figure of plan versus actual)."""
    goal = Decimal(str(plan.result.get("revenue_goal") or 0))
    customers = PlanTarget.objects.for_org(organization).filter(
        plan=plan, stage=(plan.result.get("inputs_used", {}).get("stages") or [""])[-1], channel=""
    )
    by_month = {
        row["month"].strftime("%Y-%m"): row["target"] for row in customers.values("month", "target")
    }
    won = fact_total(
        organization,
        "won_revenue",
        first=plan.first_month,
        last=min(plan.last_month, today.replace(day=1)),
    )
    reached = progress(by_month, {}, today)
    share = (
        Decimal(reached.target_to_date) / Decimal(reached.target) if reached.target else Decimal(0)
    )
    goal_to_date = (goal * share).quantize(Decimal("0.01"))
    return {
        "goal": goal,
        "won": won,
        "goal_to_date": goal_to_date,
        "variance": won - goal_to_date,
        "projected": (won / goal_to_date * goal).quantize(Decimal("0.01"))
        if goal_to_date and goal_to_date >= goal * PROJECT_FROM
        else None,
        "share_of_goal": (won / goal) if goal else None,
    }
