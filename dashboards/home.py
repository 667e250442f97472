"""Each role's home: the active plan against what happened, and what needs the member now.

Reads stored results only (plan targets, KPI facts, the leads at the hand-off stage), in a
fixed number of queries whatever the data size; the plan's pace and the open breaches are
reviews.overview's, which the weekly digest shares.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone

from crm.selectors import StageRole, leads_waiting_for_first_touch, stage_names_and_roles
from funnel.selectors import active_plan, channel_names
from objectives.selectors import rep_targets_of
from objectives.words import rep_target_words
from orgs.models import Membership, Role
from reviews.overview import open_breaches, plan_overview

TARGETS_SHOWN = 10

# What each role's home adds to the plan's overview: the part of the funnel it answers for.
# Everyone sees the revenue goal, the pace and projection and the stages furthest behind.
NEEDS: dict[str, tuple[str, ...]] = {
    Role.ADMIN: ("customers", "channels", "waiting"),
    Role.MARKETING_MANAGER: ("channels", "breaches"),
    Role.SALES_MANAGER: ("waiting", "breaches"),
    Role.SALES_REP: ("waiting", "breaches", "targets"),
    Role.LEADERSHIP: ("customers",),
}


def home_overview(membership: Membership, *, today: date) -> dict[str, Any]:
    """What the member's home shows: the active plan's revenue, pace and projection, the
    stages furthest behind, and what the member's role can do about them."""
    organization = membership.organization
    needs = NEEDS.get(membership.role, ())
    plan = active_plan(organization)
    stage_names, roles = stage_names_and_roles(organization)
    handoff = roles.get(StageRole.HANDOFF)
    overview: dict[str, Any] = {"needs": needs, "plan": None, "handoff_stage": handoff}
    if plan is not None:
        overview |= plan_overview(organization, plan, needs, today, handoff)
    overview["stage_names"] = stage_names
    overview["channel_names"] = channel_names(organization)
    if "waiting" in needs:
        owner = membership.user_id if membership.role == Role.SALES_REP else None
        overview["waiting"] = leads_waiting_for_first_touch(organization, owner=owner)
    if "breaches" in needs:
        overview["breaches"] = open_breaches(membership, timezone.now())
    if "targets" in needs:
        # A rep's part of the sales objectives, the latest first: what their pay rides on.
        overview["targets"] = [
            rep_target_words(target, organization.currency)
            for target in rep_targets_of(organization, membership)[:TARGETS_SHOWN]
        ]
    return overview
