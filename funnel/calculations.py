"""The reverse funnel: from a revenue goal back to what every stage needs, per month and
channel, with the budget. Pure functions over Decimal; no database, clock or settings.

Rounding rule, written once: a count is whole and rounded up (ROUND_CEILING) where it is
derived from a rate, so that pushing the targets back down through the rates reaches at
least the goal; a total is split over months and channels by the largest-remainder method,
so that the parts add up exactly to it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, DecimalException, InvalidOperation
from typing import Any, cast

from django.utils.translation import gettext as _

from smarketing.lib.bounds import (
    CHANNEL_CODE_LENGTH,
    FIRST_DAY,
    LAST_DAY,
    MAX_CHANNELS,
    MAX_MONTHS,
    MAX_STAGES,
    STAGE_CODE_LENGTH,
)
from smarketing.lib.decimals import plain_decimal

ONE = Decimal(1)
DAYS_PER_MONTH = Decimal("30.4375")
# Past these a figure is a typo: a stage needing more than 10^18 (20 stages at tiny rates
# reached integers of hundreds of digits), a number over 14 digits (what the calculator's API
# accepts), or leads taking more than five years to get through (targets before 1990).
MAX_NEEDED = 10**18
MAX_NUMBER = Decimal(10) ** 14
MAX_FUNNEL_DAYS = 1826
FIRST_MONTH, LAST_MONTH = f"{FIRST_DAY:%Y-%m}", f"{LAST_DAY:%Y-%m}"
LISTS = ("stages", "conversion_rates", "months", "seasonality", "stage_days", "channels")


class FunnelInputError(ValueError):
    """An input the calculation cannot use; `field` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class ChannelInput:
    code: str
    share: Decimal | None = None  # of the leads; shares add up to 1
    cost_per_lead: Decimal = Decimal(0)
    conversion: Decimal | None = None  # lead -> customer, to derive shares when none are given


@dataclass(frozen=True)
class FunnelInput:
    stages: list[str]
    conversion_rates: list[Decimal]  # conversion_rates[i]: stages[i] -> stages[i + 1]
    average_deal_size: Decimal
    revenue_goal: Decimal | None = None
    baseline_revenue: Decimal | None = None
    growth_pct: Decimal | None = None
    months: list[str] = field(default_factory=list)  # "YYYY-MM" of the period, in order
    seasonality: list[Decimal] = field(default_factory=list)  # one weight per month
    stage_days: list[Decimal] = field(default_factory=list)  # days from stages[i] to stages[i + 1]
    channels: list[ChannelInput] = field(default_factory=list)


@dataclass(frozen=True)
class StageTarget:
    stage: str
    needed: int
    by_month: dict[str, int]  # shifted earlier by the time leads need to get through
    by_channel: dict[str, int]
    by_month_and_channel: dict[str, dict[str, int]]


# A budget past this is no business's, and past what a figure of the API holds (24 digits,
# 10 of them decimals): a deal size of 0.0000001 made one of 10^20 and failed to be written.
MAX_BUDGET = Decimal(10) ** 14


@dataclass(frozen=True)
class FunnelResult:
    revenue_goal: Decimal
    customers_needed: int
    stages: list[StageTarget]
    leads_needed: int
    budget: Decimal
    budget_by_channel: dict[str, Decimal]
    channel_shares: dict[str, Decimal]
    month_shift: dict[str, int]  # stage -> months it runs ahead of the customers
    assumptions: dict[str, object]


def ceil_int(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_CEILING))


def allocate(total: int, weights: list[Decimal]) -> list[int]:
    """Split `total` in proportion to `weights` into whole parts that add up to it
    (largest remainder; ties go to the earlier part)."""
    whole = sum(weights, Decimal(0))
    if total == 0 or not weights:
        return [0] * len(weights)
    exact = [Decimal(total) * w / whole for w in weights]
    parts = [int(x.to_integral_value(rounding=ROUND_FLOOR)) for x in exact]
    left = total - sum(parts)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[:left]:
        parts[i] += 1
    return parts


