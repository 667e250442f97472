"""Calendar months, written once: plans, KPI facts, bounds and the demo all count in them."""

from __future__ import annotations

import re
from datetime import date

# How a user may write a month (2027-01, or a full date read as its month) and a day
# (2027-08-16): in ASCII digits, not 20270816, 2027-W33-1 or 2027-8-6, which Python's
# parsers would also take.
MONTH_INPUT = re.compile(r"[0-9]{4}-[0-9]{2}(-[0-9]{2})?")
ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, count: int) -> date:
    """The first day of the month `count` months after `month`'s (before it, if negative)."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def months_spanned(first: date, last: date) -> int:
    """How many calendar months a period touches, both ends included."""
    return (last.year - first.year) * 12 + last.month - first.month + 1


def month_keys(first: date, last: date) -> list[str]:
    """ "YYYY-MM" of every month from `first`'s to `last`'s, both included."""
    return [
        f"{month:%Y-%m}"
        for month in (add_months(first, i) for i in range(max(months_spanned(first, last), 0)))
    ]
