"""Every write to plans: create, edit (a new version once active), activate, archive, delete drafts."""

from __future__ import annotations

import dataclasses
import itertools
import logging
from dataclasses import asdict
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.selectors import funnel_stage_codes, won_revenue
from funnel.assumptions import ALL, Learned, last_month_with_data, learn, learn_cached
from funnel.calculations import (
    FunnelInputError,
    FunnelResult,
    calculate,
    check_lists,
    jsonable,
    parse_input,
)
from funnel.models import Plan, PlanTarget
from funnel.planning import Moved, learning_window, reschedule
from orgs.models import Organization, User
from smarketing.lib.bounds import MAX_CHANNELS
from smarketing.lib.events import Happening, Kind, announce
from smarketing.lib.months import month_keys

logger = logging.getLogger(__name__)
MAX_TARGET = 2**31 - 1  # what a target's column holds; the top stage needs the most


def _filled(organization: Organization, plan: Plan, *, fresh: bool = False) -> dict[str, Any]:
    """The plan's inputs with its months, and in learned mode what history says where it says
    nothing: as kept for the facts' version, or `fresh` from the CRM rows."""
    if not isinstance(plan.inputs, dict):
        raise FunnelInputError("inputs", _("must be a JSON object."))
    check_lists(plan.inputs)
    inputs = dict(plan.inputs)
    inputs["months"] = month_keys(plan.first_month, plan.last_month)
    if not inputs.get("stages"):
        inputs["stages"] = funnel_stage_codes(organization)
    if plan.mode != Plan.Mode.LEARNED:
        return inputs
    start, end = plan_learning_window(organization, plan.first_month)
    learner = learn if fresh else learn_cached
    learned = learner(organization=organization, start=start, end=end)
    inputs["learned_from"] = {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "seasonality_fallback": learned.seasonality_fallback,
    }
    stages = inputs["stages"]
    pairs = [f"{a}->{b}" for a, b in itertools.pairwise(stages)]
    given_rates = inputs.get("conversion_rates") or [""] * len(pairs)
    if len(given_rates) == len(pairs) and "" in given_rates:  # an override wins, pair by pair
        rates = [learned.conversion.get(p, {}).get(ALL) for p in pairs]
        filled = []
        for pair, given, rate in zip(pairs, given_rates, rates, strict=True):
            if given != "":
                filled.append(given)
            elif rate is None or not rate.value:
                raise FunnelInputError(
                    "conversion_rates",
                    _("history has no conversion for %(pair)s; give the rate.") % {"pair": pair},
                )
            else:
                filled.append(str(rate.value))
        inputs["conversion_rates"] = filled
    if not inputs.get("stage_days"):
        days = [learned.stage_days.get(p, {}).get(ALL) for p in pairs]
        inputs["stage_days"] = [str(d.value) if d and d.value is not None else "0" for d in days]
    if not inputs.get("average_deal_size") and ALL in learned.average_deal_size:
        inputs["average_deal_size"] = str(learned.average_deal_size[ALL].value)
    if not inputs.get("seasonality"):
        inputs["seasonality"] = [str(learned.seasonality[int(m[5:])]) for m in inputs["months"]]
    inputs["channels"] = _learned_channels(inputs.get("channels") or [], learned)
    return inputs


def plan_learning_window(organization: Organization, first_month: date) -> tuple[date, date]:
    """The months a learned plan starting in `first_month` learns from, seen today."""
    today = timezone.localdate()
    last = last_month_with_data(
        organization_id=organization.pk, before=min(first_month, today).replace(day=1)
    )
    return learning_window(first_month=first_month, today=today, last_month_with_data=last)


def _learned_channels(given: list[Any], learned: Learned) -> list[dict[str, str]]:
    """The channels given, their cost per lead learned where none was given; with none given,
    every channel of the window with its share of the leads and its cost per lead."""
    if given:
        return [
            {**channel, "cost_per_lead": channel.get("cost_per_lead") or _cost(learned, channel)}
            if isinstance(channel, dict)
            else channel
            for channel in given
        ]
    # A plan holds at most MAX_CHANNELS channels: an organisation with more plans its
    # largest, whose shares then carry the few leads of the rest.
    return [
        {"code": code, "share": str(share), "cost_per_lead": str(cost)}
        for code, (share, cost) in learned.channel_shares(most=MAX_CHANNELS).items()
    ]


