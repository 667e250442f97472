"""Business time, pure: how much working time lies between two instants, and when a number
of working hours after an instant runs out, by one organisation's calendar (its time zone,
working days, working hours and holidays). Response times of the Sales-Marketing SLA count
only this time: a hand-off at 17:30 on a Friday answered at 09:45 on Monday took 1.25
business hours with a 09:00 to 18:00 day.

Each working day's hours are placed in the organisation's time zone, so a day that changes
to or from summer time keeps its wall-clock hours (09:00 to 18:00) and counts the real time
between them. No ORM, clock or settings.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

HOUR = Decimal(3600)
# A clock that runs over this many calendar days without finding its working hours gives
# up: a calendar whose every day is a holiday has none.
MAX_DAYS = 366 * 5


@dataclass(frozen=True)
class WorkingTime:
    zone: ZoneInfo
    working_days: frozenset[int]  # ISO weekdays: Monday 1 ... Sunday 7
    day_start: time
    day_end: time
    holidays: frozenset[date]

    def is_working_day(self, day: date) -> bool:
        return day.isoweekday() in self.working_days and day not in self.holidays

    def hours_of(self, day: date) -> tuple[datetime, datetime]:
        """The working hours of a day, placed in the organisation's time zone, as instants in
        UTC: Python subtracts two times of one zone by their wall clocks, which would count a
        day of a summer-time change an hour long or short."""
        return (
            datetime.combine(day, self.day_start, tzinfo=self.zone).astimezone(UTC),
            datetime.combine(day, self.day_end, tzinfo=self.zone).astimezone(UTC),
        )

    def windows(self, first: date, last: date) -> Iterator[tuple[datetime, datetime]]:
        """The working hours of each working day from `first` to `last`, in order."""
        day = first
        while day <= last:
            if self.is_working_day(day):
                yield self.hours_of(day)
            day += timedelta(days=1)


def _local_day(instant: datetime, zone: ZoneInfo) -> date:
    return instant.astimezone(zone).date()


def business_seconds(start: datetime, end: datetime, calendar: WorkingTime) -> int:
    """The working seconds between two aware instants (0 when `end` is not after `start`)."""
    if end <= start:
        return 0
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    seconds = 0.0
    for opens, closes in calendar.windows(
        _local_day(start, calendar.zone), _local_day(end, calendar.zone)
    ):
        overlap = (min(end, closes) - max(start, opens)).total_seconds()
        if overlap > 0:
            seconds += overlap
    return round(seconds)


def business_hours(start: datetime, end: datetime, calendar: WorkingTime) -> Decimal:
    """The working hours between two instants, exact to the second, given to two places
    ("1.25")."""
    return (Decimal(business_seconds(start, end, calendar)) / HOUR).quantize(
        Decimal("0.01"), ROUND_HALF_UP
    )


def after_business_hours(start: datetime, hours: Decimal, calendar: WorkingTime) -> datetime:
    """The instant at which `hours` working hours after `start` have gone by: the deadline
    of a clock started at `start`. A clock started outside working hours starts at the next
    opening. Raises ValueError for a calendar with no working hours within MAX_DAYS."""
    left = float(hours * HOUR)
    start = start.astimezone(UTC)
    day = _local_day(start, calendar.zone)
    for _ in range(MAX_DAYS):
        if calendar.is_working_day(day):
            opens, closes = calendar.hours_of(day)
            begin = max(start, opens)
            if begin < closes:
                available = (closes - begin).total_seconds()
                if left <= available:
                    return begin + timedelta(seconds=left)
                left -= available
        day += timedelta(days=1)
    raise ValueError("this calendar has no working hours")


@dataclass(frozen=True)
class Windows:
    """A calendar's working hours from one day to another as plain numbers, for set-based
    arithmetic (sla.compliance_sql): each window's opening and closing in seconds since the
    epoch, and the working seconds of the windows before it. The working seconds between
    two instants are cumulative(b) - cumulative(a); the deadline `s` seconds after `a` is
    instant_at(cumulative(a) + s)."""

    opens: list[float]
    closes: list[float]
    before: list[float]

    def cumulative(self, epoch: float) -> float:
        """Working seconds from the first window's opening to `epoch`."""
        i = bisect_right(self.opens, epoch)  # windows opened at or before it
        if i == 0:
            return 0.0
        i -= 1
        return self.before[i] + min(max(epoch - self.opens[i], 0.0), self.closes[i] - self.opens[i])

    @property
    def shifts(self) -> list[float]:
        """Each window's opening less the working seconds before it: an instant within window
        i is its cumulated working seconds plus shifts[i] (exact: both are whole seconds)."""
        return [o - b for o, b in zip(self.opens, self.before, strict=True)]

    def instant_at(self, cumulated: float) -> float:
        """The epoch at which `cumulated` working seconds have gone by: within the last
        window that opened before them (a deadline at a closing is that closing)."""
        i = max(bisect_left(self.before, cumulated) - 1, 0)
        return cumulated + (self.opens[i] - self.before[i])


def windows_between(calendar: WorkingTime, first: date, last: date) -> Windows:
    """The calendar's working windows from `first` to `last` (local days), as Windows."""
    opens, closes, before, total = [], [], [], 0.0
    for start, end in calendar.windows(first, last):
        opens.append(start.timestamp())
        closes.append(end.timestamp())
        before.append(total)
        total += (end - start).total_seconds()
    return Windows(opens, closes, before)
