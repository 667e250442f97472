"""What each dashboard shows, composed from the stored KPI facts (reads only, a fixed number
of queries whatever the data size)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from crm.selectors import funnel_stage_codes
from dashboards.charts import bars_by_month
from funnel.selectors import (
    active_plan,
    plan_progress,
    plan_revenue,
)
from kpis.dictionary import RATE, conversion, derive, funnel_conversions, ratio, response
from kpis.selectors import kpi_rows, kpi_sums, open_pipeline, persona_rows, response_minutes
from orgs.models import Organization
from sla.compliance import agreement_covering, compliance_of
from sla.compliance_words import owes_rows, response_hours, shortfall_rows, shortfall_total
from sla.selectors import this_month_of
from sla.words import figure

# What cannot be told per owner: a campaign's cost is not split among the owners of its leads.
COST_KPIS = ("cost", "cost_per_lead", "cac", "roi")


def _per_owner(row: dict[str, Any], owner: int | None) -> dict[str, Any]:
    return row | dict.fromkeys(COST_KPIS) if owner else row


def marketing(
    organization: Organization, *, start: date, end: date, channel: str | None
) -> dict[str, Any]:
    period: dict[str, Any] = {"start": start, "end": end, "channel": channel}
    months = kpi_rows(organization, group_by="month", **period)
    plan = active_plan(organization)
    stages = funnel_stage_codes(organization)
    sums = kpi_sums(organization, group_by=None, stages=stages, **period)[0]
    by_persona = persona_rows(organization, **period)
    return {
        "totals": derive(sums) | funnel_conversions(sums, stages) | fit_totals(by_persona),
        "by_persona": by_persona,
        "personas": any(row["persona"] for row in by_persona),
        "by_channel": kpi_rows(organization, group_by="channel", stages=stages, fit=True, **period),
        "by_campaign": kpi_rows(organization, group_by="campaign", stages=stages, **period),
        "chart": bars_by_month(
            months,
            [("leads", _("Leads")), ("mqls", _("MQLs"))],
            title=_("Leads and MQLs by month"),
            unit=_("Leads"),
        ),
        "plan": plan,
        "pace": plan_progress(organization, plan, today=timezone.localdate(), channel=channel or "")
        if plan
        else [],
        "table": ("by_channel", "channel"),
    }


def fit_totals(by_persona: list[dict[str, Any]]) -> dict[str, Any]:
    """The fit shares of the whole period, from its rows per persona ("none" among them)."""
    fitting = [r for r in by_persona if r["persona"] is not None]
    leads, mqls = (sum(r[k] for r in by_persona) for k in ("leads", "mqls"))
    return {
        "fit_share_leads": ratio(sum(r["leads"] for r in fitting), leads, RATE),
        "fit_share_mqls": ratio(sum(r["mqls"] for r in fitting), mqls, RATE),
    }


def sales(
    organization: Organization,
    *,
    start: date,
    end: date,
    channel: str | None,
    owner: int | None = None,
) -> dict[str, Any]:
    period: dict[str, Any] = {"start": start, "end": end, "channel": channel, "owner": owner}
    stages = funnel_stage_codes(organization)
    sums = kpi_sums(organization, group_by=None, stages=stages, **period)[0]
    months = [_per_owner(row, owner) for row in kpi_rows(organization, group_by="month", **period)]
    handed_over, minutes = response_minutes(organization, **period)
    return {
        "totals": _per_owner(derive(sums), owner),
        "conversion": conversion(sums["reached"], sums["converted"], stages),
        "response": response(handed_over, minutes, organization.response_window_hours * 60),
        "sla": sla_in_force(organization),
        "pipeline": open_pipeline(organization, channel=channel, owner=owner),
        "chart": bars_by_month(
            months,
            [("won_deals", _("Won")), ("lost_deals", _("Lost"))],
            title=_("Deals won and lost by month"),
            unit=_("Deals"),
        ),
        "by_month": months,
        "table": ("by_month", "month"),
    }


def sla_in_force(organization: Organization) -> dict[str, Any] | None:
    """The Sales-Marketing agreement's scorecard to date, while one is in force (whatever
    the dashboard's period: the agreement's own). None without one, in one query."""
    this_month = this_month_of(organization, timezone.now())
    if agreement_covering(organization, this_month) is None:
        return None
    found = compliance_of(organization, month=None, now=timezone.now())
    if found is None:
        return None
    return {
        "found": found,
        "window": figure(found.sales["window_hours"]),
        "hours": response_hours(found),
        "owes": owes_rows(found),
        "shortfall": shortfall_rows(found),
        "total": shortfall_total(found),
    }


def leadership(
    organization: Organization,
    *,
    start: date,
    end: date,
    channel: str | None,
    owner: int | None = None,
) -> dict[str, Any]:
    period: dict[str, Any] = {"start": start, "end": end, "channel": channel, "owner": owner}
    months = [_per_owner(row, owner) for row in kpi_rows(organization, group_by="month", **period)]
    plan = active_plan(organization)
    return {
        "totals": _per_owner(derive(kpi_sums(organization, group_by=None, **period)[0]), owner),
        "by_month": months,
        "chart": bars_by_month(
            months,
            [("won_revenue", _("Won revenue"))],
            title=_("Won revenue by month"),
            unit=organization.currency,
        ),
        "plan": plan,
        "pace": plan_progress(organization, plan, today=timezone.localdate(), channel=channel or "")
        if plan
        else [],
        # The revenue goal against won revenue heads leadership's view (the whole plan).
        "revenue": plan_revenue(organization, plan, today=timezone.localdate()) if plan else None,
        "sla": sla_in_force(organization),
        "table": ("by_month", "month"),
    }


DASHBOARDS: dict[str, Callable[..., dict[str, Any]]] = {
    "marketing": marketing,
    "sales": sales,
    "leadership": leadership,
}
BY_OWNER = {"sales", "leadership"}  # marketing's numbers are its campaigns', which have no owner
