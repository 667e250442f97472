"""The arithmetic of objectives, pure (no ORM, clock or settings: `today` is passed in):
the history of a metric against a target, the seeded probability of reaching it, progress
to date, and splitting a team's target among its reps so the parts add up exactly.

A month is a mapping of its parts (leads, won_revenue, won_deals, closed_deals, cost,
response_minutes ...); an ObjectiveMetric says which parts make its value.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np

from objectives.metrics import Direction, Kind, ObjectiveMetric
from smarketing.lib.decimals import plain_decimal
from smarketing.lib.months import add_months, months_spanned

Parts = Mapping[str, Any]

HISTORY_MONTHS = 24  # the history a target is checked against
MIN_HISTORY = 3  # months with data below which the history says too little to judge
DRAWS = 4000  # resampled periods per probability
SEED = 20_271  # fixed: the same inputs give the same probability
MEDIAN_KEEP = 60  # response times kept per month when resampling (evenly spaced quantiles)
# The verdicts, by the probability of reaching the target (written on the metric page).
ACHIEVABLE_FROM = Decimal("0.5")
STRETCH_FROM = Decimal("0.1")
# Progress: within this share of the target (or of what is expected by now) is "at risk".
AT_RISK_WITHIN = Decimal("0.1")
# The share of the period's expected total that must be due before a projection is made.
PROJECT_FROM = Decimal("0.1")
Q2 = Decimal("0.01")


def period_months(first: date, last: date) -> list[date]:
    return [add_months(first, i) for i in range(months_spanned(first, last))]


def history_window(today: date) -> tuple[date, date]:
    """The last HISTORY_MONTHS complete months before today's."""
    last = add_months(today.replace(day=1), -1)
    return add_months(last, -(HISTORY_MONTHS - 1)), last


def monthly_values(
    metric: ObjectiveMetric, history: Mapping[date, Parts], first: date, last: date
) -> list[Decimal]:
    """The metric's value in each month of the window that has one (a month without data
    counts 0 for sums: nothing happened; rates and times of a month without data have none)."""
    values = []
    for month in period_months(first, last):
        value = metric.value([history.get(month, {})])
        if value is not None and (metric.kind == Kind.SUM or month in history):
            values.append(value)
    return values


def quantile(values: Sequence[Decimal], share: Decimal) -> Decimal | None:
    """Linear interpolation between closest ranks (PostgreSQL's percentile_cont)."""
    if not values:
        return None
    ordered = sorted(values)
    position = share * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return (ordered[low] + (ordered[high] - ordered[low]) * (position - low)).quantize(
        Q2, ROUND_HALF_UP
    )


@dataclass(frozen=True)
class Achievability:
    verdict: str  # achievable, stretch, unrealistic, unknown (too little history)
    probability: Decimal | None  # of reaching the target, 0 to 1
    needed: Decimal  # per month left (sums), or the value itself (rates, times)
    best: Decimal | None  # the best month of the history (highest, or lowest for "at most")
    median: Decimal | None
    p90: Decimal | None  # the value only a tenth of the months did better than
    same_months_last_year: Decimal | None  # the period's months a year earlier, added up
    history_months: int  # months of the history with data
    actual_so_far: Decimal | None  # what the period recorded so far
    months_left: Decimal  # of the period: the rest of this month and the months after it


