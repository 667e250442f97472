"""The Sales-Marketing SLA: the organisation's business calendar (the time its response
times count), and, as the issue goes on, the agreement both managers sign."""

from __future__ import annotations

import zoneinfo
from datetime import date, time
from functools import lru_cache
from typing import ClassVar

import holidays
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from orgs.models import OrgScopedModel
from sla.calendar import WorkingTime
from smarketing.lib.bounds import validate_business_date

MAX_EXTRA_HOLIDAYS = 100
WEEKDAYS = [1, 2, 3, 4, 5]


def validate_time_zone(name: str) -> None:
    if name not in zoneinfo.available_timezones():
        raise ValidationError(
            _("%(name)s is not a time zone of the IANA database (like Europe/Rome)."),
            params={"name": name[:64]},
            code="time_zone",
        )


def validate_holidays_country(code: str) -> None:
    if code and code not in holidays.list_supported_countries():
        raise ValidationError(
            _("No public holidays are known for %(code)s: give an ISO 3166 country code like IT."),
            params={"code": code[:8]},
            code="holidays_country",
        )


@lru_cache(maxsize=256)
def public_holidays(country: str, first_year: int, last_year: int) -> frozenset[date]:
    """The country's public holidays of those years (the `holidays` package)."""
    if not country:
        return frozenset()
    return frozenset(holidays.country_holidays(country, years=range(first_year, last_year + 1)))


class BusinessCalendar(OrgScopedModel):
    """When the organisation works: its time zone, working days (ISO weekdays, Monday 1),
    working hours, and holidays (its country's public ones and its own dates). The SLA's
    response times count only this time."""

    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone]
    )
    working_days = ArrayField(
        models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(7)]),
        size=7,
        default=list,
        verbose_name=_("working days"),
    )
    day_start = models.TimeField(_("working day starts"), default=time(9))
    day_end = models.TimeField(_("working day ends"), default=time(18))
    holidays_country = models.CharField(
        _("public holidays of"), max_length=8, blank=True, validators=[validate_holidays_country]
    )
    extra_holidays = ArrayField(
        models.DateField(validators=[validate_business_date]),
        size=MAX_EXTRA_HOLIDAYS,
        default=list,
        blank=True,
        verbose_name=_("the organisation's own holidays"),
    )

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organization"], name="sla_calendar_one_per_org"),
            models.CheckConstraint(
                condition=Q(day_end__gt=F("day_start")),
                name="sla_calendar_day_in_order",
                violation_error_message=_("A working day ends after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id}: {self.time_zone}"

    def clean(self) -> None:
        days = self.working_days or []
        if not days:
            raise ValidationError({"working_days": _("Name at least one working day.")})
        if len(set(days)) != len(days):
            raise ValidationError({"working_days": _("Name each working day once.")})
        if len(set(self.extra_holidays or [])) != len(self.extra_holidays or []):
            raise ValidationError({"extra_holidays": _("Name each holiday once.")})

    def working_time(self, first_year: int, last_year: int) -> WorkingTime:
        """The calendar as sla.calendar computes with it, with the holidays of those years."""
        own = frozenset(self.extra_holidays or [])
        return WorkingTime(
            zone=zoneinfo.ZoneInfo(self.time_zone),
            working_days=frozenset(self.working_days or WEEKDAYS),
            day_start=self.day_start,
            day_end=self.day_end,
            holidays=public_holidays(self.holidays_country, first_year, last_year) | own,
        )
