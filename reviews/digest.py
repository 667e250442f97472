"""The weekly digest of one member: what their role answers for this week, from stored
results only (the plan's targets and KPI facts, objectives' stored progress, the SLA's
scorecards and breaches, the active plans' stored drift), in a fixed number of queries."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.urls import reverse

from crm.selectors import StageRole, stage_names_and_roles
from funnel.selectors import active_plan
from objectives.models import Status
from objectives.selectors import objectives_of, rep_targets_of
from objectives.words import objective_row, rep_target_words
from orgs.models import Membership, Organization, Role
from orgs.selectors import link_into
from reviews import drift
from reviews.drift_words import DriftWords, drift_words
from reviews.overview import open_breaches, plan_overview
from reviews.selectors.drift import drift_of
from sla.compliance import compliance_of
from sla.selectors import calendar_of

OBJECTIVES_SHOWN = 8
DRIFTS_SHOWN = 5  # the costliest; the drift page has them all
# Leadership and admins read every running objective; the others the objectives they own.
READS_ALL_OBJECTIVES = {Role.LEADERSHIP, Role.ADMIN}
# The worrying first, then the rest.
STATUS_ORDER = [Status.OFF_TRACK, Status.AT_RISK, Status.EARLY, Status.ON_TRACK,
                Status.NOT_STARTED, Status.ACHIEVED, Status.MISSED]  # fmt: skip


def week_of(day: date) -> date:
    """The Monday of `day`'s week."""
    return day - timedelta(days=day.weekday())


def digest_of(membership: Membership, *, now: datetime) -> dict[str, Any]:
    """The digest's content for `membership` at `now` (its words are the templates')."""
    organization = membership.organization
    zone = calendar_of(organization).time_zone
    today = now.astimezone(ZoneInfo(zone)).date()
    stage_names, roles = stage_names_and_roles(organization)
    plan = active_plan(organization)
    digest: dict[str, Any] = {
        "membership": membership, "organization": organization, "zone": zone,
        "week": week_of(today), "today": today, "stage_names": stage_names,
        "currency": organization.currency, "plan": None,
        "objectives": _objectives(membership, today),
        "sla": compliance_of(organization, month=None, now=now),
        "breaches": open_breaches(membership, now) if membership.role != Role.LEADERSHIP
        else None,
        **_drifts(organization, stage_names),
        "links": _links(organization),
    }  # fmt: skip
    if digest["breaches"] is not None:
        path = reverse("sla-breaches") + digest["breaches"]["query"]
        digest["links"]["breaches"] = link_into(organization, path)
    if plan is not None:
        digest |= plan_overview(organization, plan, (), today, roles.get(StageRole.HANDOFF))
        digest["links"]["plan"] = link_into(organization, reverse("plan-detail", args=[plan.pk]))
    return digest


def _objectives(membership: Membership, today: date) -> list[dict[str, Any]]:
    organization = membership.organization
    owner = None if membership.role in READS_ALL_OBJECTIVES else membership.pk
    month = today.replace(day=1)
    running = objectives_of(organization, owner=owner, first=month, last=month)
    rows = [objective_row(o, organization.currency, "") for o in running]
    if membership.role == Role.SALES_REP:
        # A rep's part of the sales objectives (their own target) is theirs too.
        targets = rep_targets_of(organization, membership).filter(
            objective__first_month__lte=month, objective__last_month__gte=month
        )
        rows += [rep_target_words(target, organization.currency) for target in targets]
    rows.sort(key=lambda row: (STATUS_ORDER.index(Status(row["status"]["code"])),
                               row["objective"].title))  # fmt: skip
    return rows[:OBJECTIVES_SHOWN]


def _drifts(organization: Organization, stage_names: dict[str, str]) -> dict[str, Any]:
    """The active plans' assumptions at risk, in words in the active language: those that
    cost (or bring) the most customers first, at most DRIFTS_SHOWN of them. One query."""
    rows = drift_of(organization).filter(direction__in=drift.DRIFTS)
    words: list[DriftWords] = [
        drift_words(row, stage_names=stage_names, currency=organization.currency) for row in rows
    ]
    words.sort(key=lambda w: -abs(w.row.customers_delta))  # stable: by plan, then funnel order
    return {"drifts": words[:DRIFTS_SHOWN], "drifts_more": max(0, len(words) - DRIFTS_SHOWN)}


def _links(organization: Organization) -> dict[str, str]:
    """The digest's links into the app, each working in the organisation it is about."""
    return {
        name: link_into(organization, reverse(url_name))
        for name, url_name in (
            ("home", "home"), ("objectives", "objective-list"),
            ("compliance", "sla-compliance"), ("breaches", "sla-breaches"),
            ("notifications", "notification-list"), ("preferences", "notification-preferences"),
            ("digest", "digest-preview"), ("drift", "drift"),
        )
    }  # fmt: skip
