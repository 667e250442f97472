"""Rules of a learned plan that depend on today: pure, no database (`today` is passed in).

- The learning window: the last twelve complete months with data before the plan starts.
  A month not yet over is never learned from: its counts are partial, and a month still to
  come has none, which made seasonality 0 and asked for 0 customers that month.
- Targets before today: stage times put the early stages' targets months before the
  period, some of them in months already over, or in a current month whose days left
  cannot carry them. Those cannot be met any more: they move into the next month, and the
  plan says so, stage by stage.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from funnel.calculations import StageTarget, allocate
from funnel.tracking import elapsed_share
from smarketing.lib.months import add_months, month_start

WINDOW_MONTHS = 12


def learning_window(
    *, first_month: date, today: date, last_month_with_data: date | None
) -> tuple[date, date]:
    """[start, end) of the months to learn from: twelve complete months ending before the
    plan starts and before the current month, and no later than the last month with data."""
    end = min(month_start(first_month), month_start(today))
    if last_month_with_data is not None:
        end = min(end, add_months(month_start(last_month_with_data), 1))
    return add_months(end, -WINDOW_MONTHS), end


@dataclass(frozen=True)
class Moved:
    """Targets of one stage that fell in months already over, and where they went."""

    stage: str
    count: int
    from_months: list[str]  # YYYY-MM
    into: dict[str, int]  # YYYY-MM -> how many of them went there


def _key(month: date) -> str:
    return month.strftime("%Y-%m")


def left_share(today: date) -> Decimal:
    """The share of today's month still to come after today: what plan versus actual does not
    count as elapsed yet (tracking.elapsed_share counts today as gone)."""
    return 1 - elapsed_share(today)


def _move(counts: dict[str, int], today: date) -> tuple[dict[str, int], dict[str, int]]:
    """The current month keeps the part of its target that the days left can carry (in
    proportion to them); the rest of it, and the targets of months already over, move into
    the next month. Returns the new counts and what was moved where."""
    current, following = _key(today), _key(add_months(month_start(today), 1))
    past = sum(n for m, n in counts.items() if m < current)
    carried, dropped = allocate(counts.get(current, 0), [left_share(today), 1 - left_share(today)])
    if not past and not dropped:
        return counts, {}
    kept = {m: n for m, n in counts.items() if m > current}
    if carried:
        kept[current] = carried
    kept[following] = kept.get(following, 0) + past + dropped
    return dict(sorted(kept.items())), {following: past + dropped}


def reschedule(
    stages: list[StageTarget], *, first_month: date, today: date
) -> tuple[list[StageTarget], list[Moved]]:
    """Move the lead-in targets that fall before today, or in the part of the current month
    already gone, into the next month.

    Only a plan that has not started is rescheduled: once its period has begun, targets
    already due are the measure of the months gone by (plan versus actual), not a forecast."""
    if month_start(first_month) <= month_start(today):
        return stages, []
    result, moved = [], []
    for stage in stages:
        if stage.by_month_and_channel:
            grid = _move_grid(stage.by_month_and_channel, today)
            by_month = {m: sum(row.values()) for m, row in grid.items()}
        else:
            grid = {}
            by_month, _ = _move(stage.by_month, today)
        if by_month == stage.by_month:
            result.append(stage)
            continue
        into = {m: n - stage.by_month.get(m, 0) for m, n in by_month.items()}
        into = {m: n for m, n in into.items() if n > 0}
        gone = {m: n - by_month.get(m, 0) for m, n in stage.by_month.items()}
        gone = {m: n for m, n in gone.items() if n > 0}
        moved.append(Moved(stage.stage, sum(gone.values()), sorted(gone), into))
        result.append(replace(stage, by_month=by_month, by_month_and_channel=grid))
    return result, moved


def _move_grid(grid: dict[str, dict[str, int]], today: date) -> dict[str, dict[str, int]]:
    """`_move` channel by channel, so that every month's channels still add up to it."""
    codes = sorted({code for row in grid.values() for code in row})
    moved: dict[str, dict[str, int]] = {}
    for code in codes:
        counts, _ = _move({m: row.get(code, 0) for m, row in grid.items()}, today)
        for month, count in counts.items():
            moved.setdefault(month, {})[code] = count
    return {m: moved[m] for m in sorted(moved)}
