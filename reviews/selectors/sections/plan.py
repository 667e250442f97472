"""Plan versus actual along the journey: each stage of the active plan in the month, over
the plan to date and over the whole plan, with the revenue goal against won revenue."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.template.defaultfilters import date as date_filter
from django.utils.translation import gettext as _

from funnel.selectors import plan_revenue, plan_targets
from kpis.dictionary import RATE, ratio
from reviews.pack_figures import StageLine, journey
from reviews.pack_sheets import Cell, Column, Kind, Sheet
from reviews.selectors.pack import PackInput

if TYPE_CHECKING:
    from funnel.models import Plan


def _day(pack: PackInput) -> str:
    return str(date_filter(pack.to, "j F Y"))


@dataclass(frozen=True)
class PlanPart:
    plan: Plan | None
    lines: list[StageLine]
    revenue: dict[str, Any] | None  # funnel.selectors.plan_revenue, read to the same day
    stage_names: dict[str, str] = field(default_factory=dict)

    @property
    def revenue_attainment(self) -> Decimal | None:
        """Won revenue as a share of the goal due to date."""
        return (
            ratio(self.revenue["won"], self.revenue["goal_to_date"], RATE) if self.revenue else None
        )

    def data(self) -> dict[str, Any]:
        plan = self.plan
        return {
            "plan": None if plan is None else {
                "id": plan.pk, "name": plan.name, "version": plan.version,
                "first_month": f"{plan.first_month:%Y-%m}", "last_month": f"{plan.last_month:%Y-%m}",
            },
            "stages": [
                {"stage": line.stage, "name": self.stage_names.get(line.stage, line.stage),
                 "target": line.target, "due": line.due, "actual": line.actual,
                 "variance": line.variance, "attainment": line.attainment,
                 "plan_due": line.plan_due, "plan_actual": line.plan_actual,
                 "plan_variance": line.plan_variance, "plan_attainment": line.plan_attainment,
                 "plan_target": line.plan_target, "projected": line.projected}
                for line in self.lines
            ],
            "revenue": None if not self.revenue else {
                **{k: self.revenue[k] for k in ("goal", "won", "goal_to_date", "variance", "projected")},
                "attainment": self.revenue_attainment,
            },
        }  # fmt: skip

    def sheets(self, pack: PackInput) -> list[Sheet]:
        columns = [
            Column(_("Stage"), width=24), Column(_("Target"), Kind.COUNT),
            Column(_("Due by %(day)s") % {"day": _day(pack)}, Kind.COUNT, 18),
            Column(_("Actual"), Kind.COUNT), Column(_("Variance"), Kind.COUNT),
            Column(_("Attainment"), Kind.PERCENT),
            Column(_("Plan to date: due"), Kind.COUNT, 18), Column(_("Plan to date: actual"), Kind.COUNT, 18),
            Column(_("Plan to date: variance"), Kind.COUNT, 18),
            Column(_("Plan to date: attainment"), Kind.PERCENT, 18),
            Column(_("Whole plan: target"), Kind.COUNT, 18), Column(_("Projected"), Kind.COUNT),
        ]  # fmt: skip
        rows: list[list[object]] = [
            [self.stage_names.get(line.stage, line.stage), line.target, line.due, line.actual,
             line.variance, line.attainment, line.plan_due, line.plan_actual, line.plan_variance,
             line.plan_attainment, line.plan_target, line.projected]
            for line in self.lines
        ]  # fmt: skip
        if self.revenue:
            r = self.revenue
            money = [Cell(r[k], Kind.MONEY) for k in ("goal_to_date", "won", "variance")]
            rows.append([
                _("Won revenue"), None, None, None, None, None, *money,
                self.revenue_attainment, Cell(r["goal"], Kind.MONEY),
                Cell(r["projected"], Kind.MONEY),
            ])  # fmt: skip
        return [Sheet(_("Plan vs actual"), columns, rows)]


def plan_part(pack: PackInput) -> PlanPart:
    plan = pack.plan
    if plan is None:
        return PlanPart(None, [], None, pack.stage_names)
    stages = (plan.result or {}).get("inputs_used", {}).get("stages") or pack.stages
    rows = plan_targets(pack.organization, plan, channel="")  # all channels together
    lines = journey(rows, stages, month=pack.month, to=pack.to)
    started = plan.first_month <= pack.month
    revenue = plan_revenue(pack.organization, plan, today=pack.to) if started else None
    return PlanPart(plan, lines, revenue, pack.stage_names)
