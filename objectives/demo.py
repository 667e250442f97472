"""The demo organisation's objectives: the shared set proposed from its active plan, owned by
its marketing and sales managers with incentive weights, and the revenue objective split
among its reps, so a newcomer sees the scorecard, the checks and a rep's target."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from funnel.selectors import active_plan
from objectives.models import Objective
from objectives.services import draft_of, objective_split, objective_update, objectives_from_plan
from orgs.models import Membership, Organization, Role

# Weights (%) of the demo managers on the proposed objectives, by metric: shared ones carry
# most of both managers' variable pay.
WEIGHTS = {
    "won_revenue": {Role.MARKETING_MANAGER: "25", Role.SALES_MANAGER: "40"},
    "new_customers": {Role.MARKETING_MANAGER: "15", Role.SALES_MANAGER: "25"},
    "sqls": {Role.MARKETING_MANAGER: "20", Role.SALES_MANAGER: "15"},
    "mqls": {Role.MARKETING_MANAGER: "10"},
}


def objectives_for_the_demo(*, organization: Organization, today: date) -> list[Objective]:
    plan = active_plan(organization)
    if plan is None or Objective.objects.for_org(organization).exists():
        return []
    made = objectives_from_plan(plan=plan, by=None, today=today)
    managers = {
        m.role: m
        for m in Membership.objects.for_org(organization)
        .filter(role__in=[Role.MARKETING_MANAGER, Role.SALES_MANAGER])
        .select_related("user")
        .order_by("pk")
    }
    for objective in made:
        weights = WEIGHTS.get(objective.metric, {})
        if (
            objective.metric == "mqls"
            and objective.channel
            and objective.channel.code != "paid_search"
        ):
            continue  # one channel's MQLs carry marketing's weight; the others are tracked only
        owners = [(managers[role], Decimal(w)) for role, w in weights.items() if role in managers]
        if owners:
            draft = draft_of(objective)
            draft.owners = owners
            objective_update(objective=objective, draft=draft, today=today)
    revenue = next((o for o in made if o.metric == "won_revenue"), None)
    if revenue and Membership.objects.for_org(organization).filter(role=Role.SALES_REP).exists():
        objective_split(objective=revenue, method="equal", today=today)
    return made
