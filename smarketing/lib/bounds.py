"""The bounds on every date, period and size a user gives, written once.

A business means dates from 1990 to 2100, campaigns and plans of a few years, and funnels of
a few dozen stages and channels. Past these, an input is a typo or an attack: a campaign from
year 1 to 9999 marks 119,988 KPI cells and holds a worker for an hour, a plan over the same
period stores 239,976 targets. Models (through their field validators and clean(), which the
services' full_clean() runs), serializers, forms and the calculator all check against these.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from smarketing.lib.months import months_spanned

FIRST_DAY = date(1990, 1, 1)
LAST_DAY = date(2100, 12, 31)
MAX_PERIOD_MONTHS = 60  # a campaign's or a plan's period: five years
MAX_STAGES = 20  # of a calculation or a plan
MAX_CHANNELS = 50  # of a calculation or a plan
MAX_MONTHS = MAX_PERIOD_MONTHS  # of a calculation
STAGE_CODE_LENGTH = 32  # as stored in the stage columns
CHANNEL_CODE_LENGTH = 50  # as stored in the channel code columns
MAX_JSON_DEPTH = 32  # of a request body: the deepest real body is 4 levels


def within_bounds(value: date) -> bool:
    """Whether a date (or the day of a date-time, in UTC like the KPI months) lies between
    FIRST_DAY and LAST_DAY."""
    day = value
    if isinstance(value, datetime):
        try:
            day = (value.astimezone(UTC) if value.tzinfo else value).date()
        except OverflowError:
            return False  # year 1 or 9999 moved past the calendar's ends
    return FIRST_DAY <= day <= LAST_DAY


def validate_business_date(value: date) -> None:
    """A model field's validator: the date lies between FIRST_DAY and LAST_DAY."""
    if value is not None and not within_bounds(value):
        raise ValidationError(
            _("Enter a date from %(first)s to %(last)s."),
            code="date_out_of_bounds",
            params={"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()},
        )


def check_period(first: date | None, last: date | None, *, field: str) -> None:
    """A period lasts at most MAX_PERIOD_MONTHS; the error names `field`, its end."""
    if first is None or last is None or last < first:
        return  # no end, or in the wrong order: the model's own constraint says so
    if months_spanned(first, last) > MAX_PERIOD_MONTHS:
        raise ValidationError({field: period_too_long()}, code="period_too_long")


def period_too_long() -> str:
    return str(
        _("A period lasts at most %(months)s months (%(years)s years).")
        % {"months": MAX_PERIOD_MONTHS, "years": MAX_PERIOD_MONTHS // 12}
    )
