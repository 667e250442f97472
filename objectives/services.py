"""Every write to objectives: create, edit and delete one (its SMART check and progress
refreshed with it), propose the shared set from a plan, split a sales objective into rep
targets, and refresh the progress of an organisation's objectives when its KPI facts
change. Bad input is a ValidationError naming the field (the API's 400); nothing is
written then."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.selectors import channel_by_code
from funnel.models import Plan
from funnel.selectors import plan_target_rows
from kpis.selectors import kpis_as_of
from objectives.calculations import Progress, history_window, period_months, progress, split
from objectives.checks import CheckInput, PlanFigure, smart_check
from objectives.metrics import BY_CODE, Direction, ObjectiveMetric
from objectives.models import Objective, Owner, RepTarget, Snapshot, SplitMethod
from objectives.selectors import (
    Scope,
    approved_personas,
    last_year_shares,
    metric_history,
    plan_figure,
    plan_month_profile,
    plan_of,
    team_of,
    weights_elsewhere,
)
from orgs.models import Membership, Organization, Role, User
from smarketing.lib.enqueue import send_now
from smarketing.lib.formatting import month_label, number
from smarketing.lib.months import add_months

MAX_OWNERS = 20
# Every objective is refreshed when its organisation's facts change: a bound keeps that short.
MAX_OBJECTIVES = 1000
MAX_WEIGHT = Decimal(100)
REFRESH_TASK = "objectives.tasks.objectives_refresh_task"
# Progress is refreshed for objectives whose period ended less than this long ago: a late
# deal can still change a month just over.
REFRESH_AFTER_END = timedelta(days=62)


@dataclass
class Draft:
    """An objective as given (the API's body, the page's form), its references resolved
    within the organisation."""

    title: str
    metric: str
    target: Decimal
    first_month: date
    last_month: date
    direction: str = ""
    channel: Any = None  # crm Channel
    campaign: Any = None  # crm Campaign
    persona_id: int | None = None
    product: str = ""
    owners: list[tuple[Membership, Decimal]] = field(default_factory=list)
    plan: Plan | None = None

    @property
    def scopes(self) -> list[str]:
        given = {
            "channel": self.channel is not None,
            "campaign": self.campaign is not None,
            "persona": self.persona_id is not None,
            "product": bool(self.product),
        }
        return [kind for kind, on in given.items() if on]

    def scope(self, persona_label: str = "") -> Scope:
        if self.channel is not None:
            return Scope("channel", channel_id=self.channel.pk, channel_code=self.channel.code,
                         label=self.channel.name)  # fmt: skip
        if self.campaign is not None:
            return Scope("campaign", campaign_id=self.campaign.pk, label=self.campaign.name)
        if self.persona_id is not None:
            return Scope("persona", persona_id=self.persona_id, label=persona_label)
        if self.product:
            return Scope("product", product=self.product, label=self.product)
        return Scope()


def _direction(draft: Draft) -> Direction:
    return Direction(draft.direction) if draft.direction else BY_CODE[draft.metric].direction


def check_input(organization: Organization, draft: Draft, *, today: date) -> CheckInput:
    """What the SMART check reads for `draft`: its history (the last two years and the
    period's months so far), the plan's figure, the personas approved, the owners' teams."""
    metric = BY_CODE[draft.metric]
    personas = approved_personas(organization)
    scope = draft.scope(personas.get(draft.persona_id or 0, ""))
    start, end = history_window(today)
    last_read = min(max(end, draft.last_month), today.replace(day=1))
    history = metric_history(
        organization, metric, scope if len(draft.scopes) <= 1 else Scope(),
        start=min(start, add_months(draft.first_month, -12)), end=last_read,
    )  # fmt: skip
    plan = plan_of(organization, draft.plan.pk if draft.plan else None)
    figure = None
    if plan is not None:
        found = plan_figure(
            organization, plan, metric, scope, first=draft.first_month, last=draft.last_month
        )
        figure = PlanFigure(found.plan_id, found.plan_name, found.figure)
    # The persona in scope is approved; without one, any (what fit shares measure against).
    persona_ok = draft.persona_id in personas if draft.persona_id is not None else bool(personas)
    return CheckInput(
        metric=metric, target=draft.target, direction=_direction(draft),
        first=draft.first_month, last=draft.last_month, scopes=draft.scopes,
        scope_label=scope.label, owner_teams=[team_of(m.role) for m, _w in draft.owners],
        history=history, today=today, plan=figure, persona_approved=persona_ok,
    )  # fmt: skip


def objective_check(*, organization: Organization, draft: Draft, today: date) -> dict[str, Any]:
    """The SMART check of `draft`: {"smart": {letter: {ok, code, params}}, "shared"}."""
    return smart_check(check_input(organization, draft, today=today))


def _check_owners(organization: Organization, draft: Draft, exclude: int | None) -> None:
    """Each owner once, weights 0 to 100, and no owner past 100 % in any month of the
    period counting their other objectives."""
    if len(draft.owners) > MAX_OWNERS:
        raise ValidationError({"owners": _("At most %(n)s owners.") % {"n": MAX_OWNERS}})
    seen: set[int] = set()
    for i, (membership, weight) in enumerate(draft.owners):
        if membership.pk in seen:
            raise ValidationError({f"owners[{i}].member": _("This member is named twice.")})
        seen.add(membership.pk)
        if not Decimal(0) <= weight <= MAX_WEIGHT:
            raise ValidationError({f"owners[{i}].weight": _("A weight is 0 to 100 (%).")})
    carried = weights_elsewhere(
        organization, list(seen), first=draft.first_month, last=draft.last_month, exclude=exclude
    )
    for i, (membership, weight) in enumerate(draft.owners):
        for month, other in sorted(carried.get(membership.pk, {}).items()):
            if other + weight > MAX_WEIGHT:
                raise ValidationError({f"owners[{i}].weight": _(
                    "%(member)s already carries %(other)s %% of their incentive in %(month)s: "
                    "with %(weight)s %% it would be %(total)s %% (at most 100 %%)."
                ) % {"member": membership.user, "other": _points(other), "month": month_label(month),
                     "weight": _points(weight), "total": _points(other + weight)}})  # fmt: skip


def _points(weight: Decimal) -> str:
    """A weight as people write it: 30, 12.5 (not 3E+1 or 30.00)."""
    exponent = weight.normalize().as_tuple().exponent
    return number(weight, max(0, -exponent) if isinstance(exponent, int) else 0)


def _check_target(draft: Draft) -> None:
    metric = BY_CODE[draft.metric]
    if metric.whole and draft.target != draft.target.to_integral_value():
        raise ValidationError({"target": _("%(metric)s are counted in whole numbers.") % {
            "metric": metric.name}})  # fmt: skip
    if metric.unit == "percent" and metric.code != "roi" and draft.target > 100:
        raise ValidationError({"target": _("A rate is at most 100 (%).")})
    if len(draft.scopes) > 1:
        raise ValidationError(
            {"scope": _("Name one scope: a channel, a campaign, a persona or a product.")}
        )
    kind = draft.scopes[0] if draft.scopes else ""
    if kind not in metric.scopes:
        raise ValidationError({"scope": _("%(metric)s cannot be measured per %(kind)s.") % {
            "metric": metric.name, "kind": kind}})  # fmt: skip


def _apply(objective: Objective, draft: Draft) -> None:
    objective.title = draft.title.strip()
    objective.metric = draft.metric
    objective.target = draft.target
    objective.direction = _direction(draft)
    objective.first_month = draft.first_month
    objective.last_month = draft.last_month
    objective.channel = draft.channel
    objective.campaign = draft.campaign
    objective.persona_id = draft.persona_id
    objective.product = draft.product.strip()
    objective.plan = draft.plan
    objective.shared = smart_shared(draft.owners)


def smart_shared(owners: Sequence[tuple[Membership, Decimal]]) -> bool:
    teams = {team_of(m.role) for m, _w in owners}
    return {"marketing", "sales"} <= teams


@transaction.atomic
def _save(objective: Objective, draft: Draft, *, today: date, owners: bool = True) -> Objective:
    _check_target(draft)
    _apply(objective, draft)
    objective.updated_at = timezone.now()
    objective.full_clean(
        exclude=["organization", "created_by", "plan", "channel", "campaign", "persona"]
    )
    if owners:
        _check_owners(objective.organization, draft, exclude=objective.pk)
    objective.save()
    if owners:
        Owner.objects.filter(organization=objective.organization, objective=objective).delete()
        Owner.objects.bulk_create(
            Owner(organization=objective.organization, objective=objective, membership=m, weight=w)
            for m, w in draft.owners
        )
    _refresh_check(objective, draft, today=today)
    refresh_progress(objective, today=today)
    return objective


def _refresh_check(objective: Objective, draft: Draft, *, today: date) -> None:
    found = objective_check(organization=objective.organization, draft=draft, today=today)
    objective.smart = found["smart"]
    objective.checked_at = timezone.now()
    objective.save(update_fields=["smart", "checked_at"])


def objective_create(
    *, organization: Organization, by: User | None, draft: Draft, today: date
) -> Objective:
    if Objective.objects.for_org(organization).count() >= MAX_OBJECTIVES:
        raise ValidationError(
            _("An organisation keeps at most %(n)s objectives: delete old ones first.")
            % {"n": MAX_OBJECTIVES}
        )
    objective = Objective(organization=organization, created_by=by)
    return _save(objective, draft, today=today)


def objective_reshare(*, objective_id: int) -> None:
    """Whether the objective is shared, again from its owners (one was removed: its member
    left the organisation)."""
    owners = Owner.objects.filter(objective_id=objective_id).select_related("membership")
    shared = smart_shared([(o.membership, o.weight) for o in owners])
    Objective.objects.filter(pk=objective_id).exclude(shared=shared).update(shared=shared)


def objective_update(*, objective: Objective, draft: Draft, today: date) -> Objective:
    """Replace the objective's fields and owners with `draft`'s; its rep targets are split
    again by the same method when its target changed."""
    target_changed = objective.target != draft.target
    _save(objective, draft, today=today)
    if target_changed and objective.split_method and objective.split_method != SplitMethod.WEIGHTS:
        objective_split(objective=objective, method=objective.split_method, today=today)
    return objective


def draft_of(objective: Objective) -> Draft:
    """An objective as a draft (what an edit starts from)."""
    return Draft(
        title=objective.title, metric=objective.metric, target=objective.target,
        first_month=objective.first_month, last_month=objective.last_month,
        direction=objective.direction, channel=objective.channel, campaign=objective.campaign,
        persona_id=objective.persona_id, product=objective.product,
        owners=[(o.membership, o.weight) for o in objective.owners.select_related("membership__user")],
        plan=objective.plan,
    )  # fmt: skip


def objective_delete(*, objective: Objective) -> None:
    objective.delete()


def _season(
    objective: Objective, metric: ObjectiveMetric, scope: Scope, months: list[date],
    memo: dict[Any, Any],
) -> dict[date, Decimal]:  # fmt: skip
    """Each month's weight in what is expected by now: the plan's monthly targets where the
    plan plans this metric, else the same months a year earlier, else none (equal)."""
    if ("plan", objective.plan_id) not in memo:
        memo[("plan", objective.plan_id)] = plan_of(objective.organization, objective.plan_id)
    plan = memo[("plan", objective.plan_id)]
    if plan is not None:
        key = ("profile", plan.pk, metric.code, scope)
        if key not in memo:
            memo[key] = plan_month_profile(objective.organization, plan, metric, scope)
        if any(memo[key].get(m) for m in months):
            return memo[key]
    year_before = metric_history(
        objective.organization, metric, scope,
        start=add_months(months[0], -12), end=add_months(months[-1], -12), memo=memo,
    )  # fmt: skip
    return {
        m: Decimal(metric.value([year_before.get(add_months(m, -12), {})]) or 0) for m in months
    }


def _progress_of(
    objective: Objective, *, target: Decimal, today: date, owner: int | None = None,
    season: Mapping[date, Decimal] | None = None, memo: dict[Any, Any] | None = None,
) -> Progress:  # fmt: skip
    metric = BY_CODE[objective.metric]
    scope = Scope.of(objective)
    end = min(objective.last_month, today.replace(day=1))
    actuals = (
        metric_history(objective.organization, metric, scope, start=objective.first_month,
                       end=end, owner=owner, memo=memo)
        if end >= objective.first_month
        else {}
    )  # fmt: skip
    return progress(
        metric, target=target, direction=Direction(objective.direction),
        first=objective.first_month, last=objective.last_month, actuals=actuals, today=today,
        profile=season,
    )  # fmt: skip


def refresh_progress(
    objective: Objective, *, today: date, memo: dict[Any, Any] | None = None
) -> Progress:
    """Read the objective's progress (and its reps') from the stored facts, keep it, and
    write this week's point of its history. `memo` shares reads among many objectives."""
    memo = {} if memo is None else memo
    metric = BY_CODE[objective.metric]
    months = period_months(objective.first_month, objective.last_month)
    scope = Scope.of(objective)
    season = _season(objective, metric, scope, months, memo) if metric.kind == "sum" else None
    found = _progress_of(objective, target=objective.target, today=today, season=season,
                         memo=memo)  # fmt: skip
    if "as_of" not in memo:
        memo["as_of"] = kpis_as_of(objective.organization)[0]
    as_of = memo["as_of"]
    objective.progress = found.as_json()
    objective.status = found.status
    objective.progress_as_of = as_of
    objective.save(update_fields=["progress", "status", "progress_as_of"])
    week = today - timedelta(days=today.weekday())
    Snapshot.objects.update_or_create(
        organization=objective.organization, objective=objective, week=week,
        defaults={"actual": found.actual, "expected": found.expected,
                  "projected": found.projected, "status": found.status},
    )  # fmt: skip
    for rep in RepTarget.objects.filter(
        organization=objective.organization, objective=objective
    ).select_related("membership"):
        mine = _progress_of(objective, target=rep.target, today=today,
                            owner=rep.membership.user_id, season=season, memo=memo)  # fmt: skip
        rep.progress, rep.status = mine.as_json(), mine.status
        rep.save(update_fields=["progress", "status"])
    return found


def objectives_refresh(*, organization_id: int, today: date) -> int:
    """Refresh the progress of the organisation's objectives that are running, or ended
    lately; how many."""
    organization = Organization.objects.get(pk=organization_id)
    live = Objective.objects.for_org(organization).filter(
        last_month__gte=(today - REFRESH_AFTER_END).replace(day=1)
    ).select_related("organization", "channel", "campaign")  # fmt: skip
    count, memo = 0, {}  # type: ignore[var-annotated]
    for objective in live:
        refresh_progress(objective, today=today, memo=memo)
        count += 1
    return count


def scheduled_key(organization_id: int) -> str:
    return f"objectives:scheduled:{organization_id}"


def objectives_schedule(*, organization_id: int) -> bool:
    """Send one refresh for the organisation unless one is already waiting (changes within
    OBJECTIVES_COALESCE_SECONDS share it); True if sent."""
    delay = settings.OBJECTIVES_COALESCE_SECONDS
    key = scheduled_key(organization_id)
    if not cache.add(key, 1, timeout=delay + 60):
        return False
    if not send_now(REFRESH_TASK, organization_id, countdown=delay):
        cache.delete(key)
        return False
    return True


# --- rep targets ---------------------------------------------------------------------

SPLITTABLE_SCOPES = ("", "channel", "campaign")


def objective_split(
    *,
    objective: Objective,
    method: str,
    today: date,
    members: Sequence[Membership] | None = None,
    weights: Mapping[int, Decimal] | None = None,
) -> list[RepTarget]:
    """Split the objective's target among sales reps (`members`, default: the
    organisation's sales reps): in equal shares, by `weights` (membership id -> weight), or
    by each rep's share of last year's figure of the metric. The parts add up exactly to
    the target (whole units for counts, cents for money)."""
    metric = BY_CODE[objective.metric]
    if not metric.per_owner or objective.scope_kind not in SPLITTABLE_SCOPES:
        raise ValidationError({"method": _(
            "%(metric)s is not counted per rep: it cannot be split into rep targets."
        ) % {"metric": metric.name}})  # fmt: skip
    if method not in SplitMethod.values:
        raise ValidationError({"method": _("Choose equal, weights or last_year.")})
    reps = list(members) if members is not None else list(
        Membership.objects.for_org(objective.organization).filter(role=Role.SALES_REP)
        .select_related("user").order_by("user__username")
    )  # fmt: skip
    if not reps:
        raise ValidationError({"members": _("Name the reps to split the target among.")})
    by_id = {m.pk: m for m in reps}
    if method == SplitMethod.WEIGHTS:
        given = weights or {}
        if set(given) - set(by_id) or not any(Decimal(w) > 0 for w in given.values()):
            raise ValidationError(
                {"weights": _("Give a positive weight for some of the reps named.")}
            )
        shares = {pk: Decimal(given.get(pk, 0)) for pk in by_id}
    elif method == SplitMethod.LAST_YEAR:
        shares = last_year_shares(objective.organization, metric, by_id, today=today)
        if not any(shares.values()):
            raise ValidationError({"method": _(
                "None of these reps has any of it in the last twelve months: split equally or "
                "by weights."
            )})  # fmt: skip
    else:
        shares = dict.fromkeys(by_id, Decimal(1))
    parts = split(objective.target, shares, whole=metric.whole)
    with transaction.atomic():
        RepTarget.objects.filter(organization=objective.organization, objective=objective).delete()
        made = RepTarget.objects.bulk_create(
            RepTarget(organization=objective.organization, objective=objective,
                      membership=by_id[pk], target=part)
            for pk, part in parts.items() if part > 0 or method != SplitMethod.WEIGHTS
        )  # fmt: skip
        objective.split_method = method
        objective.save(update_fields=["split_method"])
        refresh_progress(objective, today=today)
    return made


# --- from the plan -------------------------------------------------------------------

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
