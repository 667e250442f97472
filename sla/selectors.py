"""Reads of the SLA: the organisation's business calendar (its defaults until it sets one)."""

from __future__ import annotations

from datetime import date, timedelta

from orgs.models import Organization
from sla.models import WEEKDAYS, BusinessCalendar, public_holidays


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
