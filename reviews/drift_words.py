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
    return DriftWords(
        row=row, stage=stage, figure=_figure(row, stage, assumed, measured, interval),
        verdict=str(PlanDrift.Direction(row.direction).label), impact=_impact(row, currency),
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


def _impact(row: PlanDrift, currency: str) -> str:
    if not row.at_risk or not row.customers_delta:
        return ""
    revenue = money(row.revenue_delta, currency)
    if row.revenue_delta > 0:
        revenue = "+" + revenue
    return ngettext(
        "at current rates %(customers)s customer, %(revenue)s revenue",
        "at current rates %(customers)s customers, %(revenue)s revenue",
        abs(row.customers_delta),
    ) % {"customers": signed(row.customers_delta), "revenue": revenue}
