"""Plan versus actual for one stage and channel over a plan's months: pure, no database.

One definition, "to date", for every figure: the months already over, plus the current
month pro-rated by the days elapsed (today included). The target to date is what the plan
asked for by today; the actual to date is everything the CRM recorded up to today (nothing
after today exists yet); the variance is their difference. The pace is what each month
left (the rest of the current month counts as the fraction of it that is left) must bring
to reach the whole target, and the projection carries on at the rate achieved against the
plan so far: actual to date / target to date x the whole target (seasonality included).
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

# The share of the target that must be due before the rate so far says enough to project:
# a future plan whose first lead-in target is 23 of 2,433 leads would otherwise project
# 15,835 from one month's leads.
PROJECT_FROM = Decimal("0.1")


@dataclass(frozen=True)
class Progress:
    target: int  # the whole period
    actual: int  # to date: everything recorded up to today
    target_to_date: int  # months over + the current month's target x the share of it elapsed
    actual_to_date: int  # the same as actual: nothing is recorded after today
    variance: int  # actual_to_date - target_to_date
    months_left: Decimal  # the rest of the current month (a fraction) and the months after it
    pace_needed: int | None  # per month left, to reach the target; None when none are left
    projected: int | None  # at the rate so far; None until a tenth of the target was due


def elapsed_share(today: date) -> Decimal:
    """The share of today's month gone by at the end of today."""
    days = calendar.monthrange(today.year, today.month)[1]
    return Decimal(today.day) / Decimal(days)


def _round(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), ROUND_HALF_UP))


def progress(targets: Mapping[str, int], actuals: Mapping[str, int], today: date) -> Progress:
    """`targets` and `actuals` by month 'YYYY-MM'."""
    current = today.strftime("%Y-%m")
    share = elapsed_share(today)
    months = sorted(targets)
    target = sum(targets.values())
    actual = sum(actuals.get(m, 0) for m in months if m <= current)
    due = sum((Decimal(targets[m]) for m in months if m < current), Decimal(0))
    if current in targets:
        due += Decimal(targets[current]) * share
    target_to_date = _round(due)
    left = Decimal(sum(1 for m in months if m > current))
    if current in targets:
        left += 1 - share
    pace_needed = None
    if left > 0:
        pace_needed = math.ceil(Decimal(max(target - actual, 0)) / left)
    projected = None
    if due > 0 and due >= Decimal(target) * PROJECT_FROM:
        projected = _round(Decimal(actual) / due * Decimal(target))
    return Progress(
        target=target,
        actual=actual,
        target_to_date=target_to_date,
        actual_to_date=actual,
        variance=actual - target_to_date,
        months_left=left,
        pace_needed=pace_needed,
        projected=projected,
    )
