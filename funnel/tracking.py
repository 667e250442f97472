"""Plan versus actual for one stage and channel over a plan's months: pure, no database.

Months before the current one are complete; the current month is in progress and counts
as neither done nor to do for the pace, so a plan is not judged on a month half gone.
The projection assumes the rest of the period goes at the pace achieved so far against
the plan (seasonality included): actual to date / target to date x the whole target.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class Progress:
    target: int  # the whole period
    actual: int  # so far, the current month included
    target_to_date: int  # complete months
    actual_to_date: int  # complete months
    variance: int  # actual_to_date - target_to_date
    months_left: int  # the current month and those after it
    pace_needed: int | None  # per month left, to reach the target; None when none are left
    projected: int | None  # at the pace so far; None before a complete month


def progress(
    targets: Mapping[str, int], actuals: Mapping[str, int], current_month: str
) -> Progress:
    """`targets` and `actuals` by month 'YYYY-MM'; `current_month` is today's."""
    months = sorted(targets)
    done = [m for m in months if m < current_month]
    left = [m for m in months if m >= current_month]
    target = sum(targets.values())
    actual = sum(actuals.get(m, 0) for m in months)
    target_to_date = sum(targets[m] for m in done)
    actual_to_date = sum(actuals.get(m, 0) for m in done)
    still_needed = max(target - actual_to_date, 0)
    pace_needed = math.ceil(still_needed / len(left)) if left else None
    projected = None
    if done and target_to_date:
        scaled = Decimal(actual_to_date) / Decimal(target_to_date) * Decimal(target)
        projected = int(scaled.quantize(Decimal(1), ROUND_HALF_UP))
    elif done and not left:
        projected = actual_to_date
    return Progress(
        target=target,
        actual=actual,
        target_to_date=target_to_date,
        actual_to_date=actual_to_date,
        variance=actual_to_date - target_to_date,
        months_left=len(left),
        pace_needed=pace_needed,
        projected=projected,
    )
