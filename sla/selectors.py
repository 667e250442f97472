"""Reads of the SLA: the organisation's business calendar (its defaults until it sets one)
and its agreements with their versions and signatures."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Prefetch, QuerySet

from orgs.models import Organization
from sla.models import (
    WEEKDAYS,
    Agreement,
    AgreementVersion,
    Breach,
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


def time_zones() -> dict[int, str]:
    """Each organisation's time zone, by its id, for those that set a calendar (the others
    are in UTC): one query for a run over every organisation."""
    return dict(BusinessCalendar.objects.values_list("organization_id", "time_zone"))


def time_zone_of(organization_id: int) -> str:
    """The organisation's time zone (its calendar's; UTC if it set none)."""
    found = BusinessCalendar.objects.filter(organization_id=organization_id).values_list(
        "time_zone", flat=True
    )
    return next(iter(found), "UTC")


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


def signed_versions(organization: Organization) -> list[AgreementVersion]:
    """Every version of the organisation's agreements that came into force, with its
    agreement's period, oldest first: what version_at picks from. One query."""
    return list(
        AgreementVersion.objects.filter(organization=organization, in_force_at__isnull=False)
        .select_related("agreement")
        .order_by("agreement__first_month", "number")
    )


def version_at(
    versions: Sequence[AgreementVersion], handoff_at: datetime, zone: ZoneInfo
) -> AgreementVersion | None:
    """The version a hand-off is judged by: of the agreement whose period holds the
    hand-off's day (in the organisation's time zone), the version in force at the hand-off;
    a hand-off before the agreement's first signature is judged by its first version (the
    period is what both teams signed for); None without an agreement for that day."""
    day = handoff_at.astimezone(zone).date()
    covering = [
        v
        for v in versions
        if v.agreement.first_month <= day.replace(day=1) <= v.agreement.last_month
    ]
    if not covering:
        return None
    in_force = [v for v in covering if v.in_force_at and v.in_force_at <= handoff_at]
    return in_force[-1] if in_force else covering[0]


def version_for(organization: Organization, handoff_at: datetime) -> AgreementVersion | None:
    """version_at for one hand-off. Two queries."""
    zone = ZoneInfo(calendar_of(organization).time_zone)
    return version_at(signed_versions(organization), handoff_at, zone)


def decision_on(organization: Organization, lead_id: int, handoff_at: Any) -> Decision | None:
    return (
        Decision.objects.for_org(organization)
        .filter(lead_id=lead_id, handoff_at=handoff_at)
        .first()
    )


def breaches_of(
    organization: Organization, *, side: str | None = None, kind: str | None = None,
    still_open: bool | None = None, month: date | None = None, owner_id: int | None = None,
    due_since: datetime | None = None,
) -> QuerySet[Breach]:  # fmt: skip
    """The organisation's breaches, the latest deadline first, with their lead and owner."""
    found = Breach.objects.for_org(organization).select_related("lead", "owner")
    if side:
        found = found.filter(side=side)
    if kind:
        found = found.filter(kind=kind)
    if still_open is not None:
        found = found.filter(resolved_at__isnull=still_open)
    if month is not None:
        found = found.filter(month=month)
    if owner_id is not None:
        found = found.filter(owner_id=owner_id)
    if due_since is not None:
        found = found.filter(due__gte=due_since)
    return found.order_by("-due", "-pk")


def signed_agreements(organization: Organization) -> list[Agreement]:
    """The organisation's agreements with a version that came into force, newest period
    first: the periods a scorecard can be read for."""
    return list(
        Agreement.objects.for_org(organization)
        .filter(versions__in_force_at__isnull=False)
        .distinct()
        .order_by("-first_month")
    )


def this_month_of(organization: Organization, now: datetime) -> date:
    """The first day of the month `now` falls in, in the organisation's time zone: what
    compliance counts as the current month."""
    zone = ZoneInfo(calendar_of(organization).time_zone)
    return now.astimezone(zone).date().replace(day=1)
