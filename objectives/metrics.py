"""The metrics an objective can target: codes of the metric dictionary (kpis.dictionary),
each with its unit, its usual direction, the team whose number it is by nature, how a period
adds up from its months, the scopes the stored facts can measure it in, and what data it
needs. Pure: no ORM, clock or settings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from kpis.dictionary import METRICS


class Direction(models.TextChoices):
    AT_LEAST = "at_least", _("at least")
    AT_MOST = "at_most", _("at most")


class Unit(StrEnum):
    COUNT = "count"
    MONEY = "money"
    PERCENT = "percent"
    HOURS = "hours"
    DAYS = "days"


class Team(StrEnum):
    MARKETING = "marketing"
    SALES = "sales"
    SHARED = "shared"


class Kind(StrEnum):
    SUM = "sum"  # the period's value is the sum of its months'
    RATIO = "ratio"  # the sum of the numerators over the sum of the denominators
    MEDIAN = "median"  # the median of every value of the period's months (response times)


# What a metric needs to be measured, and how the check names it when it is missing.
class Need(StrEnum):
    LEADS = "leads"
    STAGES = "stages"
    CLOSED_DEALS = "closed_deals"
    WON_DEALS = "won_deals"
    COSTS = "costs"
    FIRST_TOUCHES = "first_touches"
    APPROVED_PERSONA = "approved_persona"


NEED_TEXT: dict[Need, StrOrPromise] = {
    Need.LEADS: _("leads"),
    Need.STAGES: _("leads moving through the funnel's stages"),
    Need.CLOSED_DEALS: _("won or lost deals"),
    Need.WON_DEALS: _("won deals"),
    Need.COSTS: _("campaigns with an actual cost"),
    Need.FIRST_TOUCHES: _("first calls, e-mails or meetings logged on handed-over leads"),
    Need.APPROVED_PERSONA: _("a buyer persona approved by both teams"),
}

FACT_SCOPES = frozenset({"", "channel", "campaign"})
PERSONA_SCOPES = FACT_SCOPES | {"persona"}
DEAL_SCOPES = PERSONA_SCOPES | {"product"}
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class ObjectiveMetric:
    code: str  # the metric dictionary's
    unit: Unit
    direction: Direction
    team: Team
    kind: Kind
    numerator: str  # the month's part summed (for MEDIAN: the part holding the values)
    denominator: str = ""
    scopes: frozenset[str] = FACT_SCOPES
    needs: tuple[Need, ...] = ()
    per_owner: bool = False  # the KPI facts count it per owner: it splits into rep targets

    @property
    def name(self) -> StrOrPromise:
        return _DICTIONARY[self.code].name

    @property
    def whole(self) -> bool:
        """Counted in whole numbers (a target of 12.5 leads is not one)."""
        return self.unit == Unit.COUNT

    def value(self, months: Sequence[Mapping[str, Any]]) -> Decimal | None:
        """The metric over these months (their parts), None where it is undefined (a rate of
        no deals, a cost per lead of no leads)."""
        if self.kind == Kind.SUM:
            return sum((Decimal(m.get(self.numerator) or 0) for m in months), Decimal(0))
        if self.kind == Kind.MEDIAN:
            values = sorted(v for m in months for v in m.get(self.numerator) or ())
            return median_hours(values)
        numerator = sum((Decimal(m.get(self.numerator) or 0) for m in months), Decimal(0))
        denominator = sum((Decimal(m.get(self.denominator) or 0) for m in months), Decimal(0))
        if not denominator:
            return None
        scale = HUNDRED if self.unit == Unit.PERCENT else Decimal(1)
        return (numerator / denominator * scale).quantize(Decimal("0.01"), ROUND_HALF_UP)

    def meets(self, value: Decimal | None, target: Decimal, direction: Direction) -> bool:
        if value is None:
            return False
        return value >= target if direction == Direction.AT_LEAST else value <= target


def median_hours(minutes: Sequence[int]) -> Decimal | None:
    """The median of sorted minutes, in hours (two places)."""
    if not minutes:
        return None
    middle = len(minutes) // 2
    value = (
        Decimal(minutes[middle])
        if len(minutes) % 2
        else (Decimal(minutes[middle - 1]) + Decimal(minutes[middle])) / 2
    )
    return (value / 60).quantize(Decimal("0.01"), ROUND_HALF_UP)


_DICTIONARY = {m.code: m for m in METRICS}
_AT_LEAST, _AT_MOST = Direction.AT_LEAST, Direction.AT_MOST
_M, _S, _B = Team.MARKETING, Team.SALES, Team.SHARED
_STAGES = (Need.STAGES,)

OBJECTIVE_METRICS = [
    ObjectiveMetric(
        "leads", Unit.COUNT, _AT_LEAST, _M, Kind.SUM, "leads",
        scopes=PERSONA_SCOPES, needs=(Need.LEADS,), per_owner=True,
    ),
    ObjectiveMetric(
        "mqls", Unit.COUNT, _AT_LEAST, _M, Kind.SUM, "mqls",
        scopes=PERSONA_SCOPES, needs=_STAGES, per_owner=True,
    ),
    ObjectiveMetric("sqls", Unit.COUNT, _AT_LEAST, _B, Kind.SUM, "sqls", needs=_STAGES, per_owner=True),
    ObjectiveMetric(
        "opportunities", Unit.COUNT, _AT_LEAST, _S, Kind.SUM, "opportunities",
        needs=_STAGES, per_owner=True,
    ),
    ObjectiveMetric(
        "new_customers", Unit.COUNT, _AT_LEAST, _B, Kind.SUM, "new_customers",
        needs=(Need.WON_DEALS,), per_owner=True,
    ),
    ObjectiveMetric(
        "won_revenue", Unit.MONEY, _AT_LEAST, _B, Kind.SUM, "won_revenue",
        scopes=DEAL_SCOPES, needs=(Need.WON_DEALS,), per_owner=True,
    ),
    ObjectiveMetric(
        "win_rate", Unit.PERCENT, _AT_LEAST, _S, Kind.RATIO, "won_deals", "closed_deals",
        scopes=DEAL_SCOPES, needs=(Need.CLOSED_DEALS,),
    ),
    ObjectiveMetric(
        "avg_deal_size", Unit.MONEY, _AT_LEAST, _S, Kind.RATIO, "won_revenue", "won_deals",
        scopes=DEAL_SCOPES, needs=(Need.WON_DEALS,),
    ),
    ObjectiveMetric(
        "sales_cycle_days", Unit.DAYS, _AT_MOST, _S, Kind.RATIO, "cycle_days", "cycle_deals",
        needs=(Need.WON_DEALS,),
    ),
    ObjectiveMetric(
        "response", Unit.HOURS, _AT_MOST, _S, Kind.MEDIAN, "response_minutes",
        needs=(Need.FIRST_TOUCHES,),
    ),
    ObjectiveMetric(
        "cost_per_lead", Unit.MONEY, _AT_MOST, _M, Kind.RATIO, "cost", "leads",
        needs=(Need.COSTS, Need.LEADS),
    ),
    ObjectiveMetric(
        "cac", Unit.MONEY, _AT_MOST, _B, Kind.RATIO, "cost", "new_customers",
        needs=(Need.COSTS, Need.WON_DEALS),
    ),
    ObjectiveMetric(
        "roi", Unit.PERCENT, _AT_LEAST, _M, Kind.RATIO, "net_revenue", "cost",
        needs=(Need.COSTS, Need.WON_DEALS),
    ),
    ObjectiveMetric(
        "arpu", Unit.MONEY, _AT_LEAST, _S, Kind.RATIO, "won_revenue", "customers",
        needs=(Need.WON_DEALS,),
    ),
    ObjectiveMetric(
        "repeat", Unit.COUNT, _AT_LEAST, _S, Kind.SUM, "repeat_deals",
        needs=(Need.WON_DEALS,), per_owner=True,
    ),
    ObjectiveMetric(
        "reactivated_customers", Unit.COUNT, _AT_LEAST, _S, Kind.SUM, "reactivated_customers",
        needs=(Need.WON_DEALS,), per_owner=True,
    ),
    ObjectiveMetric(
        "fit_share_leads", Unit.PERCENT, _AT_LEAST, _M, Kind.RATIO, "fitting_leads", "leads",
        needs=(Need.APPROVED_PERSONA, Need.LEADS),
    ),
    ObjectiveMetric(
        "fit_share_mqls", Unit.PERCENT, _AT_LEAST, _B, Kind.RATIO, "fitting_mqls", "mqls",
        needs=(Need.APPROVED_PERSONA, Need.STAGES),
    ),
]  # fmt: skip

BY_CODE = {m.code: m for m in OBJECTIVE_METRICS}
# Codes of the dictionary that describe a table of figures, not one number to aim at.
NOT_TARGETS = frozenset(_DICTIONARY) - frozenset(BY_CODE)
