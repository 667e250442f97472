"""Reads of the stored drift: what pages and the API show, never computed in a request."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from funnel.models import Plan
from orgs.models import Organization
from reviews.models import DriftSettings, PlanDrift


def drift_settings_of(organization: Organization) -> DriftSettings:
    """The organisation's drift settings; the defaults (unsaved) if it set none."""
    found = DriftSettings.objects.for_org(organization).first()
    return found or DriftSettings(organization=organization)


def drift_of(organization: Organization, *, plan: Plan | None = None) -> QuerySet[PlanDrift]:
    """The stored drift of the organisation's active plans (or of one plan), pair by pair,
    with their plans."""
    rows = PlanDrift.objects.for_org(organization).filter(plan__status=Plan.Status.ACTIVE)
    if plan is not None:
        rows = rows.filter(plan=plan)
    return rows.select_related("plan").order_by("plan__name", "plan_id", "position", "-metric")


def drift_by_plan(organization: Organization) -> list[dict[str, Any]]:
    """Each active plan with its drift rows (none yet for a plan not measured since it was
    activated), by name."""
    plans = Plan.objects.for_org(organization).filter(status=Plan.Status.ACTIVE)
    rows: dict[int, list[PlanDrift]] = {}
    for row in drift_of(organization):
        rows.setdefault(row.plan_id, []).append(row)
    return [
        {"plan": plan, "rows": rows.get(plan.pk, []),
         "at_risk": [row for row in rows.get(plan.pk, []) if row.at_risk]}
        for plan in plans.order_by("name", "-version")
    ]  # fmt: skip
