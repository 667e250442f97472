"""Reads of the SLA: the organisation's business calendar (its defaults until it sets one)
and its agreements with their versions and signatures."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import Prefetch, QuerySet

from orgs.models import Organization
from sla.models import (
    WEEKDAYS,
    Agreement,
    AgreementVersion,
    BusinessCalendar,
    Decision,
    Signature,
    public_holidays,
)


def calendar_of(organization: Organization) -> BusinessCalendar:
    """The organisation's calendar; unsaved defaults (UTC, Monday to Friday, 09:00 to 18:00,
    no holidays) if it never set one."""
    found = BusinessCalendar.objects.for_org(organization).first()
    return found or BusinessCalendar(organization=organization, working_days=list(WEEKDAYS))


def coming_holidays(calendar: BusinessCalendar, *, today: date, days: int = 365) -> list[date]:
    """The calendar's holidays (public and its own) from today to `days` later, in order."""
    last = today + timedelta(days=days)
    public = public_holidays(calendar.holidays_country, today.year, last.year)
    return sorted(d for d in public | set(calendar.extra_holidays or []) if today <= d <= last)


def agreements_of(organization: Organization) -> QuerySet[Agreement]:
    """The organisation's agreements, newest period first, with their versions (newest
    first) and each version's signatures: read without another query per row."""
    versions = AgreementVersion.objects.order_by("-number").prefetch_related(
        Prefetch("signatures", queryset=Signature.objects.order_by("at"))
    )
    return (
        Agreement.objects.for_org(organization)
        .order_by("-first_month")
        .prefetch_related(Prefetch("versions", queryset=versions))
    )


def version_status(version: AgreementVersion) -> str:
    if version.superseded_at:
        return "superseded"
    return "in_force" if version.in_force_at else "draft"


def version_in_force(organization: Organization, *, on: date) -> AgreementVersion | None:
    """The version in force now of the agreement whose period holds `on`, or None."""
    return (
        AgreementVersion.objects.filter(
            organization=organization,
            agreement__first_month__lte=on,
            agreement__last_month__gte=on.replace(day=1),
            in_force_at__isnull=False,
            superseded_at__isnull=True,
        )
        .order_by("-number")
        .first()
    )


def decision_on(organization: Organization, lead_id: int, handoff_at: Any) -> Decision | None:
    return (
        Decision.objects.for_org(organization)
        .filter(lead_id=lead_id, handoff_at=handoff_at)
        .first()
    )
