"""The metric dictionary: every KPI defined once, for the code and for the page users read.

`derive` turns summed facts (plain numbers, no ORM) into the KPIs; it is the only place
where a ratio is taken, and a ratio whose denominator is zero is None (shown as "-").
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from kpis.sql import FACT_COLUMNS

CENT = Decimal("0.01")
RATE = Decimal("0.0001")


@dataclass(frozen=True)
class Metric:
    code: str
    name: StrOrPromise
    counts: StrOrPromise  # what is counted
    month: StrOrPromise  # which date decides the month
    excludes: StrOrPromise = ""


METRICS = [
    Metric(
        "leads", _("Leads"), _("Leads that entered the funnel."), _("The lead's creation date.")
    ),
    Metric(
        "mqls",
        _("MQLs"),
        _("Leads that first reached the MQL stage or, skipping it, a later funnel stage."),
        _("The date of that stage change."),
        _("Exit stages (disqualified, recycled); a lead that comes back is not counted again."),
    ),
    Metric(
        "sqls",
        _("SQLs"),
        _("Leads that first reached the SQL stage or a later funnel stage."),
        _("The date of that stage change."),
        _("As for MQLs."),
    ),
    Metric(
        "opportunities",
        _("Opportunities"),
        _("Leads that first reached the opportunity stage or a later funnel stage."),
        _("The date of that stage change."),
        _("As for MQLs."),
    ),
    Metric(
        "new_customers",
        _("New customers"),
        _("Won deals of new business: the company's (or lead's) first win."),
        _("The deal's close date."),
        _("Repeat and reactivation deals."),
    ),
    Metric(
        "won_revenue",
        _("Won revenue"),
        _("The amounts of won deals, in the organisation's currency."),
        _("The deal's close date."),
        _("Deals without an amount count as won deals but add no revenue."),
    ),
    Metric(
        "win_rate",
        _("Win rate"),
        _("Won deals divided by won and lost deals."),
        _("The deal's close date."),
        _("Open deals."),
    ),
    Metric(
        "conversion",
        _("Stage conversion (cohort)"),
        _(
            "Of the leads that reached a stage in the month, the share that has reached the next stage since."
        ),
        _("The date the lead reached the first of the two stages."),
        _("Later months' cohorts keep converting: recent months rise as leads move on."),
    ),
    Metric(
        "funnel_conversion",
        _("Lead to MQL, MQL to SQL, lead to customer"),
        _(
            "Cohort conversions between two stages: for neighbouring stages, of the leads that "
            "reached the first in the period, the share that has reached the next since; further "
            "apart (lead to customer), the product of the conversions of the stages between."
        ),
        _("The date the lead reached each first stage."),
        _("As for the stage conversion."),
    ),
    Metric(
        "avg_deal_size",
        _("Average deal size"),
        _("Won revenue divided by won deals with an amount."),
        _("The deal's close date."),
    ),
    Metric(
        "sales_cycle_days",
        _("Sales cycle"),
        _("Average days from the lead's creation to the deal's win."),
        _("The deal's close date."),
        _("Won deals without a lead."),
    ),
    Metric(
        "response",
        _("Lead response time"),
        _(
            "Time from a lead reaching the MQL stage to the first call, e-mail or meeting: median, "
            "90th percentile, and the share answered within the organisation's response window."
        ),
        _("The date the lead reached the MQL stage."),
        _("Notes; leads never answered count against the share but not in the median."),
    ),
    Metric(
        "cost_per_lead",
        _("Cost per lead"),
        _("Campaign costs divided by leads."),
        _("Costs: spread over the days each campaign ran; leads: their creation date."),
        _("Campaigns without an actual cost."),
    ),
    Metric(
        "cac",
        _("Customer acquisition cost"),
        _("Campaign costs divided by new customers."),
        _("As for its parts."),
    ),
    Metric(
        "roi",
        _("Campaign ROI"),
        _(
            "(Won revenue attributed to the campaign - its cost) / its cost. Attribution is "
            "first touch: a deal belongs to the campaign its lead came from."
        ),
        _("Revenue: the deal's close date; cost: the days the campaign ran."),
    ),
    Metric(
        "arpu",
        _("Revenue per customer (ARPU)"),
        _(
            "Won revenue divided by paying customers, counted per month: a customer buying in two months counts in each."
        ),
        _("The deal's close date."),
    ),
    Metric(
        "repeat",
        _("Repeat orders and revenue"),
        _(
            "Won deals of companies that had won before within the reactivation gap, and their amounts."
        ),
        _("The deal's close date."),
    ),
    Metric(
        "reactivated_customers",
        _("Reactivated customers"),
        _("Won deals of companies whose previous win is older than the reactivation gap."),
        _("The deal's close date."),
    ),
]

METRICS += [
    Metric(
        "fit_share_leads",
        _("Fit share of leads"),
        _(
            "Leads that fit an approved buyer persona divided by leads: which channels and "
            "campaigns bring the ideal customers. A lead's fit is measured now, against today's "
            "approved personas."
        ),
        _("The lead's creation date."),
        _("Leads not measured yet (no persona approved)."),
    ),
    Metric(
        "fit_share_mqls",
        _("Fit share of MQLs"),
        _("MQLs that fit an approved buyer persona divided by MQLs."),
        _("The date the lead first reached the MQL stage or a later one."),
        _("As for MQLs."),
    ),
    Metric(
        "persona",
        _("Per buyer persona"),
        _(
            "Leads, MQLs, won and lost deals, won revenue and win rate of the leads that fit each "
            'approved persona (a lead counts for the persona it fits best; "none" for leads '
            "that fit none), and each persona's share of leads, MQLs and won revenue."
        ),
        _("As for each metric."),
        _('Deals without a lead count under "none".'),
    ),
]

# The summed facts a row of `derive` reads; stage counts come as `reached` and `converted`.
SUMMED = [
    c
    for c in FACT_COLUMNS
    if c
    not in (
        "organization_id",
        "month",
        "channel_id",
        "campaign_id",
        "owner_id",
        "reached",
        "converted",
        "response_minutes",
    )
]


def ratio(numerator: Any, denominator: Any, places: Decimal = CENT) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(places, ROUND_HALF_UP)


def derive(facts: Mapping[str, Any]) -> dict[str, Any]:
    """The KPIs of one group of cells, from its summed facts."""
    reached = facts.get("reached") or {}
    won, lost, revenue, cost = (
        facts["won_deals"],
        facts["lost_deals"],
        Decimal(facts["won_revenue"]),
        Decimal(facts["cost"]),
    )
    return {
        "leads": facts["leads"],
        "mqls": reached.get("mql", 0),
        "sqls": reached.get("sql", 0),
        "opportunities": reached.get("opportunity", 0),
        "won_deals": won,
        "lost_deals": lost,
        "won_revenue": revenue,
        "win_rate": ratio(won, won + lost, RATE),
        "avg_deal_size": ratio(revenue, won),
        "new_customers": facts["new_customers"],
        "customers": facts["customers"],
        "arpu": ratio(revenue, facts["customers"]),
        "repeat_deals": facts["repeat_deals"],
        "repeat_revenue": Decimal(facts["repeat_revenue"]),
        "reactivated_customers": facts["reactivated_customers"],
        "sales_cycle_days": ratio(facts["cycle_days"], facts["cycle_deals"], Decimal("0.1")),
        "cost": cost,
        "cost_per_lead": ratio(cost, facts["leads"]),
        "cac": ratio(cost, facts["new_customers"]),
        "roi": ratio(revenue - cost, cost, RATE),
    }


def conversion(
    reached: Mapping[str, int], converted: Mapping[str, int], stages: Sequence[str]
) -> dict[str, Decimal | None]:
    """Cohort conversion per stage pair 'a->b' from summed stage counts."""
    return {
        f"{a}->{b}": ratio(converted.get(a, 0), reached.get(a, 0), RATE)
        for a, b in itertools.pairwise(stages)
    }


def chained_conversion(
    reached: Mapping[str, int], converted: Mapping[str, int], stages: Sequence[str], a: str, b: str
) -> Decimal | None:
    """The share of the leads reaching stage `a` that reach the later stage `b`: the product
    of the cohort conversions of every stage from `a` up to `b` (for neighbours, the one)."""
    if a not in stages or b not in stages or stages.index(a) >= stages.index(b):
        return None
    numerator, denominator = 1, 1
    for code in stages[stages.index(a) : stages.index(b)]:
        if not numerator:
            break  # nobody went on: the stages after are empty, and the chain is 0
        numerator *= converted.get(code, 0)
        denominator *= reached.get(code, 0)
    return ratio(numerator, denominator, RATE)


def funnel_conversions(facts: Mapping[str, Any], stages: Sequence[str]) -> dict[str, Any]:
    """Marketing's three conversions; the funnel's first stage is where leads enter, its last
    is the customer."""
    reached, converted = facts["reached"], facts["converted"]
    first, last = stages[0], stages[-1]
    return {
        "lead_to_mql": chained_conversion(reached, converted, stages, first, "mql"),
        "mql_to_sql": chained_conversion(reached, converted, stages, "mql", "sql"),
        "lead_to_customer": chained_conversion(reached, converted, stages, first, last),
    }


@dataclass(frozen=True)
class Response:
    handed_over: int
    answered: int
    median_minutes: Decimal | None
    p90_minutes: Decimal | None
    within_window: Decimal | None  # share of those handed over answered within the window


def percentile(sorted_values: Sequence[int], share: Decimal) -> Decimal | None:
    """Linear interpolation between closest ranks, as PostgreSQL's percentile_cont."""
    if not sorted_values:
        return None
    position = share * (len(sorted_values) - 1)
    low = int(position)
    high = min(low + 1, len(sorted_values) - 1)
    fraction = position - low
    value = sorted_values[low] + (sorted_values[high] - sorted_values[low]) * fraction
    return Decimal(value).quantize(Decimal("0.1"), ROUND_HALF_UP)


def response(handed_over: int, minutes: Sequence[int], window_minutes: int) -> Response:
    ordered = sorted(minutes)
    within = sum(1 for m in ordered if m <= window_minutes)
    return Response(
        handed_over=handed_over,
        answered=len(ordered),
        median_minutes=percentile(ordered, Decimal("0.5")),
        p90_minutes=percentile(ordered, Decimal("0.9")),
        within_window=ratio(within, handed_over, RATE),
    )
