"""Drift: a plan's assumptions against what its latest cohorts show. Pure functions over
plain data; no database, clock or settings (`today` is passed in).

A stage pair's cohort is the leads that entered its first stage in a rolling window of
days (the organisation's, 90 by default), as `funnel.assumptions` defines cohorts. Each
figure comes with a 95 % confidence interval, and drifts when the interval lies wholly
below or wholly above the plan's assumption:

- A conversion rate: the Wilson score interval, which stays inside [0, 1] and keeps its
  coverage for small cohorts and rates near 0 or 1, where the textbook (Wald) interval
  does neither.
- A stage time (the median days of the leads that moved on): the distribution-free
  interval for a median from order statistics. Of n durations sorted, the j-th smallest
  lies below the true median with a binomial(n, 1/2) chance, so [x(j), x(n+1-j)] covers
  it with probability 1 - 2 P(B <= j-1); j is the largest that keeps that at 95 %. Stage
  times are skewed (most leads move in days, a few in months), so an interval that
  assumed a normal or exponential shape would be wrong where it matters, and a bootstrap
  would make a stored result depend on a random seed. It needs six durations at least.

Cohorts are measured once they are mature. A lead that entered yesterday has had no time
to move on, so a window ending today would count it as lost and every rate would drift
below its assumption. The window ends MATURITY times the plan's stage time before today
(DEFAULT_MATURITY_DAYS when the plan states none): for durations spread like an
exponential around that median, seven eighths of the leads that will move on have moved
by then.

What a drift means, "at current rates": the customers the plan still expects (the months
ahead, this month by its days left) are taken back through its reverse funnel to the
leads they need at the assumed rates, then forwards again with the measured rate in
place of the assumed one; the difference, in whole customers and in revenue at the plan's
deal size. A slower stage time moves that many days' worth of those customers past the
plan's end (a faster one brings as many in). The measured figure is used, not the bound
of its interval nearer the assumption: that is what "at current rates" says, and the
interval beside it says how sure the figure is.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from funnel.calculations import DAYS_PER_MONTH
from funnel.planning import left_share

CONFIDENCE = 0.95
# A cohort is measured once this many times the plan's stage time has passed since it
# entered the stage (capped), or DEFAULT_MATURITY_DAYS when the plan states no time.
MATURITY = 3
DEFAULT_MATURITY_DAYS = 30
MAX_MATURITY_DAYS = 365
RATE_STEP = Decimal("0.0001")  # as funnel.assumptions writes a learned rate
DAYS_STEP = Decimal("0.1")  # and a learned stage time
ASSUMED_STEP = Decimal("0.0001")  # a plan's figure as stored beside the measured one

RATE, DAYS = "rate", "days"
BELOW, ABOVE, WITHIN, UNMEASURED = "below", "above", "within", "unmeasured"
DRIFTS = (BELOW, ABOVE)

# (when a lead entered the stage, days it took to move on or None): funnel's Entry.
Cohort = Sequence[tuple[datetime, float | None]]


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


@dataclass(frozen=True)
class Measure:
    """One assumption of a plan against its cohort."""

    metric: str  # RATE or DAYS
    assumed: Decimal
    measured: Decimal | None
    low: Decimal | None
    high: Decimal | None
    sample: int  # leads that entered (a rate), leads that moved on (a stage time)
    direction: str  # BELOW, ABOVE, WITHIN or UNMEASURED

    @property
    def drifts(self) -> bool:
        return self.direction in DRIFTS


def z_score(confidence: float = CONFIDENCE) -> float:
    """The standard normal quantile of a two-sided interval: 1.96 for 95 %."""
    return statistics.NormalDist().inv_cdf(0.5 + confidence / 2)


def wilson(successes: int, trials: int, confidence: float = CONFIDENCE) -> Interval:
    """The Wilson score interval of a rate of `successes` in `trials`."""
    if trials <= 0 or not 0 <= successes <= trials:
        raise ValueError(f"{successes} of {trials} is not a rate")
    z = z_score(confidence)
    share = successes / trials
    spread = z * z / trials
    centre = (share + spread / 2) / (1 + spread)
    half = z / (1 + spread) * math.sqrt(share * (1 - share) / trials + spread / (4 * trials))
    return Interval(max(0.0, centre - half), min(1.0, centre + half))


def order_statistic(count: int, confidence: float = CONFIDENCE) -> int:
    """The largest j with P(B <= j - 1) <= (1 - confidence) / 2 for B ~ binomial(count,
    1/2): [x(j), x(count + 1 - j)] covers the median at least that often; 0 when no j
    does (too few values)."""
    tail = (1 - confidence) / 2
    whole = math.lgamma(count + 1) - count * math.log(2)
    cumulative, rank = 0.0, 0
    for k in range(count // 2 + 1):
        cumulative += math.exp(whole - math.lgamma(k + 1) - math.lgamma(count - k + 1))
        if cumulative > tail + 1e-12:
            break
        rank = k + 1
    return rank


def median_interval(durations: Sequence[float], confidence: float = CONFIDENCE) -> Interval | None:
    """The distribution-free confidence interval of the median of `durations`; None when
    there are too few for it (fewer than six at 95 %)."""
    ordered = sorted(durations)
    rank = order_statistic(len(ordered), confidence)
    if rank == 0:
        return None
    return Interval(ordered[rank - 1], ordered[len(ordered) - rank])


def judged(assumed: Decimal, low: Decimal, high: Decimal) -> str:
    """BELOW or ABOVE when the interval lies wholly on one side of the assumption."""
    if high < assumed:
        return BELOW
    if low > assumed:
        return ABOVE
    return WITHIN


def _rate(value: float) -> Decimal:
    return Decimal(str(value)).quantize(RATE_STEP, ROUND_HALF_UP)


def _days(value: float) -> Decimal:
    return Decimal(str(value)).quantize(DAYS_STEP, ROUND_HALF_UP)


def measure_rate(cohort: Cohort, assumed: Decimal) -> Measure:
    """The share of the cohort that moved on, its Wilson interval and its drift."""
    assumed = assumed.quantize(ASSUMED_STEP, ROUND_HALF_UP)
    entered = len(cohort)
    if not entered:
        return Measure(RATE, assumed, None, None, None, 0, UNMEASURED)
    reached = sum(1 for _at, days in cohort if days is not None)
    interval = wilson(reached, entered)
    low, high = _rate(interval.low), _rate(interval.high)
    return Measure(
        RATE, assumed, _rate(reached / entered), low, high, entered, judged(assumed, low, high)
    )


def measure_days(cohort: Cohort, assumed: Decimal | None) -> Measure | None:
    """The median days the leads that moved on took, its interval and its drift; None
    when the plan assumes no stage time (0 or none: it plans every stage in one month)."""
    if assumed is None or assumed <= 0:
        return None
    assumed = assumed.quantize(ASSUMED_STEP, ROUND_HALF_UP)
    durations = [days for _at, days in cohort if days is not None]
    if not durations:
        return Measure(DAYS, assumed, None, None, None, 0, UNMEASURED)
    measured = _days(statistics.median(durations))
    interval = median_interval(durations)
    if interval is None:
        return Measure(DAYS, assumed, measured, None, None, len(durations), UNMEASURED)
    low, high = _days(interval.low), _days(interval.high)
    return Measure(DAYS, assumed, measured, low, high, len(durations), judged(assumed, low, high))


def maturity(assumed_days: Decimal | None) -> int:
    """Days a cohort needs before it is measured: MATURITY times the plan's stage time."""
    if assumed_days is None or assumed_days <= 0:
        return DEFAULT_MATURITY_DAYS
    return min(math.ceil(assumed_days * MATURITY), MAX_MATURITY_DAYS)


