"""The monthly review pack's arithmetic, on plain rows: no database, clock or settings (the
day the figures are read to is passed in).

Plan versus actual uses funnel.tracking's one definition of "to date": the months over, plus
the current month pro-rated by the days gone by. A pack of a month that is over reads to its
last day, so the month's due is its whole target; the pack of the month still running reads
to today.
"""

from __future__ import annotations

import calendar
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from funnel.tracking import progress
from kpis.dictionary import RATE, ratio
from smarketing.lib.bounds import within_bounds
from smarketing.lib.months import add_months

MONTH_TEXT = re.compile(r"([0-9]{4})-([0-9]{2})")


def parse_month(text: str | None) -> date | None:
    """ "2026-03" -> 1 March 2026; None for anything else (2026-13, 0001-01, 2026-3)."""
    found = MONTH_TEXT.fullmatch(text or "")
    if found is None or not 1 <= int(found.group(2)) <= 12 or int(found.group(1)) < 1:
        return None
    month = date(int(found.group(1)), int(found.group(2)), 1)
    return month if within_bounds(month) else None


def last_day(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def read_to(month: date, today: date) -> date:
    """The day a pack's figures are read to: the month's last, or today while it runs."""
    return min(last_day(month), today)


@dataclass(frozen=True)
class PackMonths:
    """The months a pack can be read for: from the organisation's first data (or the month
    it joined, without any) to the month running now."""

    first: date
    last: date

    def holds(self, month: date) -> bool:
        return self.first <= month <= self.last

    def latest_ended(self) -> date:
        """The month a review meets about: the last one over (or the first, if none is)."""
        return max(add_months(self.last, -1), self.first)


def pack_months(*, first_data: date | None, joined: date, this_month: date) -> PackMonths:
    first = min(first_data, joined) if first_data else joined
    return PackMonths(first=min(first.replace(day=1), this_month), last=this_month)


@dataclass(frozen=True)
class StageLine:
    """One stage of the journey against the plan: in the month, over the plan to date, and
    over the whole plan."""

    stage: str
    target: int  # the month's whole target
    due: int  # of it, what was due by the day read to (the whole target once the month is over)
    actual: int
    plan_due: int  # the plan's targets due by the day read to
    plan_actual: int
    plan_target: int  # the whole plan's
    projected: int | None  # at the rate so far; None until a tenth of the target was due

    @property
    def variance(self) -> int:
        return self.actual - self.due

    @property
    def attainment(self) -> Decimal | None:
        return ratio(self.actual, self.due, RATE)

    @property
    def plan_variance(self) -> int:
        return self.plan_actual - self.plan_due

    @property
    def plan_attainment(self) -> Decimal | None:
        return ratio(self.plan_actual, self.plan_due, RATE)


def journey(
    rows: Iterable[Mapping[str, Any]], stages: Sequence[str], *, month: date, to: date
) -> list[StageLine]:
    """Per stage of the plan, in the funnel's order, from the plan's target rows of all
    channels ({month, stage, target, actual}); stages without a target are left out."""
    targets: dict[str, dict[str, int]] = defaultdict(dict)
    actuals: dict[str, dict[str, int]] = defaultdict(dict)
    for row in rows:
        key = row["month"].strftime("%Y-%m")
        targets[row["stage"]][key] = row["target"]
        actuals[row["stage"]][key] = row["actual"]
    key = month.strftime("%Y-%m")
    lines = []
    for stage in (s for s in stages if s in targets):
        whole = progress(targets[stage], actuals[stage], to)
        alone = progress({key: targets[stage].get(key, 0)}, actuals[stage], to)
        lines.append(StageLine(
            stage=stage, target=targets[stage].get(key, 0), due=alone.target_to_date,
            actual=actuals[stage].get(key, 0), plan_due=whole.target_to_date,
            plan_actual=whole.actual_to_date, plan_target=whole.target, projected=whole.projected,
        ))  # fmt: skip
    return lines


@dataclass(frozen=True)
class ResultLine:
    """A channel's or campaign's month: what it brought, what it cost, what it returned."""

    key: Any  # the channel's code or the campaign's id; None: leads without one
    name: str
    leads: int
    mqls: int
    new_customers: int
    won_revenue: Decimal
    cost: Decimal
    cost_per_lead: Decimal | None
    roi: Decimal | None  # (won revenue - cost) / cost; None without a cost


def result_line(key: Any, name: str, kpis: Mapping[str, Any]) -> ResultLine:
    """From a row of the KPIs (kpis.dictionary.derive's names)."""
    return ResultLine(
        key=key, name=name, leads=kpis["leads"], mqls=kpis["mqls"],
        new_customers=kpis["new_customers"], won_revenue=Decimal(kpis["won_revenue"]),
        cost=Decimal(kpis["cost"]), cost_per_lead=kpis["cost_per_lead"], roi=kpis["roi"],
    )  # fmt: skip


def ranked(lines: Iterable[ResultLine]) -> list[ResultLine]:
    """Those that did something in the month (a lead, a customer, revenue or a cost: a
    campaign over long ago keeps empty rows), the best first: most won revenue, then most
    MQLs and leads; those without a channel or campaign last, as the rest of the app lists
    them."""
    active = (r for r in lines if r.leads or r.mqls or r.new_customers or r.won_revenue or r.cost)
    return sorted(
        active,
        key=lambda r: (r.key is None, -r.won_revenue, -r.mqls, -r.leads, r.name.lower()),
    )


class Decided(Protocol):
    month: date
    done_at: Any


@dataclass(frozen=True)
class FollowUp:
    """A pack's decisions: the last review's (done or not), earlier reviews' still open,
    and the ones this review takes."""

    last_review: list[Any]
    carried_over: list[Any]
    this_review: list[Any]


def follow_up(decisions: Iterable[Decided], month: date) -> FollowUp:
    before = add_months(month, -1)
    found = FollowUp([], [], [])
    for decision in decisions:
        if decision.month == month:
            found.this_review.append(decision)
        elif decision.month == before:
            found.last_review.append(decision)
        elif decision.month < before and decision.done_at is None:
            found.carried_over.append(decision)
    return found
