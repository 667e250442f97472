"""Discovery from the sales history: won revenue, win rate, deal size, cycle, customers and
repeat business per segment of closed deals (an industry, a size band, a country...), to see
which customers the ideal profile should describe.

Two ways in, one answer: `discover` tallies the closed deals themselves (crm.selectors.
closed_deals_for_discovery), `discover_segments` reads the sums the database made per segment
(crm.selectors.closed_deal_segments: what GROUPINGS asks it for), much faster over many deals.
Pure: plain rows in, plain values out; no ORM, clock or settings. Money stays Decimal; rates
are rounded once, here."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

from django.utils.translation import gettext as _

# Fewer closed deals (won and lost) than this in a segment: its rates say little.
SMALL_SAMPLE = 30
MAX_DIMENSIONS = 2
CENT = Decimal("0.01")
RATE = Decimal("0.0001")  # win rate, repeat rate and lift
DAY = Decimal("0.1")  # median cycle, in days

# Employees: the band's highest number (None: no limit) and its name. 0 counts in 1-10.
SIZE_BANDS: tuple[tuple[int | None, str], ...] = (
    (10, "1-10"),
    (50, "11-50"),
    (200, "51-200"),
    (1000, "201-1000"),
    (5000, "1001-5000"),
    (None, "5001+"),
)
# Annual revenue in the organisation's currency: the band's upper bound (excluded; None: no
# limit) and its name.
REVENUE_BANDS: tuple[tuple[Decimal | None, str], ...] = (
    (Decimal(1_000_000), "<1M"),
    (Decimal(10_000_000), "1M-10M"),
    (Decimal(50_000_000), "10M-50M"),
    (Decimal(250_000_000), "50M-250M"),
    (Decimal(1_000_000_000), "250M-1B"),
    (None, "1B+"),
)


class ClosedDeal(NamedTuple):
    """One won or lost deal with what places it in a segment (crm.selectors.
    CLOSED_DEAL_COLUMNS, in that order)."""

    status: str  # "won" or "lost"
    amount: Decimal | None
    created_at: datetime | None
    closed_at: datetime
    customer: int | None  # the company's id: the deal's, else its lead's
    industry: str | None
    employees: int | None
    annual_revenue: Decimal | None
    company_country: str | None
    lead_country: str | None
    channel: str | None  # its code
    channel_name: str | None
    product: str


def _text(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _band(value: Any, bands: Sequence[tuple[Any, str]], *, inclusive: bool) -> str | None:
    if value is None:
        return None
    for limit, name in bands:
        if limit is None or value < limit or (inclusive and value == limit):
            return name
    return None  # not reached: the last band has no limit


def _country(deal: ClosedDeal) -> str | None:
    return _text(deal.company_country) or _text(deal.lead_country)


# A dimension -> the deal's value in it (None: unknown) and the label people read.
Value = tuple[str | None, str | None]
DIMENSIONS: dict[str, Callable[[ClosedDeal], Value]] = {
    "industry": lambda d: (_text(d.industry), None),
    "size_band": lambda d: (_band(d.employees, SIZE_BANDS, inclusive=True), None),
    "revenue_band": lambda d: (_band(d.annual_revenue, REVENUE_BANDS, inclusive=False), None),
    "country": lambda d: (_country(d), None),
    "channel": lambda d: (d.channel, _(d.channel_name) if d.channel_name else None),
    "product": lambda d: (_text(d.product), None),
}


@dataclass(frozen=True)
class Grouping:
    """A dimension as the database groups closed deals by it (crm.selectors.
    closed_deal_segments): by an attribute of theirs, in `bands` (then the database answers
    the band's position) and with the attribute that names the value (`label`, translated)."""

    attribute: str
    bands: Sequence[tuple[Any, str]] = ()
    inclusive: bool = False  # a band includes its upper limit
    label: str | None = None

    @property
    def keys(self) -> list[tuple[str, tuple[Any, ...], bool]]:
        """What closed_deal_segments groups by for this dimension: its keys (`by`)."""
        limits = tuple(limit for limit, _name in self.bands if limit is not None)
        labels = [(self.label, (), False)] if self.label else []
        return [(self.attribute, limits, self.inclusive), *labels]

    def read(self, keys: Sequence[Any]) -> Value:
        """The value and label of a segment whose `keys` (this dimension's) are these."""
        value, label = keys[0], keys[1] if self.label else None
        if self.bands and value is not None:
            value = self.bands[value][1]
        return value, _(label) if label else None


# The dimensions of DIMENSIONS, as the database reads the same rows.
GROUPINGS: dict[str, Grouping] = {
    "industry": Grouping("industry"),
    "size_band": Grouping("employees", SIZE_BANDS, inclusive=True),
    "revenue_band": Grouping("annual_revenue", REVENUE_BANDS),
    "country": Grouping("country"),
    "channel": Grouping("channel", label="channel_name"),
    "product": Grouping("product"),
}


class SegmentTally(NamedTuple):
    """A segment's sums as the database makes them (crm.selectors.SEGMENT_COLUMNS, in that
    order); `keys` None for all closed deals."""

    keys: tuple[Any, ...] | None
    won: int
    lost: int
    revenue: Decimal | None  # None: no won deal's amount is known
    priced: int
    cycle_low: timedelta | None  # the middle won deal's cycle, or the lower of the two middle
    cycle_high: timedelta | None  # ... or the higher
    customers: int
    repeat_customers: int


class _Sums(NamedTuple):
    """What a segment's figures are computed from, however tallied."""

    won: int
    lost: int
    revenue: Decimal
    priced: int
    median_cycle: float | None  # in days
    customers: int
    repeat_customers: int


def _days(cycle: timedelta) -> float:
    return cycle.total_seconds() / 86400


def _sums(tally: SegmentTally) -> _Sums:
    median = None
    if tally.cycle_low is not None and tally.cycle_high is not None:
        # statistics.median's: the middle one, or the mean of the two middle ones (the middle
        # one twice: x + x and its half are exact in floating point).
        median = (_days(tally.cycle_low) + _days(tally.cycle_high)) / 2
    revenue = tally.revenue if tally.revenue is not None else Decimal(0)
    return _Sums(
        tally.won,
        tally.lost,
        revenue,
        tally.priced,
        median,
        tally.customers,
        tally.repeat_customers,
    )


@dataclass
class _Tally:
    """What a segment's figures are made of."""

    won: int = 0
    lost: int = 0
    revenue: Decimal = Decimal(0)
    priced: int = 0  # won deals whose amount is known
    cycles: list[float] = field(default_factory=list)
    wins_per_customer: Counter[int] = field(default_factory=Counter)

    def add(self, deal: ClosedDeal) -> None:
        if deal.status != "won":
            self.lost += 1
            return
        self.won += 1
        if deal.amount is not None:
            self.revenue += deal.amount
            self.priced += 1
        if deal.created_at is not None:
            self.cycles.append(_days(deal.closed_at - deal.created_at))
        if deal.customer is not None:
            self.wins_per_customer[deal.customer] += 1

    def sums(self) -> _Sums:
        wins = self.wins_per_customer.values()
        return _Sums(
            self.won,
            self.lost,
            self.revenue,
            self.priced,
            statistics.median(self.cycles) if self.cycles else None,
            len(self.wins_per_customer),
            sum(1 for n in wins if n > 1),
        )


def _ratio(numerator: Any, denominator: Any, places: Decimal) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(places, ROUND_HALF_UP)


def _figures(sums: _Sums, overall: _Sums) -> dict[str, Any]:
    closed, all_closed = sums.won + sums.lost, overall.won + overall.lost
    # Lift from the exact rates: (won / closed) / (all won / all closed).
    lift = _ratio(sums.won * all_closed, closed * overall.won, RATE) if closed else None
    median = sums.median_cycle
    return {
        "won_revenue": sums.revenue,
        "won_deals": sums.won,
        "lost_deals": sums.lost,
        "win_rate": _ratio(sums.won, closed, RATE),
        "avg_deal_size": _ratio(sums.revenue, sums.priced, CENT),
        "median_cycle_days": None if median is None else _ratio(median, 1, DAY),
        "customers": sums.customers,
        "repeat_rate": _ratio(sums.repeat_customers, sums.customers, RATE),
        "lift": lift,
        "small_sample": closed < SMALL_SAMPLE,
    }


def _label(values: Sequence[Value]) -> str:
    return " / ".join(label or value or _("Unknown") for value, label in values)


def _order(segment: dict[str, Any]) -> tuple[Any, ...]:
    # Highest won revenue first; then more won deals, more closed deals, and by name with
    # unknown values last, so that the order never depends on the rows' order.
    values = segment["value"] if isinstance(segment["value"], list) else [segment["value"]]
    return (
        -segment["won_revenue"],
        -segment["won_deals"],
        -(segment["won_deals"] + segment["lost_deals"]),
        [(value is None, value or "") for value in values],
    )


def _answer(segments: Iterable[tuple[list[Value], _Sums]], overall: _Sums) -> dict[str, Any]:
    found = [
        {
            "value": values[0][0] if len(values) == 1 else [value for value, _label in values],
            "label": _label(values),
            **_figures(sums, overall),
        }
        for values, sums in segments
    ]
    found.sort(key=_order)
    return {
        "overall": {"value": None, "label": _("All closed deals"), **_figures(overall, overall)},
        "segments": found,
    }


def discover(rows: Iterable[Sequence[Any]], dimensions: Sequence[str]) -> dict[str, Any]:
    """The overall figures and one segment per value (or pair of values) of `dimensions`
    (names of DIMENSIONS, one or two) among the closed deals `rows`, highest won revenue
    first. A segment's `value` is its value (a list of two for a pair), None where unknown;
    its `label` is what people read ("Unknown" for None, "a / b" for a pair)."""
    readers = [DIMENSIONS[name] for name in dimensions]
    overall = _Tally()
    tallies: dict[tuple[str | None, ...], _Tally] = {}
    values: dict[tuple[str | None, ...], list[Value]] = {}
    for row in rows:
        deal = ClosedDeal._make(row)
        found = [read(deal) for read in readers]
        key = tuple(value for value, _label in found)
        if key not in tallies:
            tallies[key], values[key] = _Tally(), found
        tallies[key].add(deal)
        overall.add(deal)
    return _answer(((values[key], tally.sums()) for key, tally in tallies.items()), overall.sums())


def discover_segments(
    segments: Iterable[Sequence[Any]], dimensions: Sequence[str]
) -> dict[str, Any]:
    """What `discover` answers, from the sums `segments` the database made per segment and
    for all deals (crm.selectors.closed_deal_segments, grouped by each dimension's
    GROUPINGS keys in order)."""
    groupings = [GROUPINGS[name] for name in dimensions]
    overall = _Sums(0, 0, Decimal(0), 0, None, 0, 0)  # no row for all deals: none closed
    found: list[tuple[list[Value], _Sums]] = []
    for row in segments:
        tally = SegmentTally._make(row)
        if tally.keys is None:
            overall = _sums(tally)
            continue
        values, at = [], 0
        for grouping in groupings:
            width = len(grouping.keys)
            values.append(grouping.read(tally.keys[at : at + width]))
            at += width
        found.append((values, _sums(tally)))
    return _answer(found, overall)
