"""The history of a metric in a scope (from the KPI facts, the persona facts or the deals,
through their apps' selectors) and the plan's figure for it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from crm.selectors import product_deal_months
from funnel.models import Plan
from funnel.selectors import active_plan, plan_target_rows
from kpis.selectors import kpi_sums, persona_fact_months, response_months
from objectives.metrics import ObjectiveMetric
from objectives.models import Objective
from orgs.models import Organization, Role
from personas.selectors import persona_names

# The team each role belongs to: who makes an objective shared. Admins and leadership may
# own objectives but belong to neither team.

TEAM_OF_ROLE = {
    Role.MARKETING_MANAGER: "marketing",
    Role.SALES_MANAGER: "sales",
    Role.SALES_REP: "sales",
}
# The plan's stage of a stage-count metric; None: the plan's first (leads) or last stage.
PLAN_STAGES = {"leads": None, "mqls": "mql", "sqls": "sql", "opportunities": "opportunity"}


@dataclass(frozen=True)
class Scope:
    """What an objective measures in: one of a channel (id and code), a campaign, a persona
    or a product, or nothing (the whole organisation)."""

    kind: str = ""  # "", channel, campaign, persona, product
    channel_id: int | None = None
    channel_code: str | None = None
    campaign_id: int | None = None
    persona_id: int | None = None
    product: str = ""
    label: str = ""  # its name as people read it

    @classmethod
    def of(cls, objective: Objective) -> Scope:
        if objective.channel_id:
            channel = objective.channel
            assert channel is not None
            return cls(
                "channel", channel_id=channel.pk, channel_code=channel.code, label=channel.name
            )
        if objective.campaign_id:
            campaign = objective.campaign
            assert campaign is not None
            return cls("campaign", campaign_id=campaign.pk, label=campaign.name)
        if objective.persona_id:
            names = persona_names(objective.organization, [objective.persona_id])
            return cls(
                "persona",
                persona_id=objective.persona_id,
                label=names.get(objective.persona_id, ""),
            )
        if objective.product:
            return cls("product", product=objective.product, label=objective.product)
        return cls()


def _fact_parts(row: Mapping[str, Any]) -> dict[str, Any]:
    """A month's parts from its summed KPI facts."""
    reached = row.get("reached") or {}
    won, lost = row["won_deals"], row["lost_deals"]
    return {
        "leads": row["leads"],
        "mqls": reached.get("mql", 0),
        "sqls": reached.get("sql", 0),
        "opportunities": reached.get("opportunity", 0),
        "new_customers": row["new_customers"],
        "won_revenue": row["won_revenue"],
        "won_deals": won,
        "lost_deals": lost,
        "closed_deals": won + lost,
        "cost": row["cost"],
        "net_revenue": row["won_revenue"] - row["cost"],
        "customers": row["customers"],
        "repeat_deals": row["repeat_deals"],
        "reactivated_customers": row["reactivated_customers"],
        "cycle_days": row["cycle_days"],
        "cycle_deals": row["cycle_deals"],
        "handed_over": row["handed_over"],
    }


def _closed(months: dict[date, dict[str, Any]]) -> dict[date, dict[str, Any]]:
    for row in months.values():
        row["closed_deals"] = row.get("won_deals", 0) + row.get("lost_deals", 0)
    return months


def metric_history(
    organization: Organization,
    metric: ObjectiveMetric,
    scope: Scope,
    *,
    start: date,
    end: date,
    owner: int | None = None,
    memo: dict[Any, Any] | None = None,
) -> dict[date, dict[str, Any]]:
    """The parts of `metric` per month from `start` to `end` (first days), in `scope` and,
    given a user id, of that owner's records only. One or two queries; none when `memo`
    (a dict kept over many reads, as a refresh of every objective does) holds the answer of
    the same source, scope, owner and months: one read of the KPI facts serves every metric
    they count."""
    if memo is None:
        return _metric_history(organization, metric, scope, start=start, end=end, owner=owner)
    key = (_source(metric, scope), scope, owner, start, end)
    if key not in memo:
        memo[key] = _metric_history(organization, metric, scope, start=start, end=end, owner=owner)
    return memo[key]


