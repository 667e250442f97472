"""Writes of the SLA: the business calendar. Bad input is a ValidationError naming the field
(the API's 400); nothing is written then."""

from __future__ import annotations

from datetime import date, time

from django.db import transaction

from orgs.models import Organization
from sla.models import BusinessCalendar
from sla.selectors import calendar_of
from sla.services.compliance import compliance_mark


@transaction.atomic
def calendar_update(
    *,
    organization: Organization,
    time_zone: str,
    working_days: list[int],
    day_start: time,
    day_end: time,
    holidays_country: str = "",
    extra_holidays: list[date] | None = None,
) -> BusinessCalendar:
    """Set the organisation's calendar (all of it, as PUT does)."""
    calendar = calendar_of(organization)
    calendar.time_zone = time_zone.strip()
    calendar.working_days = sorted(working_days)
    calendar.day_start, calendar.day_end = day_start, day_end
    calendar.holidays_country = holidays_country.strip().upper()
    calendar.extra_holidays = sorted(extra_holidays or [])
    calendar.full_clean(exclude=["organization"])
    calendar.save()
    compliance_mark(organization_id=organization.pk)  # every response time counts anew
    return calendar