def achievability(
    metric: ObjectiveMetric,
    *,
    target: Decimal,
    direction: Direction,
    first: date,
    last: date,
    history: Mapping[date, Parts],
    today: date,
) -> Achievability:
    """The target against the organisation's own history of the metric (`history`: parts by
    month, the history window and the period's months recorded so far)."""
    start, end = history_window(today)
    values = monthly_values(metric, history, start, end)
    months = period_months(first, last)
    current = today.replace(day=1)
    sums = metric.kind == Kind.SUM
    # A sum counts what the current month recorded so far, and the part of it still to come
    # (as progress does); a rate or a time draws the current month whole.
    done = [m for m in months if m <= current] if sums else [m for m in months if m < current]
    left = [m for m in months if m >= current]
    scales = [1 - month_share_elapsed(m, today) if sums else Decimal(1) for m in left]
    so_far = metric.value([history.get(m, {}) for m in done]) if done else None
    months_left = sum(scales, Decimal(0))
    better_high = direction == Direction.AT_LEAST
    # For sums, the monthly run rate still needed; for rates and times, the value itself.
    needed = target
    if sums:
        rest = max(target - (so_far or 0), Decimal(0))
        needed = rest / months_left if months_left > 0 else rest
    last_year = metric.value([history.get(add_months(m, -12), {}) for m in months])
    # The months that say something: for a rate or a time, those where it is defined (a win
    # rate of a month without closed deals is no month of history).
    seen = [
        m for m in period_months(start, end)
        if m in history and (sums or metric.value([history[m]]) is not None)
    ]  # fmt: skip
    p90 = quantile(values, Decimal("0.9") if better_high else Decimal("0.1"))
    probability = reach_probability(
        metric, target=target, direction=direction, done=done, left=left, history=history,
        window=seen, scales=scales,
    ) if len(seen) >= MIN_HISTORY else None  # fmt: skip
    return Achievability(
        verdict=verdict(probability),
        probability=probability,
        needed=needed.quantize(Q2, ROUND_HALF_UP),
        best=(max(values) if better_high else min(values)) if values else None,
        median=quantile(values, Decimal("0.5")),
        p90=p90,
        same_months_last_year=last_year if any(add_months(m, -12) in history for m in months) else None,
        history_months=len(seen),
        actual_so_far=so_far,
        months_left=months_left.quantize(Decimal("0.1"), ROUND_HALF_UP),
    )  # fmt: skip


def verdict(probability: Decimal | None) -> str:
    if probability is None:
        return "unknown"
    if probability >= ACHIEVABLE_FROM:
        return "achievable"
    return "stretch" if probability >= STRETCH_FROM else "unrealistic"


def _candidates(month: date, window: Sequence[date]) -> list[date]:
    """The history months a month of the period is drawn from: those of the same season
    (its calendar month and the two beside it), or every month when the season has fewer
    than MIN_HISTORY."""
    season = {(month.month + d - 1) % 12 + 1 for d in (-1, 0, 1)}
    same = [m for m in window if m.month in season]
    return same if len(same) >= MIN_HISTORY else list(window)


def reach_probability(
    metric: ObjectiveMetric,
    *,
    target: Decimal,
    direction: Direction,
    done: Sequence[date],
    left: Sequence[date],
    history: Mapping[date, Parts],
    window: Sequence[date],
    scales: Sequence[Decimal] | None = None,
) -> Decimal:
    """The share of DRAWS resampled periods that reach the target: the months already
    recorded as they are, each month left drawn from the history months of its season (for
    sums, times its share still to come: `scales`). The generator is seeded (SEED): the same
    inputs give the same answer."""
    rng = np.random.default_rng(SEED)
    picks = [rng.integers(0, len(c), DRAWS) for c in (_candidates(m, window) for m in left)]
    seasons = [_candidates(m, window) for m in left]
    if metric.kind == Kind.MEDIAN:
        reached = _median_draws(metric, target, direction, done, seasons, picks, history)
    else:
        weights = [float(x) for x in (scales or [Decimal(1)] * len(left))]
        reached = _sum_draws(metric, target, direction, done, seasons, picks, history, weights)
    return (Decimal(int(reached)) / DRAWS).quantize(Decimal("0.001"), ROUND_HALF_UP)


def _part(history: Mapping[date, Parts], month: date, name: str) -> float:
    return float(history.get(month, {}).get(name) or 0)


