"""Reads for objectives: the history of a metric in a scope (from the KPI facts, persona
facts or deals, through their apps' selectors), the plan's figure for it, the members and
their teams, the objectives themselves and the joint scorecard. Every query is scoped to one
organisation."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from crm.selectors import channel_names, deal_products, product_deal_months, related_choices
from funnel.models import Plan
from funnel.selectors import active_plan, plan_target_rows
from kpis.selectors import kpi_sums, owner_totals, persona_fact_months, response_months
from objectives.calculations import period_months
from objectives.metrics import ObjectiveMetric
from objectives.models import Objective, Owner, RepTarget, Snapshot
from orgs.models import Membership, Organization, Role
from personas.selectors import approved_persona_names, persona_names
from smarketing.lib.months import add_months

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


def members_of(organization: Organization, ids: Iterable[int]) -> dict[int, Membership]:
    """The organisation's memberships among `ids`, with their users. One query."""
    return {
        m.pk: m
        for m in Membership.objects.for_org(organization)
        .filter(pk__in=list(ids))
        .select_related("user")
    }


def team_of(role: str) -> str | None:
    return TEAM_OF_ROLE.get(Role(role)) if role in Role.values else None


def approved_personas(organization: Organization) -> dict[int, str]:
    return approved_persona_names(organization)