def cohort_window(today: date, window_days: int, assumed_days: Decimal | None) -> tuple[date, date]:
    """[start, end) of the days whose cohort of a stage pair is measured: `window_days`
    ending when the youngest lead in it is mature."""
    end = today - timedelta(days=maturity(assumed_days))
    return end - timedelta(days=window_days), end


def in_window(cohort: Cohort, start: date, end: date) -> list[tuple[datetime, float | None]]:
    """The leads of `cohort` that entered in [start, end) (their UTC day)."""
    return [entry for entry in cohort if start <= entry[0].date() < end]


@dataclass(frozen=True)
class Ahead:
    """A month of the plan still ahead: the customers it targets still to come, and how
    much of it is left (1, or the current month's share of days left)."""

    month: str  # YYYY-MM
    customers: Decimal
    length: Decimal


def customers_ahead(targets: Mapping[str, int], today: date) -> list[Ahead]:
    """The plan's customer targets by month 'YYYY-MM' still to come after today, in order."""
    current = today.strftime("%Y-%m")
    share = left_share(today)
    ahead = []
    for month in sorted(targets):
        if month > current:
            ahead.append(Ahead(month, Decimal(targets[month]), Decimal(1)))
        elif month == current and share > 0:
            ahead.append(Ahead(month, Decimal(targets[month]) * share, share))
    return ahead


def rate_impact(
    ahead: Sequence[Ahead], rates: Sequence[Decimal], index: int, measured: Decimal
) -> Decimal:
    """Customers gained (negative: missed) of those ahead when the pair `index` converts at
    `measured` instead of rates[index]: the reverse funnel back to the leads they need at
    the assumed rates, then forwards again at the measured one."""
    customers = sum((month.customers for month in ahead), Decimal(0))
    leads = customers
    for rate in rates:
        leads /= rate
    forwards = leads
    for i, rate in enumerate(rates):
        forwards *= measured if i == index else rate
    return forwards - customers


def days_impact(ahead: Sequence[Ahead], delay_days: Decimal) -> Decimal:
    """Customers gained (negative: missed) of those ahead when leads take `delay_days`
    longer: that many days' worth at the end of the plan slip past it (or, when faster,
    as many come in)."""
    span = abs(delay_days) / DAYS_PER_MONTH  # months
    moved = Decimal(0)
    for month in reversed(ahead):
        if span <= 0:
            break
        taken = min(month.length, span)
        moved += month.customers * taken / month.length
        span -= taken
    return -moved if delay_days > 0 else moved


def whole(value: Decimal) -> int:
    """Customers are whole: the nearer, halves away from zero."""
    return int(value.quantize(Decimal(1), ROUND_HALF_UP))


def revenue(customers: int, deal_size: Decimal) -> Decimal:
    """Whole customers at the plan's deal size, to the cent."""
    return (deal_size * customers).quantize(Decimal("0.01"), ROUND_HALF_UP)