def _sum_draws(
    metric: ObjectiveMetric,
    target: Decimal,
    direction: Direction,
    done: Sequence[date],
    seasons: Sequence[list[date]],
    picks: Sequence[Any],
    history: Mapping[date, Parts],
    weights: Sequence[float],
) -> int:
    def drawn(name: str) -> Any:
        total = np.full(DRAWS, sum(_part(history, m, name) for m in done))
        for season, pick, weight in zip(seasons, picks, weights, strict=True):
            total = total + np.array([_part(history, m, name) for m in season])[pick] * weight
        return total

    numerator = drawn(metric.numerator)
    if metric.kind == Kind.SUM:
        value = numerator
    else:
        denominator = drawn(metric.denominator)
        scale = 100.0 if metric.unit == "percent" else 1.0
        with np.errstate(divide="ignore", invalid="ignore"):
            value = np.where(denominator > 0, numerator / denominator * scale, np.nan)
    goal = float(target)
    hits = value >= goal if direction == Direction.AT_LEAST else value <= goal
    return int(np.count_nonzero(hits & ~np.isnan(value)))


def _kept(values: Sequence[int]) -> list[int]:
    """At most MEDIAN_KEEP evenly spaced order statistics of sorted values: the same shape,
    a bounded cost per draw."""
    ordered = sorted(values)
    if len(ordered) <= MEDIAN_KEEP:
        return ordered
    step = (len(ordered) - 1) / (MEDIAN_KEEP - 1)
    return [ordered[round(i * step)] for i in range(MEDIAN_KEEP)]


def _median_draws(
    metric: ObjectiveMetric,
    target: Decimal,
    direction: Direction,
    done: Sequence[date],
    seasons: Sequence[list[date]],
    picks: Sequence[Any],
    history: Mapping[date, Parts],
) -> int:
    """Each draw's values side by side: the months recorded, then per month left the kept
    values of the month drawn (padded with NaN), one median per row."""

    def minutes(month: date) -> list[int]:
        return _kept(history.get(month, {}).get(metric.numerator) or ())

    columns = [np.tile(np.array([v for m in done for v in minutes(m)], dtype=float), (DRAWS, 1))]
    for season, pick in zip(seasons, picks, strict=True):
        pool = np.full((len(season), MEDIAN_KEEP), np.nan)
        for row, month in enumerate(season):
            kept = minutes(month)
            pool[row, : len(kept)] = kept
        columns.append(pool[pick])
    values = np.concatenate(columns, axis=1)
    answered = ~np.all(np.isnan(values), axis=1)
    medians = np.full(DRAWS, np.nan)
    medians[answered] = np.nanmedian(values[answered], axis=1)
    goal = float(target) * 60
    hits = medians >= goal if direction == Direction.AT_LEAST else medians <= goal
    return int(np.count_nonzero(hits & answered))


@dataclass(frozen=True)
class Progress:
    actual: Decimal | None  # to date
    expected: Decimal | None  # by now: the target pro-rated (sums), the target (rates, times)
    pace: Decimal | None  # needed per month left (sums)
    projected: Decimal | None  # at the period's end, at the rate so far
    elapsed: Decimal  # share of the period gone by
    status: str

    def as_json(self) -> dict[str, Any]:
        def text(value: Decimal | None) -> str | None:
            return None if value is None else plain_decimal(value)

        return {
            "actual": text(self.actual),
            "expected": text(self.expected),
            "pace": text(self.pace),
            "projected": text(self.projected),
            "elapsed": str(self.elapsed),
            "status": self.status,
        }


def month_share_elapsed(month: date, today: date) -> Decimal:
    """How much of `month` is over at the end of `today` (0 before it, 1 after)."""
    if today < month:
        return Decimal(0)
    if (today.year, today.month) != (month.year, month.month):
        return Decimal(1)
    days = calendar.monthrange(today.year, today.month)[1]
    return Decimal(today.day) / Decimal(days)


