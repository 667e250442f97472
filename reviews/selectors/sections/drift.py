"""The plan's drift: each active plan's assumptions against its latest cohorts, as the last
recompute stored them. Drift is a measurement of now, not of the month reviewed: the pack
of any month shows the plans' current one, and says when it was made."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from reviews import drift
from reviews.drift_words import DriftWords, drift_words
from reviews.pack_sheets import Cell, Column, Kind, Sheet
from reviews.selectors.drift import drift_by_plan
from reviews.selectors.pack import PackInput
from reviews.serializers.drift import DriftSerializer

if TYPE_CHECKING:
    from funnel.models import Plan
    from reviews.models import PlanDrift


@dataclass(frozen=True)
class PlanDrifts:
    """An active plan's rows in words, those at risk first (each in the funnel's order)."""

    plan: Plan
    words: list[DriftWords]

    @property
    def at_risk(self) -> list[DriftWords]:
        return [w for w in self.words if w.row.at_risk]

    @property
    def computed_at(self) -> datetime | None:
        return max((w.row.computed_at for w in self.words), default=None)


@dataclass(frozen=True)
class DriftPart:
    plans: list[PlanDrifts]
    stage_names: dict[str, str]
    currency: str

    @property
    def computed_at(self) -> datetime | None:
        """When the latest of the plans was measured."""
        return max((p.computed_at for p in self.plans if p.computed_at), default=None)

    @property
    def at_risk(self) -> bool:
        return any(p.at_risk for p in self.plans)

    def data(self) -> dict[str, Any]:
        context = {"stage_names": self.stage_names, "currency": self.currency}
        return {
            "computed_at": self.computed_at,
            "plans": [
                {"id": p.plan.pk, "name": p.plan.name, "version": p.plan.version,
                 "at_risk": bool(p.at_risk), "computed_at": p.computed_at,
                 "rows": DriftSerializer([w.row for w in p.words], many=True, context=context).data}
                for p in self.plans
            ],
        }  # fmt: skip

    def sheets(self, pack: PackInput) -> list[Sheet]:
        columns = [
            Column(_("Plan"), width=24), Column(_("Stage"), width=36), Column(_("Metric"), width=16),
            Column(_("Assumed"), Kind.DECIMAL), Column(_("Measured"), Kind.DECIMAL),
            Column(_("Interval (95 percent), low end"), Kind.DECIMAL, 16),
            Column(_("Interval (95 percent), high end"), Kind.DECIMAL, 16),
            Column(_("Leads"), Kind.COUNT), Column(_("Verdict"), width=22),
            Column(_("Customers at current rates"), Kind.COUNT, 16),
            Column(_("Revenue at current rates"), Kind.MONEY, 18),
            Column(_("Cohorts from"), Kind.DATE), Column(_("Cohorts to"), Kind.DATE),
            Column(_("Measured at"), Kind.DATETIME, 18),
        ]  # fmt: skip
        zone = ZoneInfo(pack.zone)
        rows = [
            [p.plan.name, w.stage, str(w.row.get_metric_display()),
             *(_figure(w.row, v) for v in (w.row.assumed, w.row.measured, w.row.low, w.row.high)),
             w.row.sample, w.verdict, w.row.customers_delta if w.row.at_risk else None,
             w.row.revenue_delta if w.row.at_risk else None, w.row.window_start, w.row.last_day,
             w.row.computed_at.astimezone(zone).replace(tzinfo=None)]
            for p in self.plans
            for w in p.words
        ]  # fmt: skip
        return [Sheet(_("Plan drift"), columns, rows)]


def _figure(row: PlanDrift, value: Any) -> Cell | None:
    """A rate as a percentage, a stage time in days."""
    if value is None:
        return None
    return Cell(value, Kind.PERCENT if row.metric == drift.RATE else Kind.DECIMAL)


def drift_part(pack: PackInput) -> DriftPart:
    """Each active plan's stored drift, the rows at risk first. Two queries."""
    names, currency = pack.stage_names, pack.currency
    plans = []
    for entry in drift_by_plan(pack.organization):
        ordered = sorted(entry["rows"], key=lambda row: not row.at_risk)  # stable: funnel order
        words = [drift_words(row, stage_names=names, currency=currency) for row in ordered]
        plans.append(PlanDrifts(entry["plan"], words))
    return DriftPart(plans, names, currency)
