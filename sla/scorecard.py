"""The scorecard's arithmetic, pure: marketing's commitment pro-rated to a moment, shares
that say "not measured" rather than a misleading zero, and the shortfall decomposed into
volume, quality and speed, each turned into customers and revenue through the plan's rates.
No ORM, clock or settings."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise

SHARE = Decimal("0.0001")
TENTHS = Decimal("0.1")
# Below this many hand-offs on either side, what speed is worth is not measured.
SPEED_SAMPLE = 20


def share(part: int, whole: int) -> Decimal | None:
    """part / whole to four places, or None when there is nothing to measure."""
    if whole <= 0:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(SHARE, ROUND_HALF_UP)


def prorated(per_month: int, elapsed: Decimal) -> int:
    """A month's commitment due by the time `elapsed` (0 to 1) of its working time has gone
    by, rounded to the nearest whole MQL."""
    return int((Decimal(per_month) * elapsed).quantize(Decimal(1), ROUND_HALF_UP))


def rate_between(
    stages: list[str], rates: dict[str, Decimal], first: str, last: str
) -> Decimal | None:
    """The plan's conversion from stage `first` to stage `last`: the product of its
    stage-to-stage rates ("mql->sql"); None when the plan lacks one of them."""
    if first not in stages or last not in stages or stages.index(first) > stages.index(last):
        return None
    product = Decimal(1)
    path = stages[stages.index(first) : stages.index(last) + 1]
    for a, b in pairwise(path):
        rate = rates.get(f"{a}->{b}")
        if rate is None:
            return None
        product *= rate
    return product


@dataclass(frozen=True)
class Loss:
    """One part of the shortfall: how many MQLs (or MQLs' worth) it is, and what the plan's
    rates make of them. None where the plan or the history cannot say."""

    mqls: Decimal
    customers: Decimal | None
    revenue: Decimal | None
    note: str = ""  # why customers or revenue are missing: "no_plan", "not_enough_history"


@dataclass(frozen=True)
class Counts:
    committed: int  # MQLs committed, pro-rated
    delivered: int
    decided: int  # accepted + rejected
    accepted: int
    acceptance_bar: Decimal  # the share agreed, 0 to 1
    touch_due: int  # hand-offs touched, or past their touch deadline
    within_window: int
    won_within: int
    won_late: int


@dataclass(frozen=True)
class PlanRates:
    handoff_to_customer: Decimal | None
    accepted_to_customer: Decimal | None
    average_deal: Decimal | None


def _worth(mqls: Decimal, rate: Decimal | None, deal: Decimal | None, note: str = "") -> Loss:
    if rate is None:
        return Loss(mqls, None, None, note or "no_plan")
    customers = (mqls * rate).quantize(TENTHS, ROUND_HALF_UP)
    # An estimate: to the whole unit of money, not the cent.
    revenue = None if deal is None else (mqls * rate * deal).quantize(Decimal(1), ROUND_HALF_UP)
    return Loss(mqls, customers, revenue, note if revenue is not None else "no_plan")


def shortfall(counts: Counts, rates: PlanRates) -> dict[str, Loss]:
    """The shortfall against the agreement, in three parts that do not overlap:
    - volume: MQLs marketing did not deliver, at the plan's hand-off-to-customer rate;
    - quality: MQLs sales rejected beyond the agreed acceptance (of those decided), at the
      plan's rate from the stage after the hand-off;
    - speed: MQLs touched late or never, times the share of their chance that lateness cost
      (their win rate against those touched in time, measured on this agreement's history),
      at the plan's hand-off-to-customer rate."""
    volume = Decimal(max(0, counts.committed - counts.delivered))
    wanted = Decimal(counts.decided) * counts.acceptance_bar
    quality = max(Decimal(0), wanted - counts.accepted).quantize(TENTHS, ROUND_HALF_UP)
    late = counts.touch_due - counts.within_window
    parts = {
        "volume": _worth(volume, rates.handoff_to_customer, rates.average_deal),
        "quality": _worth(quality, rates.accepted_to_customer, rates.average_deal),
    }
    if late <= 0:
        parts["speed"] = _worth(Decimal(0), rates.handoff_to_customer, rates.average_deal)
    elif counts.within_window < SPEED_SAMPLE or late < SPEED_SAMPLE or counts.won_within == 0:
        parts["speed"] = Loss(Decimal(late), None, None, "not_enough_history")
    else:
        in_time = Decimal(counts.won_within) / counts.within_window
        lateness = Decimal(counts.won_late) / late
        cost = max(Decimal(0), 1 - lateness / in_time)  # the share of a late MQL's chance lost
        worth = _worth(Decimal(late) * cost, rates.handoff_to_customer, rates.average_deal)
        parts["speed"] = Loss(Decimal(late), worth.customers, worth.revenue, worth.note)
    return parts