def progress(
    metric: ObjectiveMetric,
    *,
    target: Decimal,
    direction: Direction,
    first: date,
    last: date,
    actuals: Mapping[date, Parts],
    today: date,
    profile: Mapping[date, Decimal] | None = None,
) -> Progress:
    """Progress to `today` from the period's recorded months. For sums, what is expected by
    now follows `profile` (each month's weight: the plan's monthly targets, or last year's
    months, for the season), else an equal share per month; the current month counts by
    the days gone. Rates and times are expected at the target all along."""
    months = period_months(first, last)
    weights = {m: Decimal((profile or {}).get(m) or 0) for m in months}
    if sum(weights.values()) <= 0:
        weights = dict.fromkeys(months, Decimal(1))
    total = sum(weights.values())
    elapsed = Decimal(sum(weights[m] * month_share_elapsed(m, today) for m in months)) / total
    recorded = [actuals.get(m, {}) for m in months if m <= today]
    actual = metric.value(recorded) if recorded else None
    if metric.kind == Kind.SUM:
        expected = (target * elapsed).quantize(Q2, ROUND_HALF_UP)
        left = sum((1 - month_share_elapsed(m, today) for m in months), Decimal(0))
        pace = ((target - (actual or 0)) / left).quantize(Q2, ROUND_HALF_UP) if left > 0 else None
        projected = (
            ((actual or Decimal(0)) / elapsed).quantize(Q2, ROUND_HALF_UP)
            if elapsed >= PROJECT_FROM
            else None
        )
    else:
        expected, pace, projected = target, None, actual
    status = _status(metric, target, direction, elapsed, actual, projected, today, first, last)
    return Progress(
        actual=actual, expected=expected, pace=pace if pace is None or pace > 0 else Decimal(0),
        projected=projected, elapsed=elapsed.quantize(Decimal("0.0001"), ROUND_HALF_UP),
        status=status,
    )  # fmt: skip


def _status(
    metric: ObjectiveMetric,
    target: Decimal,
    direction: Direction,
    elapsed: Decimal,
    actual: Decimal | None,
    projected: Decimal | None,
    today: date,
    first: date,
    last: date,
) -> str:
    if today < first:
        return "not_started"
    if today > date(last.year, last.month, calendar.monthrange(last.year, last.month)[1]):
        return "achieved" if metric.meets(actual, target, direction) else "missed"
    sums_up = metric.kind == Kind.SUM and direction == Direction.AT_LEAST
    if sums_up and actual is not None and actual >= target:
        return "achieved"  # reached before the end: nothing can take it back
    judged = projected if metric.kind == Kind.SUM else actual
    if judged is None or (elapsed < PROJECT_FROM and metric.kind == Kind.SUM):
        return "early"
    if metric.meets(judged, target, direction):
        return "on_track"
    slack = target * AT_RISK_WITHIN
    near = target - slack if direction == Direction.AT_LEAST else target + slack
    return "at_risk" if metric.meets(judged, near, direction) else "off_track"


def split(total: Decimal, shares: Mapping[int, Decimal], *, whole: bool) -> dict[int, Decimal]:
    """`total` divided in proportion to `shares` (member -> share, any scale), in whole units
    or cents, adding up exactly to `total`: each part rounded down, the units left over
    given to the largest remainders (ties: the member listed first)."""
    unit = Decimal(1) if whole else Q2
    weights = {k: Decimal(v) for k, v in shares.items() if Decimal(v) > 0}
    if not weights:
        weights = dict.fromkeys(shares, Decimal(1))
    if not weights:
        return {}
    sum_weights = sum(weights.values())
    exact = {k: total * w / sum_weights for k, w in weights.items()}
    parts = {k: v.quantize(unit, ROUND_DOWN) for k, v in exact.items()}
    left = int(((total - sum(parts.values())) / unit).to_integral_value(ROUND_HALF_UP))
    order = sorted(exact, key=lambda k: (-(exact[k] - parts[k]), list(weights).index(k)))
    for k in order[: max(left, 0)]:
        parts[k] += unit
    return {k: parts.get(k, Decimal(0)) for k in shares}


def share_of(part: Decimal, whole: Decimal) -> Decimal:
    return (part / whole).quantize(Decimal("0.0001"), ROUND_HALF_UP) if whole else Decimal(0)
