"""The demo's buyer personas: one that both teams approved, measured against every lead of
the demo's history, and one awaiting the sales side's approval."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from crm.journal import mark_every_lead
from orgs.models import Membership, Organization, Role
from personas.fits import fits_refresh
from personas.models import Persona
from personas.services import persona_approve, persona_create

APPROVED: dict[str, Any] = {
    "name": "Growing software and finance firms",
    "description": "Companies of 50 to 1,000 people in software or finance, found by referral or at events.",
    "decision_maker": "The head of operations, with the CFO signing",
    "role_title": "Head of operations, COO",
    "goals": "Scale the team without losing control of the numbers",
    "pains": "Spreadsheets that no longer add up; long onboarding",
    "industries": "Software, finance",
    "company_sizes": "50-1,000 employees",
    "channels": "Referral, events",
    "threshold": 60,
    "criteria": [
        {"kind": "industry_in", "weight": 3, "params": {"values": ["software", "finance"]}},
        {"kind": "employees_between", "weight": 2, "params": {"min": 50, "max": 1000}},
        {"kind": "channel_in", "weight": 1, "params": {"values": ["referral", "event"]}},
    ],
}
AWAITING: dict[str, Any] = {
    "name": "Healthcare enterprises",
    "description": "Hospitals and clinics groups of more than 1,000 people.",
    "industries": "Healthcare",
    "company_sizes": "1,000+ employees",
    "threshold": 70,
    "criteria": [
        {"kind": "industry_in", "weight": 2, "params": {"values": ["healthcare"]}},
        {"kind": "employees_between", "weight": 1, "params": {"min": 1000}},
    ],
}


@transaction.atomic
def seed_personas(*, organization: Organization) -> int:
    """Add the demo's personas to an organisation that has none; return how many were made.
    Its leads are measured at once, before the demo's KPIs are computed."""
    if Persona.objects.for_org(organization).exists():
        return 0
    managers = {
        m.role: m
        for m in Membership.objects.for_org(organization).select_related("user")
        if m.role in (Role.MARKETING_MANAGER, Role.SALES_MANAGER)
    }
    marketing, sales = managers.get(Role.MARKETING_MANAGER), managers.get(Role.SALES_MANAGER)
    if marketing is None or sales is None:
        return 0
    approved = persona_create(organization=organization, by=marketing.user, **APPROVED)
    persona_approve(persona=approved, membership=marketing, side="marketing")
    persona_approve(persona=approved, membership=sales, side="sales")
    awaiting = persona_create(organization=organization, by=marketing.user, **AWAITING)
    persona_approve(persona=awaiting, membership=marketing, side="marketing")
    mark_every_lead(organization.pk)
    fits_refresh(organization_id=organization.pk)
    return 2
