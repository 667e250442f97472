"""Reads of the KPI facts and of plans against them; every query scoped to one organisation."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import DecimalField, F, IntegerField, QuerySet, Sum, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce

from crm.models import ChangedCell, LifecycleStage
from funnel.kpis.dictionary import SUMMED, derive
from funnel.models import KpiFact, KpiState, Plan, PlanTarget
from funnel.tracking import Progress, progress
from orgs.api_conventions import json_bytes
from orgs.models import Organization
from orgs.prepared import fetch_one_prepared

GROUPS = {
    "month": "month",
    "channel": "channel__code",
    "campaign": "campaign_id",
}
KPI_STAGES = ("mql", "sql", "opportunity")  # the stage counts every KPI row carries
KPI_CACHE_SECONDS = 3600  # an answer outlives its version by at most this: memory, not freshness


def funnel_stages(organization: Organization) -> list[str]:
    return list(
        LifecycleStage.objects.for_org(organization)
        .filter(is_exit=False)
        .order_by("position")
        .values_list("code", flat=True)
    )


def _facts(
    organization: Organization, start: date | None, end: date | None, channel: str | None
) -> QuerySet[KpiFact]:
    facts = KpiFact.objects.for_org(organization)
    if start:
        facts = facts.filter(month__gte=start.replace(day=1))
    if end:
        facts = facts.filter(month__lte=end)
    if channel:
        facts = facts.filter(channel__code=channel)
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
    stages: tuple[str, ...] | list[str] = KPI_STAGES,
) -> list[dict[str, Any]]:
    """Summed facts per group (month, channel code or campaign id; one row for None)."""
    facts = _facts(organization, start, end, channel)
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
) -> list[dict[str, Any]]:
    """The KPIs per group, for /api/v1/kpis/ and the dashboards' tables."""
    rows = []
    for row in kpi_sums(organization, group_by=group_by, start=start, end=end, channel=channel):
        key = row["key"]
        if group_by == "month":
            key = key.strftime("%Y-%m")
        head: dict[str, Any] = {group_by: key}
        if group_by == "campaign":
            head["campaign_name"] = row["campaign_name"]
        rows.append(head | derive(row))
    return rows


def response_minutes(
    organization: Organization,
    *,
    start: date | None = None,
    end: date | None = None,
    channel: str | None = None,
) -> tuple[int, list[int]]:
    """Leads handed over to sales in the period, and the minutes each answered one waited."""
    facts = _facts(organization, start, end, channel)
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
) -> bytes:
    """The KPI rows of /api/v1/kpis/ as JSON, cached under the facts' version, which every
    recompute raises: a new version is a new key, so a cached answer is never older than the
    facts it was read with, and nothing has to invalidate it."""
    key = f"kpis:json:{organization.pk}:{version}:{group_by}:{start}:{end}"
    rows: bytes | None = cache.get(key)
    if rows is None:
        rows = json_bytes(kpi_rows(organization, group_by=group_by, start=start, end=end))
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
            counts[(month, stage, row["code"] or "unknown")] += count
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
    stages = plan.result.get("inputs_used", {}).get("stages") or funnel_stages(organization)
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
    current = today.strftime("%Y-%m")
    return [(s, progress(targets[s], actuals[s], current)) for s in stages if s in targets]
