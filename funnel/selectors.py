"""Reads of the KPI facts and of plans against them; every query scoped to one organisation."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import DecimalField, F, IntegerField, Max, Min, QuerySet, Sum, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce
from django.utils.translation import gettext as _

from crm.models import ChangedCell
from crm.selectors import channel_names as crm_channel_names
from crm.selectors import funnel_stage_codes, lifecycle_stage_names, pipeline_stage_names
from funnel.assumptions import NO_CHANNEL
from funnel.kpis.dictionary import SUMMED, derive, funnel_conversions
from funnel.models import KpiFact, KpiState, Plan, PlanTarget
from funnel.tracking import PROJECT_FROM, Progress, progress
from orgs.models import Organization
from smarketing.lib.api_conventions import json_bytes
from smarketing.lib.prepared import fetch_one_prepared

GROUPS = {
    "month": "month",
    "channel": "channel__code",
    "campaign": "campaign_id",
}
KPI_STAGES = ("mql", "sql", "opportunity")  # the stage counts every KPI row carries
KPI_CACHE_SECONDS = 3600  # an answer outlives its version by at most this: memory, not freshness


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


def _facts(
    organization: Organization,
    start: date | None,
    end: date | None,
    channel: str | None,
    owner: int | None = None,
) -> QuerySet[KpiFact]:
    facts = KpiFact.objects.for_org(organization)
    if start:
        facts = facts.filter(month__gte=start.replace(day=1))
    if end:
        facts = facts.filter(month__lte=end)
    if channel:
        facts = facts.filter(channel__code=channel)
    if owner:
        facts = facts.filter(owner_id=owner)
    return facts


def _sum(name: str) -> Coalesce:
    field = KpiFact._meta.get_field(name)
    if isinstance(field, DecimalField):
        money: DecimalField = DecimalField(
            max_digits=field.max_digits, decimal_places=field.decimal_places
        )
        return Coalesce(Sum(name), Value(Decimal(0)), output_field=money)
    return Coalesce(Sum(name), Value(0), output_field=IntegerField())


def _stage_sum(field: str, code: str) -> Coalesce:
    return Coalesce(Sum(Cast(KT(f"{field}__{code}"), IntegerField())), 0)


def kpi_sums(
    organization: Organization,
    *,
    group_by: str | None,
    start: date | None = None,
    end: date | None = None,
    channel: str | None = None,
    owner: int | None = None,
    stages: tuple[str, ...] | list[str] = KPI_STAGES,
) -> list[dict[str, Any]]:
    """Summed facts per group (month, channel code or campaign id; one row for None)."""
    facts = _facts(organization, start, end, channel, owner)
    sums: dict[str, Any] = {name: _sum(name) for name in SUMMED}
    sums |= {f"reached__{code}": _stage_sum("reached", code) for code in stages}
    sums |= {f"converted__{code}": _stage_sum("converted", code) for code in stages}
    rows: list[dict[str, Any]]
    if group_by:
        keys: dict[str, Any] = {"key": F(GROUPS[group_by])}
        if group_by == "campaign":
            keys["campaign_name"] = F("campaign__name")
        rows = list(facts.values(**keys).annotate(**sums).order_by("key"))
    else:
        rows = [facts.aggregate(**sums)]
    for row in rows:
        row["reached"] = {code: row.pop(f"reached__{code}") for code in stages}
        row["converted"] = {code: row.pop(f"converted__{code}") for code in stages}
    return rows


def kpi_rows(
    organization: Organization,
    *,
    group_by: str,
    start: date | None = None,
    end: date | None = None,
    channel: str | None = None,
    owner: int | None = None,
    stages: list[str] | None = None,
) -> list[dict[str, Any]]:
    """The KPIs per group, for /api/v1/kpis/ and the dashboards' tables; given the funnel's
    `stages`, each row has their conversions too."""
    rows = []
    sums = kpi_sums(
        organization,
        group_by=group_by,
        start=start,
        end=end,
        channel=channel,
        owner=owner,
        stages=stages or KPI_STAGES,
    )
    for row in sums:
        key = row["key"]
        if group_by == "month":
            key = key.strftime("%Y-%m")
        head: dict[str, Any] = {group_by: key}
        if group_by == "campaign":
            head["campaign_name"] = row["campaign_name"]
        rows.append(head | derive(row) | (funnel_conversions(row, stages) if stages else {}))
    return rows


def response_minutes(
    organization: Organization,
    *,
    start: date | None = None,
    end: date | None = None,
    channel: str | None = None,
    owner: int | None = None,
) -> tuple[int, list[int]]:
    """Leads handed over to sales in the period, and the minutes each answered one waited."""
    facts = _facts(organization, start, end, channel, owner)
    handed_over = facts.aggregate(n=Coalesce(Sum("handed_over"), 0))["n"]
    minutes: list[int] = []
    for values in facts.exclude(response_minutes=[]).values_list("response_minutes", flat=True):
        minutes.extend(values)
    return handed_over, minutes


def kpi_freshness(organization: Organization) -> tuple[Any, int, int]:
    """As of, the facts' version and the cells waiting for a recompute, in one query."""
    row = fetch_one_prepared(
        "SELECT s.as_of, COALESCE(s.version, 0), "
        "(SELECT count(*) FROM crm_changedcell WHERE organization_id = %(org)s) "
        "FROM (SELECT 1) one LEFT JOIN funnel_kpistate s ON s.organization_id = %(org)s",
        {"org": organization.pk},
    )
    as_of, version, waiting = row or (None, 0, 0)
    return as_of, version, waiting


