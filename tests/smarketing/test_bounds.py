"""The bounds on dates and periods, at their edges (no database)."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from django.core.exceptions import ValidationError

from smarketing.lib.bounds import (
    check_period,
    validate_business_date,
    within_bounds,
)
from smarketing.lib.months import add_months, month_keys, months_spanned


@pytest.mark.parametrize(
    ("value", "inside"),
    [
        (date(1989, 12, 31), False),
        (date(1990, 1, 1), True),
        (date(2100, 12, 31), True),
        (date(2101, 1, 1), False),
        (datetime(1989, 12, 31, 23, 59, tzinfo=UTC), False),
        (datetime(1990, 1, 1, 0, 0, tzinfo=UTC), True),
        (datetime(2100, 12, 31, 23, 59, tzinfo=UTC), True),
        (datetime(2101, 1, 1, 0, 0, tzinfo=UTC), False),
        (date(1, 1, 1), False),
        (date(9999, 12, 31), False),
    ],
)
def test_it_takes_dates_from_1990_to_2100_only(value, inside):
    assert within_bounds(value) is inside
    if inside:
        validate_business_date(value)
    else:
        with pytest.raises(ValidationError, match="from 1990-01-01 to 2100-12-31"):
            validate_business_date(value)


def test_it_counts_the_months_a_period_touches():
    assert months_spanned(date(2026, 1, 1), date(2026, 1, 31)) == 1
    assert months_spanned(date(2026, 1, 31), date(2026, 2, 1)) == 2
    assert months_spanned(date(2026, 1, 1), date(2030, 12, 31)) == 60


def test_a_period_of_60_months_is_accepted_and_61_refused_naming_its_end():
    check_period(date(2026, 1, 1), date(2030, 12, 31), field="end_date")
    check_period(date(2026, 1, 1), None, field="end_date")  # open-ended: nothing to bound

    with pytest.raises(ValidationError) as error:
        check_period(date(2026, 1, 1), date(2031, 1, 1), field="end_date")

    assert error.value.message_dict == {"end_date": ["A period lasts at most 60 months (5 years)."]}


def test_a_date_time_is_bounded_by_its_day_in_utc():
    plus_two = timezone(timedelta(hours=2))

    assert not within_bounds(datetime(1990, 1, 1, 1, 0, tzinfo=plus_two))  # 1989-12-31 in UTC
    assert within_bounds(datetime(2101, 1, 1, 1, 0, tzinfo=plus_two))  # 2100-12-31 in UTC
    assert not within_bounds(datetime(1, 1, 1, 0, 0, tzinfo=plus_two))  # before year 1 in UTC


def test_months_are_counted_and_listed_across_years():
    assert add_months(date(2026, 11, 1), 3) == date(2027, 2, 1)
    assert add_months(date(2026, 1, 1), -1) == date(2025, 12, 1)
    assert month_keys(date(2026, 11, 15), date(2027, 2, 1)) == [
        "2026-11",
        "2026-12",
        "2027-01",
        "2027-02",
    ]
    assert month_keys(date(2027, 1, 1), date(2026, 12, 1)) == []