def _month_minus(month: str, months_back: int) -> str:
    year, number = int(month[:4]), int(month[5:7])
    index = year * 12 + number - 1 - months_back
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _positive(name: str, value: Decimal | None) -> Decimal:
    if value is None:
        raise FunnelInputError(name, "is required.")
    if not value.is_finite() or value <= 0:
        raise FunnelInputError(name, "must be greater than 0.")
    return value


def revenue_goal(data: FunnelInput) -> Decimal:
    if data.revenue_goal is not None:
        return _positive("revenue_goal", data.revenue_goal)
    if data.baseline_revenue is None or data.growth_pct is None:
        raise FunnelInputError(
            "revenue_goal", "give revenue_goal, or baseline_revenue with growth_pct."
        )
    baseline = _positive("baseline_revenue", data.baseline_revenue)
    if not data.growth_pct.is_finite() or data.growth_pct <= -100:
        raise FunnelInputError("growth_pct", "must be greater than -100.")
    return baseline * (ONE + data.growth_pct / 100)


def validate_sizes(data: FunnelInput) -> None:
    """The bounds on a funnel's size, checked before anything is computed over it."""
    if len(data.stages) > MAX_STAGES:
        raise FunnelInputError("stages", _("list at most %(n)s stages.") % {"n": MAX_STAGES})
    if len(data.channels) > MAX_CHANNELS:
        raise FunnelInputError("channels", _("list at most %(n)s channels.") % {"n": MAX_CHANNELS})
    if len(data.months) > MAX_MONTHS:
        raise FunnelInputError("months", _("list at most %(n)s months.") % {"n": MAX_MONTHS})
    for stage in data.stages:
        if len(stage) > STAGE_CODE_LENGTH:
            raise FunnelInputError(
                "stages",
                _("a stage's code has at most %(n)s characters.") % {"n": STAGE_CODE_LENGTH},
            )
    for channel in data.channels:
        if len(channel.code) > CHANNEL_CODE_LENGTH:
            raise FunnelInputError(
                "channels",
                _("a channel's code has at most %(n)s characters.") % {"n": CHANNEL_CODE_LENGTH},
            )


def validate(data: FunnelInput) -> None:
    validate_sizes(data)
    if not data.stages:
        raise FunnelInputError("stages", "list at least one stage.")
    if len(set(data.stages)) != len(data.stages):
        raise FunnelInputError("stages", "a stage appears twice.")
    if len(data.conversion_rates) != len(data.stages) - 1:
        raise FunnelInputError(
            "conversion_rates",
            f"give {len(data.stages) - 1} rates, one from each stage to the next.",
        )
    for i, rate in enumerate(data.conversion_rates):
        if not rate.is_finite() or not (0 < rate <= 1):
            raise FunnelInputError(
                f"conversion_rates[{i}]", "must be greater than 0 and at most 1."
            )
    _positive("average_deal_size", data.average_deal_size)
    if data.seasonality and len(data.seasonality) != len(data.months):
        raise FunnelInputError("seasonality", "give one weight per month.")
    if any(not w.is_finite() or w < 0 for w in data.seasonality) or (
        data.seasonality and sum(data.seasonality) <= 0
    ):
        raise FunnelInputError("seasonality", "weights must not be negative, and not all 0.")
    for month in data.months:
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month, re.ASCII):  # not "2025-0²"
            raise FunnelInputError("months", f"{month!r} is not a month written YYYY-MM.")
        if not FIRST_MONTH <= month <= LAST_MONTH:
            raise FunnelInputError(
                "months",
                _("%(month)s is not a month from %(first)s to %(last)s.")
                % {"month": month, "first": FIRST_MONTH, "last": LAST_MONTH},
            )
    if data.months != sorted(set(data.months)):
        raise FunnelInputError(
            "months", "list each month once, in order: the period cannot end before it starts."
        )
    if data.stage_days and len(data.stage_days) != len(data.stages) - 1:
        raise FunnelInputError(
            "stage_days", f"give {len(data.stages) - 1} durations, one from each stage to the next."
        )
    if any(not d.is_finite() or d < 0 for d in data.stage_days):
        raise FunnelInputError("stage_days", "durations cannot be negative.")
    if sum(data.stage_days, Decimal(0)) > MAX_FUNNEL_DAYS:
        raise FunnelInputError(
            "stage_days",
            _("the durations add up to at most %(days)s days (five years).")
            % {"days": MAX_FUNNEL_DAYS},
        )
    _validate_channels(data.channels)