def kpi_table_json(
    organization: Organization,
    *,
    version: int,
    group_by: str,
    start: date | None = None,
    end: date | None = None,
    channel: str | None = None,
) -> bytes:
    """The KPI rows of /api/v1/kpis/ as JSON, cached under the facts' version, which every
    recompute raises: a new version is a new key, so a cached answer is never older than the
    facts it was read with, and nothing has to invalidate it."""
    # A channel code is a slug (the query validated it), so it is safe inside a cache key.
    key = f"kpis:json:{organization.pk}:{version}:{group_by}:{start}:{end}:{channel or ''}"
    rows: bytes | None = cache.get(key)
    if rows is None:
        rows = json_bytes(
            kpi_rows(organization, group_by=group_by, start=start, end=end, channel=channel)
        )
        cache.set(key, rows, timeout=KPI_CACHE_SECONDS)
    return rows


def kpis_as_of(organization: Organization) -> tuple[Any, int]:
    """When the facts were last complete, and how many cells wait to be recomputed."""
    state = KpiState.objects.filter(organization=organization).first()
    waiting = ChangedCell.objects.for_org(organization).count()
    return (state.as_of if state else None), waiting


def actual_counts(
    organization: Organization, first: date, last: date, stages: list[str]
) -> dict[tuple[str, str, str], int]:
    """(month 'YYYY-MM', stage, channel code or '' for all) -> leads that reached the stage."""
    facts = KpiFact.objects.for_org(organization).filter(month__gte=first, month__lte=last)
    sums = {f"s__{code}": _stage_sum("reached", code) for code in stages}
    counts: dict[tuple[str, str, str], int] = defaultdict(int)
    for row in facts.values("month", code=F("channel__code")).annotate(**sums):
        month = row["month"].strftime("%Y-%m")
        for stage in stages:
            count = row[f"s__{stage}"]
            counts[(month, stage, row["code"] or NO_CHANNEL)] += count
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
        facts = KpiFact.objects.for_org(organization).filter(
            month__gte=months[0], month__lte=min(months[-1], today.replace(day=1))
        )
        for row in facts.values("month", code=F("channel__code")).annotate(cost=_sum("cost")):
            spent[(row["month"], _channel_key(row["code"]))] += row["cost"]
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
    won = (
        KpiFact.objects.for_org(organization)
        .filter(month__gte=plan.first_month, month__lte=min(plan.last_month, today.replace(day=1)))
        .aggregate(won=_sum("won_revenue"))["won"]
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


def kpi_months_span(organization: Organization) -> tuple[date, date] | None:
    """The first and last month that hold KPI facts: where the data is, for a dashboard
    whose period holds none (an import of 2017 is not in the last twelve months)."""
    span = KpiFact.objects.for_org(organization).aggregate(first=Min("month"), last=Max("month"))
    return (span["first"], span["last"]) if span["first"] else None