def weights_elsewhere(
    organization: Organization,
    membership_ids: list[int],
    *,
    first: date,
    last: date,
    exclude: int | None = None,
) -> dict[int, dict[date, Decimal]]:
    """Per member, per month of the period, the incentive weight they already carry on the
    organisation's other objectives covering that month."""
    owners = Owner.objects.for_org(organization).filter(
        membership_id__in=membership_ids,
        objective__first_month__lte=last,
        objective__last_month__gte=first,
    )
    if exclude:
        owners = owners.exclude(objective_id=exclude)
    carried: dict[int, dict[date, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for member, weight, start, end in owners.values_list(
        "membership_id", "weight", "objective__first_month", "objective__last_month"
    ):
        for month in period_months(max(start, first), min(end, last)):
            carried[member][month] += weight
    return carried


def objectives_of(
    organization: Organization,
    *,
    status: str | None = None,
    owner: int | None = None,
    shared: bool | None = None,
    first: date | None = None,
    last: date | None = None,
) -> QuerySet[Objective]:
    """The organisation's objectives with their scope, owners (and their users) and rep
    targets: filtered by status, by an owner (a membership id), by whether they are shared,
    and to those whose period overlaps the months from `first` to `last`."""
    objectives = Objective.objects.for_org(organization).select_related(
        "channel", "campaign", "plan"
    )
    if status:
        objectives = objectives.filter(status=status)
    if owner:
        objectives = objectives.filter(owners__membership_id=owner)
    if first:
        objectives = objectives.filter(last_month__gte=first)
    if last:
        objectives = objectives.filter(first_month__lte=last)
    if shared is not None:
        objectives = objectives.filter(shared=shared)
    return objectives.prefetch_related(
        Prefetch("owners", queryset=Owner.objects.select_related("membership__user")),
        Prefetch("rep_targets", queryset=RepTarget.objects.select_related("membership__user")),
    ).distinct()


def last_year_shares(
    organization: Organization,
    metric: ObjectiveMetric,
    members: Mapping[int, Membership],
    *,
    today: date,
) -> dict[int, Decimal]:
    """Per membership, its user's total of `metric` over the twelve complete months before
    today's (their won revenue, new customers ...): how a team target splits by last year's
    wins. One query."""
    end = add_months(today.replace(day=1), -1)
    name = {"mqls": "mql", "sqls": "sql", "opportunities": "opportunity"}.get(
        metric.code, metric.numerator
    )
    totals = owner_totals(
        organization,
        name,
        start=add_months(end, -11),
        end=end,
        owners=[m.user_id for m in members.values()],
    )
    return {pk: Decimal(totals.get(m.user_id) or 0) for pk, m in members.items()}


def snapshots_of(objective: Objective) -> list[dict[str, Any]]:
    """The objective's weekly progress, oldest first."""
    return list(
        Snapshot.objects.filter(organization_id=objective.organization_id, objective=objective)
        .order_by("week")
        .values("week", "actual", "expected", "projected", "status")
    )


def rep_targets_of(organization: Organization, membership: Membership) -> QuerySet[RepTarget]:
    """A rep's targets on the objectives not over for long (their home page), newest first."""
    return (
        RepTarget.objects.for_org(organization)
        .filter(membership=membership)
        .select_related("objective")
        .order_by("-objective__last_month", "objective__title")
    )


def scorecard(organization: Organization, *, first: date, last: date) -> dict[str, Any]:
    """The joint scorecard of the objectives whose period overlaps the months from `first`
    to `last`: shared ones first, then marketing's, sales' and the others (by their owners'
    teams), and per team the incentive weight its owners carry in all and on shared
    objectives (the share that ties the two teams together)."""
    objectives = list(objectives_of(organization, first=first, last=last).order_by("title", "pk"))
    groups: dict[str, list[Objective]] = {"shared": [], "marketing": [], "sales": [], "other": []}
    weight: dict[str, Decimal] = defaultdict(Decimal)
    on_shared: dict[str, Decimal] = defaultdict(Decimal)
    for objective in objectives:
        owned_by = {team_of(o.membership.role) for o in objective.owners.all()} - {None}
        group = (
            "shared" if objective.shared else (owned_by.pop() if len(owned_by) == 1 else "other")
        )
        groups[str(group)].append(objective)
        for owner in objective.owners.all():
            team = team_of(owner.membership.role)
            if team:
                weight[team] += owner.weight
                if objective.shared:
                    on_shared[team] += owner.weight
    teams = {
        team: {
            "weight": weight[team],
            "on_shared": on_shared[team],
            "share_on_shared": (on_shared[team] / weight[team]).quantize(Decimal("0.0001"))
            if weight[team]
            else None,
        }
        for team in ("marketing", "sales")
    }
    return {"groups": groups, "teams": teams}


@dataclass(frozen=True)
class EditorChoices:
    """What an objective's editor offers, all of one organisation: the scopes (channels by
    code, campaigns and approved personas by id, the products deals name), the plans and
    the members who may own it."""

    channels: list[tuple[str, str]]
    campaigns: list[tuple[int, str]]
    personas: list[tuple[int, str]]
    products: list[str]
    plans: list[tuple[int, str]]
    members: dict[int, Membership]


def editor_choices(organization: Organization, objective: Objective | None = None) -> EditorChoices:
    """The editor's choices; an edited objective keeps its own scope and plan among them
    even when they would no longer be offered (a persona no longer approved, a product no
    deal names any more). Six queries."""
    channels = sorted(channel_names(organization).items(), key=lambda item: item[1].casefold())
    campaigns = related_choices("campaign", organization)
    assert campaigns is not None
    personas = approved_personas(organization)
    products = deal_products(organization)
    if objective is not None:
        if objective.persona_id and objective.persona_id not in personas:
            personas |= persona_names(organization, [objective.persona_id])
        if objective.product and objective.product not in products:
            products.append(objective.product)
    kept = Q(pk=objective.plan_id) if objective is not None and objective.plan_id else Q(pk=None)
    plans = (
        Plan.objects.for_org(organization)
        .filter(~Q(status=Plan.Status.ARCHIVED) | kept)
        .order_by("-first_month", "name", "-version")
    )
    members = Membership.objects.for_org(organization).select_related("user")
    return EditorChoices(
        channels=channels,
        campaigns=list(campaigns.order_by("name", "pk").values_list("pk", "name")),
        personas=sorted(personas.items(), key=lambda item: item[1].casefold()),
        products=products,
        plans=[(plan.pk, f"{plan} · {plan.get_status_display()}") for plan in plans],
        members={m.pk: m for m in sorted(members, key=lambda m: str(m.user).casefold())},
    )


def plans_to_propose_from(organization: Organization) -> list[Plan]:
    """The plans an editor may draw objectives from (not archived), the active first."""
    plans = Plan.objects.for_org(organization).exclude(status=Plan.Status.ARCHIVED)
    return sorted(
        plans, key=lambda p: (p.status != Plan.Status.ACTIVE, -p.first_month.toordinal(), p.name)
    )


def scope_labels(organization: Organization, objectives: Iterable[Objective]) -> dict[int, str]:
    """Each objective's scope as people name it (a channel's, campaign's, persona's or
    product's name; "" for the whole organisation), by objective id. At most two queries,
    whatever the number of objectives (their channels and campaigns are selected with them)."""
    objectives = list(objectives)
    channels = channel_names(organization) if any(o.channel_id for o in objectives) else {}
    personas = persona_names(organization, [o.persona_id for o in objectives if o.persona_id])
    labels = {}
    for objective in objectives:
        if objective.channel_id and objective.channel is not None:
            label = channels.get(objective.channel.code, objective.channel.name)
        elif objective.campaign_id and objective.campaign is not None:
            label = objective.campaign.name
        elif objective.persona_id:
            label = personas.get(objective.persona_id, "")
        else:
            label = objective.product
        labels[objective.pk] = label
    return labels