def _validate_channels(channels: list[ChannelInput]) -> None:
    if len({c.code for c in channels}) != len(channels):
        raise FunnelInputError("channels", "a channel appears twice.")
    for channel in channels:
        if not channel.cost_per_lead.is_finite() or channel.cost_per_lead < 0:
            raise FunnelInputError("channels", f"{channel.code}: cost_per_lead cannot be negative.")
    shares = [c.share for c in channels]
    if channels and all(s is not None for s in shares):
        if any(s is None or not s.is_finite() or s < 0 for s in shares):
            raise FunnelInputError("channels", "shares cannot be negative.")
        total = sum(s for s in shares if s is not None)
        if abs(total - ONE) > Decimal("0.0001"):
            raise FunnelInputError("channels", f"shares add up to {total}, not 1.")
    elif channels and any(s is not None for s in shares):
        raise FunnelInputError("channels", "give a share for every channel, or for none.")
    elif channels:
        for channel in channels:
            if channel.conversion is None or not (0 < channel.conversion <= 1):
                raise FunnelInputError(
                    "channels", f"{channel.code}: without shares, give a conversion in (0, 1]."
                )
            if channel.cost_per_lead <= 0:
                raise FunnelInputError(
                    "channels", f"{channel.code}: without shares, give a cost_per_lead above 0."
                )


def channel_shares(channels: list[ChannelInput]) -> dict[str, Decimal]:
    """Given shares, or shares in proportion to customers per unit of cost (conversion / cost per lead)."""
    if not channels:
        return {}
    if all(c.share is not None for c in channels):
        return {c.code: c.share for c in channels}  # type: ignore[misc]
    value = {c.code: c.conversion / c.cost_per_lead for c in channels}  # type: ignore[operator]
    total = sum(value.values(), Decimal(0))
    return {code: v / total for code, v in value.items()}


def calculate(data: FunnelInput) -> FunnelResult:
    """Everything the plan needs, from the bottom of the funnel up."""
    validate(data)
    goal = revenue_goal(data)
    needed = stages_needed(goal, data)
    customers = needed[-1]
    months = data.months
    weights = data.seasonality or [ONE] * len(months)
    shares = channel_shares(data.channels)
    shift = _shifts(data)
    targets = [
        _stage_target(stage, total, months, weights, shares, shift[stage])
        for stage, total in zip(data.stages, needed, strict=True)
    ]
    costs = {c.code: c.cost_per_lead for c in data.channels}
    leads = targets[0]
    budget_by_channel = {code: costs[code] * count for code, count in leads.by_channel.items()}
    if sum(budget_by_channel.values(), Decimal(0)) >= MAX_BUDGET:
        raise FunnelInputError(
            "average_deal_size",
            _("the leads needed (%(leads)s) would cost %(n)s or more: check the deal size, the "
              "rates and the costs per lead.") % {"leads": f"{needed[0]:,}", "n": f"{MAX_BUDGET:,}"},
        )  # fmt: skip
    return FunnelResult(
        revenue_goal=goal,
        customers_needed=customers,
        stages=targets,
        leads_needed=needed[0],
        budget=sum(budget_by_channel.values(), Decimal(0)),
        budget_by_channel=budget_by_channel,
        channel_shares=shares,
        month_shift=shift,
        assumptions={
            "average_deal_size": data.average_deal_size,
            "conversion_rates": dict(
                zip(
                    [f"{a}->{b}" for a, b in zip(data.stages, data.stages[1:], strict=False)],
                    data.conversion_rates,
                    strict=True,
                )
            ),
            "stage_days": list(data.stage_days),
            "seasonality": dict(zip(months, weights, strict=True)),
            "cost_per_lead": costs,
            "rounding": "counts rounded up; splits by largest remainder",
        },
    )