def _source(metric: ObjectiveMetric, scope: Scope) -> str:
    if scope.kind == "product":
        return "deals"
    if scope.kind == "persona" or metric.code.startswith("fit_share"):
        return "persona_facts"
    return "response" if metric.code == "response" else "facts"


def _metric_history(
    organization: Organization,
    metric: ObjectiveMetric,
    scope: Scope,
    *,
    start: date,
    end: date,
    owner: int | None = None,
) -> dict[date, dict[str, Any]]:
    if scope.kind == "product":
        return _closed(
            product_deal_months(organization, product=scope.product, start=start, end=end)
        )
    if scope.kind == "persona" or metric.code.startswith("fit_share"):
        return _closed(
            persona_fact_months(
                organization,
                start=start,
                end=end,
                channel=scope.channel_code,
                campaign=scope.campaign_id,
                persona=scope.persona_id,
            )
        )
    if metric.code == "response":
        return response_months(
            organization,
            start=start,
            end=end,
            channel=scope.channel_code,
            campaign=scope.campaign_id,
        )
    rows = kpi_sums(
        organization,
        group_by="month",
        start=start,
        end=end,
        channel=scope.channel_code,
        campaign=scope.campaign_id,
        owner=owner,
    )
    return {row["key"]: _fact_parts(row) for row in rows}


@dataclass(frozen=True)
class PlanFigure:
    plan_id: int
    plan_name: str
    figure: Decimal | None  # None: the plan has no figure for this metric and scope


def plan_of(organization: Organization, plan_id: int | None) -> Plan | None:
    """The plan an objective serves: the one given (of this organisation), else the active."""
    if plan_id:
        return Plan.objects.for_org(organization).filter(pk=plan_id).first()
    return active_plan(organization)


def plan_figure(
    organization: Organization,
    plan: Plan,
    metric: ObjectiveMetric,
    scope: Scope,
    *,
    first: date,
    last: date,
) -> PlanFigure:
    """What the plan asks of `metric` over the months from `first` to `last`: the stage
    targets added up (leads, MQLs, SQLs, opportunities, new customers; in all channels, or
    the scope's channel), or the revenue goal's share of those months (by the plan's monthly
    customer targets). None for other metrics and scopes the plan does not plan in."""
    none = PlanFigure(plan.pk, str(plan), None)
    stages = plan.result.get("inputs_used", {}).get("stages") or []
    if not stages or scope.kind not in ("", "channel"):
        return none
    if metric.code in PLAN_STAGES:
        stage = PLAN_STAGES[metric.code] or stages[0]
    elif metric.code in ("new_customers", "won_revenue") and scope.kind == "":
        stage = stages[-1]
    else:
        return none
    if stage not in stages:
        return none
    channel = scope.channel_code or ""
    rows = plan_target_rows(organization, plan, channel=channel, stage=stage)
    inside = sum(r["target"] for r in rows if first <= r["month"] <= last)
    if metric.code != "won_revenue":
        return PlanFigure(plan.pk, str(plan), Decimal(inside))
    everything = sum(r["target"] for r in rows)
    goal = Decimal(str(plan.result.get("revenue_goal") or 0))
    share = Decimal(inside) / Decimal(everything) if everything else Decimal(0)
    return PlanFigure(plan.pk, str(plan), (goal * share).quantize(Decimal("0.01")))


def plan_month_profile(
    organization: Organization, plan: Plan, metric: ObjectiveMetric, scope: Scope
) -> dict[date, Decimal]:
    """The plan's monthly targets of the stage behind `metric` (for the season of what is
    expected by now), or {} where the plan has none."""
    stages = plan.result.get("inputs_used", {}).get("stages") or []
    if not stages or scope.kind not in ("", "channel"):
        return {}
    stage = PLAN_STAGES.get(metric.code) or (
        stages[-1] if metric.code in ("new_customers", "won_revenue") else None
    )
    if metric.code == "leads":
        stage = stages[0]
    if stage is None:
        return {}
    rows = plan_target_rows(organization, plan, channel=scope.channel_code or "", stage=stage)
    return {r["month"]: Decimal(r["target"]) for r in rows}
