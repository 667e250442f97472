"""Business time, without a database: weekends, holidays, hand-offs outside working hours,
time zones and summer time, and the properties any two instants must keep."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sla.calendar import (
    WorkingTime,
    after_business_hours,
    business_hours,
    business_seconds,
    windows_between,
)

ROME = ZoneInfo("Europe/Rome")
WEEK = WorkingTime(ROME, frozenset({1, 2, 3, 4, 5}), time(9), time(18), frozenset())


def rome(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ROME)


def test_a_friday_evening_hand_off_answered_on_monday_morning():
    # 17:30 to 18:00 on Friday, 09:00 to 09:45 on Monday.
    assert business_hours(rome("2027-01-15 17:30"), rome("2027-01-18 09:45"), WEEK) == Decimal(
        "1.25"
    )


def test_a_hand_off_outside_working_hours_starts_the_clock_at_the_next_opening():
    assert business_hours(rome("2027-01-15 22:00"), rome("2027-01-18 10:00"), WEEK) == 1
    assert business_hours(rome("2027-01-16 11:00"), rome("2027-01-17 15:00"), WEEK) == 0  # weekend


def test_holidays_do_not_count():
    with_epiphany = WorkingTime(
        ROME, WEEK.working_days, time(9), time(18), frozenset({date(2027, 1, 6)})
    )
    start, end = rome("2027-01-05 17:00"), rome("2027-01-07 10:00")

    assert business_hours(start, end, WEEK) == 11
    assert business_hours(start, end, with_epiphany) == 2


def test_instants_in_other_time_zones_count_by_the_organisations_hours():
    # 08:30 UTC is 09:30 in Rome in winter, 10:30 in summer.
    assert business_hours(
        rome("2027-01-15 09:00"), datetime(2027, 1, 15, 8, 30, tzinfo=UTC), WEEK
    ) == Decimal("0.5")
    assert business_hours(
        rome("2027-07-15 09:00"), datetime(2027, 7, 15, 8, 30, tzinfo=UTC), WEEK
    ) == Decimal("1.5")


def test_a_summer_time_change_inside_working_hours_counts_the_real_time():
    # Rome moves its clocks from 02:00 to 03:00 on 28 March 2027: a 01:00 to 05:00 day lasts
    # three hours that Sunday and four the Sunday before.
    nights = WorkingTime(ROME, frozenset(range(1, 8)), time(1), time(5), frozenset())
    assert business_hours(rome("2027-03-28 00:00"), rome("2027-03-28 23:00"), nights) == 3
    assert business_hours(rome("2027-03-21 00:00"), rome("2027-03-21 23:00"), nights) == 4
    # Back on 31 October 2027, 03:00 becomes 02:00 again: five hours.
    assert business_hours(rome("2027-10-31 00:00"), rome("2027-10-31 23:00"), nights) == 5


def test_the_deadline_of_a_clock_skips_nights_weekends_and_holidays():
    assert after_business_hours(rome("2027-01-15 17:30"), Decimal("1.25"), WEEK) == rome(
        "2027-01-18 09:45"
    )
    assert after_business_hours(rome("2027-01-16 12:00"), Decimal(4), WEEK) == rome(
        "2027-01-18 13:00"
    )
    assert after_business_hours(rome("2027-01-15 10:00"), Decimal(0), WEEK) == rome(
        "2027-01-15 10:00"
    )


def test_a_calendar_without_working_hours_has_no_deadline():
    never = WorkingTime(ROME, frozenset(), time(9), time(18), frozenset())
    with pytest.raises(ValueError, match="no working hours"):
        after_business_hours(rome("2027-01-15 10:00"), Decimal(1), never)
    assert business_hours(rome("2027-01-01 00:00"), rome("2027-12-31 00:00"), never) == 0


instants = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)
calendars = st.builds(
    lambda days, start, length, zone: WorkingTime(
        ZoneInfo(zone),
        frozenset(days),
        time(start),
        time(start + length),
        frozenset({date(2027, 1, 1)}),
    ),
    st.sets(st.integers(1, 7), min_size=1),
    st.integers(0, 12),
    st.integers(1, 11),
    st.sampled_from(["Europe/Rome", "America/New_York", "Asia/Kolkata", "Australia/Sydney", "UTC"]),
)


@settings(max_examples=200, deadline=None)
@given(instants, instants, instants, calendars)
def test_business_time_adds_up_and_never_exceeds_the_clock(a, b, c, calendar):
    a, b, c = sorted((a, b, c))

    whole = business_seconds(a, c, calendar)

    # Each part is rounded to the second: they add up to the whole within a second.
    parts = business_seconds(a, b, calendar) + business_seconds(b, c, calendar)
    assert abs(whole - parts) <= 1
    assert 0 <= whole <= (c - a).total_seconds()
    assert business_seconds(c, a, calendar) == 0


@settings(max_examples=200, deadline=None)
@given(instants, st.integers(0, 200 * 60), calendars)
def test_the_deadline_is_exactly_that_much_working_time_later(start, minutes, calendar):
    deadline = after_business_hours(start, Decimal(minutes) / 60, calendar)

    assert deadline >= start
    assert business_seconds(start, deadline, calendar) == minutes * 60
    # and no earlier instant has that much: one second less is short of it
    if minutes:
        assert business_seconds(start, deadline - timedelta(seconds=1), calendar) < minutes * 60


WIDE = (date(2025, 12, 1), date(2029, 2, 1))


@settings(max_examples=200, deadline=None)
@given(instants, instants, calendars)
def test_the_windows_as_numbers_count_what_the_calendar_counts(a, b, calendar):
    # The arrays the compliance statement computes with, against the day-by-day walk.
    a, b = sorted((a, b))
    windows = windows_between(calendar, *WIDE)

    counted = windows.cumulative(b.timestamp()) - windows.cumulative(a.timestamp())

    assert round(counted) == business_seconds(a, b, calendar)


@settings(max_examples=200, deadline=None)
@given(instants, st.integers(1, 200 * 60), calendars)
def test_the_windows_find_the_same_deadline(start, minutes, calendar):
    # (Every term of an agreement is a quarter of an hour at least.)
    windows = windows_between(calendar, *WIDE)

    due = windows.instant_at(windows.cumulative(start.timestamp()) + minutes * 60)

    expected = after_business_hours(start, Decimal(minutes) / 60, calendar)
    assume(expected.date() < WIDE[1])  # the windows are built to hold every deadline
    assert abs(due - expected.timestamp()) < 1e-3


def test_a_deadline_that_falls_on_a_closing_is_that_closing_not_the_next_opening():
    windows = windows_between(WEEK, date(2027, 1, 1), date(2027, 1, 31))
    friday_morning = rome("2027-01-15 09:00").timestamp()

    due = windows.instant_at(windows.cumulative(friday_morning) + 9 * 3600)

    assert datetime.fromtimestamp(due, UTC) == rome("2027-01-15 18:00")