def stages_needed(goal: Decimal, data: FunnelInput) -> list[int]:
    """How many each stage needs, from the customers up; refused past MAX_NEEDED, which
    every step is checked against so that no figure grows to thousands of digits."""
    try:
        needed = [ceil_int(goal / data.average_deal_size)]
        for rate in reversed(data.conversion_rates):
            if needed[0] > MAX_NEEDED:
                break
            needed.insert(0, ceil_int(Decimal(needed[0]) / rate))
    except (DecimalException, OverflowError):
        needed = [MAX_NEEDED + 1]
    if needed[0] > MAX_NEEDED:
        raise FunnelInputError(
            "revenue_goal",
            _("is too large for the deal size and rates given: a stage would need more than %(n)s.")
            % {"n": f"{MAX_NEEDED:,}"},
        )
    return needed


def _shifts(data: FunnelInput) -> dict[str, int]:
    """Months each stage runs ahead of the customers: the days leads need from it to the end."""
    shift = {}
    for i, stage in enumerate(data.stages):
        days = sum(data.stage_days[i:], Decimal(0)) if data.stage_days else Decimal(0)
        shift[stage] = int((days / DAYS_PER_MONTH).to_integral_value())
    return shift


def _stage_target(
    stage: str,
    total: int,
    months: list[str],
    weights: list[Decimal],
    shares: dict[str, Decimal],
    shift: int,
) -> StageTarget:
    by_month: dict[str, int] = {}
    grid: dict[str, dict[str, int]] = {}
    for month, count in zip(months, allocate(total, weights), strict=True):
        when = _month_minus(month, shift)
        by_month[when] = count
        if shares:
            grid[when] = dict(zip(shares, allocate(count, list(shares.values())), strict=True))
    if shares and months:
        by_channel = {code: sum(row[code] for row in grid.values()) for code in shares}
    else:
        by_channel = (
            dict(zip(shares, allocate(total, list(shares.values())), strict=True)) if shares else {}
        )
    return StageTarget(stage, total, by_month, by_channel, grid)


def _decimal(field_name: str, raw: object) -> Decimal:
    try:
        value = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        raise FunnelInputError(field_name, f"{raw!r} is not a number.") from None
    if value.is_finite() and abs(value) >= MAX_NUMBER:
        raise FunnelInputError(
            field_name, _("must be below %(max)s.") % {"max": f"{MAX_NUMBER:,.0f}"}
        )
    return value


def check_lists(document: dict[str, object]) -> None:
    """The calculator body's lists are lists (or absent), before anything reads them."""
    for name in LISTS:
        if document.get(name) not in (None, "") and not isinstance(document.get(name), list):
            raise FunnelInputError(name, "must be a list.")


