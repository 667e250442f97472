"""Writes of the SLA: the business calendar. Bad input is a ValidationError naming the field
(the API's 400); nothing is written then."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, time
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from orgs.models import Organization
from sla.calendar import MAX_DAYS, after_business_hours
from sla.clock import Terms, longest_clock
from sla.models import AgreementVersion, BusinessCalendar
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
    country = holidays_country.strip()
    calendar.holidays_country = country.upper() if country.isascii() else country  # not ß: SS
    calendar.extra_holidays = sorted(extra_holidays or [])
    calendar.full_clean(exclude=["organization"])
    clocks_run_out(
        calendar, AgreementVersion.objects.filter(organization=organization), field="__all__"
    )  # every version: the clocks of past hand-offs are read by this calendar too
    calendar.save()
    compliance_mark(organization_id=organization.pk)  # every response time counts anew
    return calendar


def clocks_run_out(
    calendar: BusinessCalendar, versions: Iterable[AgreementVersion], *, field: str | None = None
) -> None:
    """Refuse a calendar and terms under which an agreement's longest clock (first touch,
    attempts, decision) started now would not run out within the calendar's horizon: with a
    working week of one short day, 720 business hours take fourteen years. The refusal
    names `field`, or else the term of the longest clock."""
    now = timezone.now()
    working = calendar.working_time(now.year, now.year + MAX_DAYS // 365)
    for terms in {Terms.of(version) for version in versions}:
        hours = longest_clock(terms, working)
        try:
            after_business_hours(now, hours, working)
        except ValueError:
            raise ValidationError({field or _longest_term(terms, hours): _(
                "With this calendar, a clock of %(hours)s business hours would not run out "
                "within five years: give the week more working time, or the agreement "
                "shorter clocks."
            ) % {"hours": _hours(hours)}}) from None  # fmt: skip


def _longest_term(terms: Terms, hours: Decimal) -> str:
    if hours == terms.first_touch_hours:
        return "first_touch_hours"
    return "decision_days" if terms.decision_days >= terms.attempts_days else "attempts_days"


def _hours(hours: Decimal) -> str:
    return formats.number_format(hours, decimal_pos=2 if hours % 1 else 0, use_l10n=True)
