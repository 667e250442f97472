"""The shared set of objectives a plan proposes for its period."""

from __future__ import annotations

from datetime import date

from crm.selectors import channel_by_code
from funnel.models import Plan
from funnel.selectors import plan_target_rows
from objectives.metrics import BY_CODE
from objectives.models import Objective
from objectives.selectors import (
    Scope,
    plan_figure,
)
from objectives.services.objectives import Draft, objective_create
from orgs.models import User

PROPOSED = (
    ("won_revenue", None),
    ("new_customers", None),
    ("sqls", None),
    ("mqls", "channel"),
    ("leads", "channel"),
)


def objectives_from_plan(*, plan: Plan, by: User | None, today: date) -> list[Objective]:
    """Propose the shared set of objectives for the plan's period, with the plan's figures as
    targets and no owners yet (the managers assign them): won revenue, new customers and
    SQLs for both teams, MQLs and leads per channel for marketing. Objectives the plan
    already has (same metric, scope and period) are not proposed again."""
    organization = plan.organization
    existing = set(
        Objective.objects.for_org(organization)
        .filter(plan=plan, first_month=plan.first_month, last_month=plan.last_month)
        .values_list("metric", "channel_id")
    )
    codes = sorted({r["channel"] for r in plan_target_rows(organization, plan) if r["channel"]})
    channels = [c for c in (channel_by_code(organization, code) for code in codes) if c]
    made = []
    for code, per in PROPOSED:
        metric = BY_CODE[code]
        for channel in channels if per else [None]:  # type: ignore[list-item]
            if (code, channel.pk if channel else None) in existing:
                continue
            scope = Scope("channel", channel_id=channel.pk, channel_code=channel.code,
                          label=channel.name) if channel else Scope()  # fmt: skip
            found = plan_figure(organization, plan, metric, scope, first=plan.first_month,
                                last=plan.last_month)  # fmt: skip
            if not found.figure:
                continue
            title = f"{metric.name} · {channel.name}" if channel else str(metric.name)
            draft = Draft(
                title=f"{title} · {plan.name}"[:160], metric=code, target=found.figure,
                first_month=plan.first_month, last_month=plan.last_month, channel=channel,
                plan=plan,
            )  # fmt: skip
            made.append(
                objective_create(organization=organization, by=by, draft=draft, today=today)
            )
    return made