def _cost(learned: Learned, channel: dict[str, Any]) -> str:
    figure = learned.cost_per_lead.get(str(channel.get("code")))
    return str(figure.value) if figure and figure.value is not None else "0"


def plan_calculate(
    *,
    organization: Organization,
    first_month: date,
    last_month: date,
    mode: str,
    inputs: dict[str, Any],
) -> tuple[dict[str, Any], Any]:
    """What a plan with these values would target, without storing it (the editor's preview):
    the inputs used and the calculation. Raises FunnelInputError naming the bad field."""
    draft = Plan(
        organization=organization,
        first_month=first_month.replace(day=1),
        last_month=last_month.replace(day=1),
        mode=mode,
        inputs=inputs,
    )
    used = _filled(organization, draft)
    result, _moved = _calculated(draft, used)
    return used, result


def _calculated(plan: Plan, inputs: dict[str, Any]) -> tuple[FunnelResult, list[Moved]]:
    """The calculation, with the lead-in targets that fall before today moved forward."""
    result = calculate(parse_input(inputs))
    stages, moved = reschedule(
        result.stages, first_month=plan.first_month, today=timezone.localdate()
    )
    return dataclasses.replace(result, stages=stages), moved


def _compute(plan: Plan, *, fresh: bool = False) -> None:
    """Calculate, and store the result and one target row per month, stage and channel."""
    try:
        inputs = _filled(plan.organization, plan, fresh=fresh)
        result, moved = _calculated(plan, inputs)
    except FunnelInputError as error:
        raise ValidationError({f"inputs.{error.field}": [error.message]}) from error
    if result.leads_needed > MAX_TARGET:
        raise ValidationError(
            {
                "inputs.revenue_goal": _(
                    "A plan's stage needs at most %(n)s; this one needs %(needed)s."
                )
                % {"n": f"{MAX_TARGET:,}", "needed": f"{result.leads_needed:,}"}
            }
        )
    # `inputs` keeps what the user gave; what was used (learned values filled in) is part
    # of the result, so a learned plan learns afresh each time it is recomputed.
    plan.result = jsonable(
        asdict(result)
        | {
            "stages": [{"stage": s.stage, "needed": s.needed} for s in result.stages],
            "inputs_used": inputs,
            "moved": [dataclasses.asdict(m) for m in moved],
        }
    )
    plan.save()
    PlanTarget.objects.filter(plan=plan).delete()
    rows = []
    for stage in result.stages:
        for month, count in stage.by_month.items():
            rows.append(
                PlanTarget(
                    organization=plan.organization,
                    plan=plan,
                    month=date.fromisoformat(f"{month}-01"),
                    stage=stage.stage,
                    channel="",
                    target=count,
                )
            )
        for month, by_channel in stage.by_month_and_channel.items():
            rows += [
                PlanTarget(
                    organization=plan.organization,
                    plan=plan,
                    month=date.fromisoformat(f"{month}-01"),
                    stage=stage.stage,
                    channel=code,
                    target=count,
                )
                for code, count in by_channel.items()
            ]
    PlanTarget.objects.bulk_create(rows, batch_size=5000)


@transaction.atomic
def plan_create(
    *,
    organization: Organization,
    by: User | None,
    name: str,
    first_month: date,
    last_month: date,
    inputs: dict[str, Any],
    mode: str = Plan.Mode.FROZEN,
) -> Plan:
    plan = Plan(
        organization=organization,
        created_by=by,
        name=name.strip(),
        first_month=first_month.replace(day=1),
        last_month=last_month.replace(day=1),
        mode=mode,
        inputs=inputs,
    )
    plan.full_clean()
    _compute(plan)
    return plan


