"""A stored drift row in words people read, in the active language: stage names, not
codes; rates as percentages, stage times in days, money in the organisation's currency.
"Lead → Marketing-qualified lead converts 18.2% (95% CI 16.9% to 19.6%) against 25.0%
assumed: below the assumption; at current rates -12 customers, -€84,000 revenue"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reviews import drift
from reviews.models import PlanDrift
from reviews.words import signed
from smarketing.lib.formatting import money, number, pair_named, percent


@dataclass(frozen=True)
class DriftWords:
    row: PlanDrift
    stage: str  # "Lead → Marketing-qualified lead"
    figure: str  # what was measured against what was assumed
    verdict: str  # below / above the assumption, within, too few leads
    impact: str  # "at current rates -12 customers, -€84,000 revenue", or ""
    customers: str  # of it, the customers with their sign ("-12"), or "" when none
    revenue: str  # and the revenue ("-€84,000", "+€8,000"), or ""
    assumed: str
    measured: str
    interval: str  # its two bounds joined by an en dash, or a dash when there is none


def _value(metric: str, value: Any) -> str:
    if value is None:
        return "—"
    return percent(value) if metric == drift.RATE else number(value, 1)


def drift_words(row: PlanDrift, *, stage_names: dict[str, str], currency: str) -> DriftWords:
    stage = pair_named(row.stage, stage_names)
    assumed, measured = _value(row.metric, row.assumed), _value(row.metric, row.measured)
    interval = "—"
    if row.low is not None and row.high is not None:
        interval = f"{_value(row.metric, row.low)}\u2013{_value(row.metric, row.high)}"  # en dash
    customers, revenue = _deltas(row, currency)
    return DriftWords(
        row=row, stage=stage, figure=_figure(row, stage, assumed, measured, interval),
        verdict=str(PlanDrift.Direction(row.direction).label),
        impact=_impact(row, customers, revenue), customers=customers, revenue=revenue,
        assumed=assumed, measured=measured, interval=interval,
    )  # fmt: skip


def _figure(row: PlanDrift, stage: str, assumed: str, measured: str, interval: str) -> str:
    words = {
        "stage": stage, "measured": measured, "assumed": assumed, "interval": interval,
        "confidence": percent(drift.CONFIDENCE, 0), "sample": number(row.sample),
    }  # fmt: skip
    if row.measured is None:
        return _("%(stage)s: no lead of the window to measure") % words
    if row.metric == drift.RATE:
        return (
            _(
                "%(stage)s converts %(measured)s (%(confidence)s CI %(interval)s, %(sample)s "
                "leads) against %(assumed)s assumed"
            )
            % words
        )
    if row.low is None:
        return (
            _(
                "%(stage)s takes %(measured)s days (%(sample)s leads: too few for an interval) "
                "against %(assumed)s days assumed"
            )
            % words
        )
    return (
        _(
            "%(stage)s takes %(measured)s days (%(confidence)s CI %(interval)s, %(sample)s leads) "
            "against %(assumed)s days assumed"
        )
        % words
    )


def _deltas(row: PlanDrift, currency: str) -> tuple[str, str]:
    """The customers and revenue a drift costs or brings, with their signs; blank for a
    row not at risk, or at risk by less than a customer."""
    if not row.at_risk or not row.customers_delta:
        return "", ""
    revenue = money(row.revenue_delta, currency)
    if row.revenue_delta > 0:
        revenue = "+" + revenue
    return signed(row.customers_delta), revenue


def _impact(row: PlanDrift, customers: str, revenue: str) -> str:
    if not customers:
        return ""
    return ngettext(
        "at current rates %(customers)s customer, %(revenue)s revenue",
        "at current rates %(customers)s customers, %(revenue)s revenue",
        abs(row.customers_delta),
    ) % {"customers": customers, "revenue": revenue}
