"""The SLA's panel on a lead's page: its latest hand-off's clock (response in business hours,
the window, attempts, the decision, breaches) and, while it waits, sales' buttons."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from crm.selectors import stage_with_role
from orgs.permissions import Action, can
from sla.models import RejectionReason
from sla.selectors import version_for
from sla.services import lead_sla


def lead_panel(request: HttpRequest, lead: Any) -> str:
    """The panel's HTML, or "" for a lead never handed over to sales."""
    organization = request.organization  # type: ignore[attr-defined]
    clock = lead_sla(organization, lead, now=timezone.now())
    if clock.handoff_at is None:
        return ""
    waiting = clock.decision is None and lead.stage == stage_with_role(organization, "handoff")
    version = version_for(organization, clock.handoff_at)
    reasons = version.rejection_reasons if version else list(RejectionReason.values)
    context = {
        "clock": clock,
        "lead": lead,
        "agreement": version,
        "waiting": waiting,
        "may_decide": waiting and can(request.membership.role, Action.DECIDE_MQLS),  # type: ignore[attr-defined]
        "reasons": [(r, RejectionReason(r).label) for r in reasons],
        "here": request.get_full_path(),
    }
    return render_to_string("sla/_lead_panel.html", context, request=request)