@transaction.atomic
def plan_update(*, plan: Plan, by: User | None, **changes: Any) -> Plan:
    """Change a draft in place; an active plan gets a new active version and the old one is archived."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.status == Plan.Status.ARCHIVED:
        raise ValidationError(_("An archived plan cannot change; edit its active version."))
    if plan.status == Plan.Status.ACTIVE:
        Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.ARCHIVED)
        plan.pk, plan.version, plan.created_by = None, plan.version + 1, by
    for field, value in changes.items():
        setattr(
            plan, field, value.replace(day=1) if field in ("first_month", "last_month") else value
        )
    plan.full_clean(exclude=["series"])
    _compute(plan)
    return plan


@transaction.atomic
def plan_activate(*, plan: Plan) -> Plan:
    Plan.objects.for_org(plan.organization).filter(
        series=plan.series, status=Plan.Status.ACTIVE
    ).exclude(pk=plan.pk).update(status=Plan.Status.ARCHIVED)
    plan.status = Plan.Status.ACTIVE
    plan.save(update_fields=["status"])
    announce(Happening(
        organization_id=plan.organization_id, kind=Kind.PLAN_ACTIVATED,
        key=f"plan.activated:{plan.pk}:{timezone.now().isoformat()}",
        data={"plan_id": plan.pk, "plan_name": plan.name, "version": plan.version,
              "first_month": plan.first_month.isoformat(),
              "last_month": plan.last_month.isoformat()},
        link=reverse("plan-detail", kwargs={"pk": plan.pk}),
    ))  # fmt: skip
    return plan


def plan_archive(*, plan: Plan) -> Plan:
    plan.status = Plan.Status.ARCHIVED
    plan.save(update_fields=["status"])
    return plan


def plan_delete(*, plan: Plan) -> None:
    if plan.status != Plan.Status.DRAFT:
        raise ValidationError(_("Only a draft can be deleted; archive an active plan instead."))
    plan.delete()


def plans_refresh_learned(*, organization_id: int, months: list[date]) -> int:
    """Recompute the learned plans whose learning window holds one of these months (their
    history changed); a plan that history can no longer fill keeps its targets. Returns
    how many plans were recomputed."""
    refreshed = 0
    plans = Plan.objects.filter(
        organization_id=organization_id,
        mode=Plan.Mode.LEARNED,
        status__in=[Plan.Status.DRAFT, Plan.Status.ACTIVE],
    ).select_related("organization")
    for plan in plans:
        start, end = plan_learning_window(plan.organization, plan.first_month)
        if not any(start <= month < end for month in months):
            continue
        try:
            with transaction.atomic():
                _compute(plan, fresh=True)  # its history just changed
        except ValidationError as error:
            logger.warning("learned plan %s kept its targets: %s", plan.pk, error)
            continue
        refreshed += 1
    return refreshed


def plans_for_the_demo(*, organization: Organization, today: date) -> list[Plan]:
    """An active plan for this year, learned from the history before it, aiming 25 % above
    last year's won revenue; and a draft for next year, 25 % above the last twelve complete
    months: a newcomer sees plan versus actual, and a plan still to come."""
    year = today.year
    last_year = won_revenue(organization, since=date(year - 1, 1, 1), until=date(year, 1, 1))
    if not last_year:
        return []
    goal = {"baseline_revenue": str(last_year), "growth_pct": "25"}
    this_year = plan_create(
        organization=organization,
        by=None,
        name=f"FY{year}",
        first_month=date(year, 1, 1),
        last_month=date(year, 12, 1),
        inputs=goal,
        mode=Plan.Mode.LEARNED,
    )
    plan_activate(plan=this_year)
    current = today.replace(day=1)
    last_twelve = won_revenue(
        organization, since=current.replace(year=current.year - 1), until=current
    )
    next_year = plan_create(
        organization=organization,
        by=None,
        name=f"FY{year + 1}",
        first_month=date(year + 1, 1, 1),
        last_month=date(year + 1, 12, 1),
        inputs={"baseline_revenue": str(last_twelve or last_year), "growth_pct": "25"},
        mode=Plan.Mode.LEARNED,
    )
    return [this_year, next_year]
