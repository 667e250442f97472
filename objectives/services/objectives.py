"""Writes of objectives themselves: the SMART check of a draft, create, edit, delete, and
who owns them with which weights. Bad input is a ValidationError naming the field (the
API's 400); nothing is written then."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from funnel.models import Plan
from objectives.calculations import history_window
from objectives.checks import CheckInput, PlanFigure, smart_check
from objectives.metrics import BY_CODE, Direction
from objectives.models import Objective, Owner, RepTarget, SplitMethod
from objectives.selectors import (
    Scope,
    approved_personas,
    members_of,
    metric_history,
    plan_figure,
    plan_of,
    team_of,
    weights_elsewhere,
)
from objectives.services.progress import refresh_progress
from objectives.services.splits import SPLITTABLE_SCOPES, objective_split
from orgs.models import Membership, Organization, User
from smarketing.lib.formatting import month_label, number
from smarketing.lib.months import add_months

MAX_OWNERS = 20
# Every objective is refreshed when its organisation's facts change: a bound keeps that short.
MAX_OBJECTIVES = 1000
MAX_WEIGHT = Decimal(100)


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
        # Deleting the old owners told objective_reshare that owners left (signals.py),
        # which wrote shared=False: the new owners decide again.
        Objective.objects.filter(pk=objective.pk).update(shared=objective.shared)
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


@transaction.atomic
def objective_update(*, objective: Objective, draft: Draft, today: date) -> Objective:
    """Replace the objective's fields and owners with `draft`'s. Its rep targets follow: split
    again among the same reps when the target changed (by weights: in proportion to their
    targets so far), dropped when the metric or scope can no longer be split."""
    reps = RepTarget.objects.filter(organization_id=objective.organization_id, objective=objective)
    before = dict(reps.values_list("membership_id", "target"))
    target_changed = objective.target != draft.target
    _save(objective, draft, today=today)
    if not before:
        return objective
    metric = BY_CODE[objective.metric]
    if not metric.per_owner or objective.scope_kind not in SPLITTABLE_SCOPES:
        RepTarget.objects.filter(
            organization_id=objective.organization_id, objective=objective
        ).delete()
        objective.split_method = ""
        objective.save(update_fields=["split_method"])
    elif target_changed and objective.split_method:
        members = list(members_of(objective.organization, list(before)).values())
        method = objective.split_method
        weights = dict(before) if method == SplitMethod.WEIGHTS else None
        objective_split(objective=objective, method=method, today=today, members=members,
                        weights=weights)  # fmt: skip
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