def parse_input(document: dict[str, object]) -> FunnelInput:
    """A calculator body (strings or numbers) as a FunnelInput, naming the field of a bad value."""
    if not isinstance(document, dict):
        raise FunnelInputError("inputs", "must be a JSON object.")
    check_lists(document)

    def decimals(name: str) -> list[Decimal]:
        raw = cast(list[object], document.get(name) or [])  # a list: check_lists said so
        return [_decimal(f"{name}[{i}]", v) for i, v in enumerate(raw)]

    def optional(name: str) -> Decimal | None:
        raw = document.get(name)
        return None if raw in (None, "") else _decimal(name, raw)

    channels = []
    listed = document.get("channels") or []
    if not isinstance(listed, list):
        raise FunnelInputError("channels", "must be a list.")
    for i, raw in enumerate(listed):
        if not isinstance(raw, dict) or not raw.get("code"):
            raise FunnelInputError(f"channels[{i}]", "give each channel as an object with a code.")
        channels.append(
            ChannelInput(
                code=str(raw["code"]),
                share=None
                if raw.get("share") in (None, "")
                else _decimal(f"channels[{i}].share", raw["share"]),
                cost_per_lead=_decimal(f"channels[{i}].cost_per_lead", raw.get("cost_per_lead", 0)),
                conversion=None
                if raw.get("conversion") in (None, "")
                else _decimal(f"channels[{i}].conversion", raw["conversion"]),
            )
        )
    stages = document.get("stages") or []
    if not isinstance(stages, list):
        raise FunnelInputError("stages", "must be a list.")
    size = optional("average_deal_size")
    return FunnelInput(
        stages=[str(s) for s in stages],
        conversion_rates=decimals("conversion_rates"),
        average_deal_size=size if size is not None else Decimal(0),
        revenue_goal=optional("revenue_goal"),
        baseline_revenue=optional("baseline_revenue"),
        growth_pct=optional("growth_pct"),
        months=[str(m) for m in document.get("months") or []],  # type: ignore[attr-defined]
        seasonality=decimals("seasonality"),
        stage_days=decimals("stage_days"),
        channels=channels,
    )


def jsonable(value: object) -> object:
    """Results and assumptions as JSON: Decimals (and other values) as strings, keys as strings."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return plain_decimal(value)
    return value if isinstance(value, int | str | type(None)) else str(value)


@dataclass(frozen=True)
class Scenario:
    """Changes to a plan's inputs: rate changes in points (+0.05 is five points better), and
    optionally another goal or deal size."""

    rate_points: dict[str, Decimal] = field(default_factory=dict)  # "mql->sql" -> +0.05
    revenue_goal: Decimal | None = None
    average_deal_size: Decimal | None = None


def what_if(base: FunnelInput, scenario: Scenario) -> dict[str, Any]:
    """The plan and the scenario side by side: every stage's need, leads and budget, and the difference."""
    pairs = [f"{a}->{b}" for a, b in zip(base.stages, base.stages[1:], strict=False)]
    unknown = sorted(set(scenario.rate_points) - set(pairs))
    if unknown:
        raise FunnelInputError(
            "rate_points", f"no stage pair {', '.join(unknown)}; the pairs are {', '.join(pairs)}."
        )
    rates = [
        rate + scenario.rate_points.get(pair, Decimal(0))
        for pair, rate in zip(pairs, base.conversion_rates, strict=True)
    ]
    changed = FunnelInput(
        **{
            **base.__dict__,
            "conversion_rates": rates,
            "revenue_goal": scenario.revenue_goal
            if scenario.revenue_goal is not None
            else base.revenue_goal,
            "average_deal_size": scenario.average_deal_size or base.average_deal_size,
        }
    )
    before, after = calculate(base), calculate(changed)

    def summary(result: FunnelResult) -> dict[str, object]:
        return {
            "stages": {s.stage: s.needed for s in result.stages},
            "leads_needed": result.leads_needed,
            "customers_needed": result.customers_needed,
            "budget": result.budget,
        }

    return {
        "plan": summary(before),
        "scenario": summary(after) | {"conversion_rates": dict(zip(pairs, rates, strict=True))},
        "difference": {
            "stages": {
                s.stage: t.needed - s.needed
                for s, t in zip(before.stages, after.stages, strict=True)
            },
            "leads_needed": after.leads_needed - before.leads_needed,
            "budget": after.budget - before.budget,
        },
    }
