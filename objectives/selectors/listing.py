"""Reads of the objectives themselves: the list, the joint scorecard, members and their
teams, owners' weights elsewhere, the editor's choices, a rep's targets."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from crm.selectors import channel_names, deal_products, related_choices
from funnel.models import Plan
from kpis.selectors import owner_totals
from objectives.calculations import period_months
from objectives.metrics import ObjectiveMetric
from objectives.models import Objective, Owner, RepTarget, Snapshot
from objectives.selectors.history import TEAM_OF_ROLE
from orgs.models import Membership, Organization, Role
from personas.selectors import approved_persona_names, persona_names
from smarketing.lib.months import add_months

# The team each role belongs to: who makes an objective shared. Admins and leadership may
# own objectives but belong to neither team.


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
