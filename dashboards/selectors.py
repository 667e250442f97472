"""What each dashboard shows, composed from the stored KPI facts (reads only, a fixed number
of queries whatever the data size)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from funnel.kpis.dictionary import conversion, derive, response
from funnel.models import PipelineFact, Plan
from funnel.selectors import funnel_stages, kpi_rows, kpi_sums, plan_progress, response_minutes
from orgs.models import Organization


def _bars(rows: list[dict[str, Any]], key: str, series: list[tuple[str, str]]) -> dict[str, Any]:
    return {
        "data": [
            {
                "type": "bar",
                "name": label,
                "x": [r[key] for r in rows],
                "y": [r[field] for r in rows],
            }
            for field, label in series
        ],
        "layout": {
            "barmode": "group",
            "height": 300,
            "margin": {"l": 50, "r": 10, "t": 10, "b": 40},
        },
    }


def _active_plan(organization: Organization) -> Plan | None:
    return (
        Plan.objects.for_org(organization)
        .filter(status=Plan.Status.ACTIVE)
        .order_by("-created_at")
        .first()
    )


def marketing(
    organization: Organization, *, start: date, end: date, channel: str | None
) -> dict[str, Any]:
    period: dict[str, Any] = {"start": start, "end": end, "channel": channel}
    months = kpi_rows(organization, group_by="month", **period)
    plan = _active_plan(organization)
    return {
        "totals": derive(kpi_sums(organization, group_by=None, **period)[0]),
        "by_channel": kpi_rows(organization, group_by="channel", **period),
        "by_campaign": kpi_rows(organization, group_by="campaign", **period),
        "chart": _bars(months, "month", [("leads", _("Leads")), ("mqls", _("MQLs"))]),
        "plan": plan,
        "pace": plan_progress(organization, plan, today=timezone.localdate(), channel=channel or "")
        if plan
        else [],
        "table": ("by_channel", "channel"),
    }


def sales(
    organization: Organization, *, start: date, end: date, channel: str | None
) -> dict[str, Any]:
    period: dict[str, Any] = {"start": start, "end": end, "channel": channel}
    stages = funnel_stages(organization)
    sums = kpi_sums(organization, group_by=None, stages=stages, **period)[0]
    months = kpi_rows(organization, group_by="month", **period)
    handed_over, minutes = response_minutes(organization, **period)
    pipeline = PipelineFact.objects.for_org(organization)
    if channel:
        pipeline = pipeline.filter(channel__code=channel)
    return {
        "totals": derive(sums),
        "conversion": conversion(sums["reached"], sums["converted"], stages),
        "response": response(handed_over, minutes, organization.response_window_hours * 60),
        "pipeline": list(
            pipeline.values("stage")
            .annotate(deals=Sum("deals"), amount=Sum("amount"))
            .order_by("stage")
        ),
        "chart": _bars(months, "month", [("won_deals", _("Won")), ("lost_deals", _("Lost"))]),
        "by_month": months,
        "table": ("by_month", "month"),
    }


def leadership(
    organization: Organization, *, start: date, end: date, channel: str | None
) -> dict[str, Any]:
    period: dict[str, Any] = {"start": start, "end": end, "channel": channel}
    months = kpi_rows(organization, group_by="month", **period)
    plan = _active_plan(organization)
    return {
        "totals": derive(kpi_sums(organization, group_by=None, **period)[0]),
        "by_month": months,
        "chart": _bars(months, "month", [("won_revenue", _("Won revenue"))]),
        "plan": plan,
        "pace": plan_progress(organization, plan, today=timezone.localdate(), channel=channel or "")
        if plan
        else [],
        "table": ("by_month", "month"),
    }


DASHBOARDS = {"marketing": marketing, "sales": sales, "leadership": leadership}
