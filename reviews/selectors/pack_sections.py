"""The sections of the monthly review pack, in the order the meeting goes through them: the
plan against what happened along the journey, the shared objectives, the SLA's scorecard and
breaches, each channel's and campaign's results, and the decisions the review follows up.

Each builder reads one month through the other apps' selectors (stored results only) and
returns a dataclass that the page shows (its template), the API answers (`data()`) and the
workbook writes (`sheets()`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Q
from django.template.defaultfilters import date as date_filter
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from funnel.selectors import plan_revenue, plan_targets
from kpis.dictionary import RATE, derive, ratio
from kpis.selectors import kpi_rows, kpi_sums
from objectives.metrics import BY_CODE, Unit
from objectives.presenters import objective_data
from objectives.selectors import scope_labels, scorecard
from objectives.words import objective_row, period, status, team_words
from orgs.models import Organization
from reviews.pack_figures import FollowUp, ResultLine, StageLine, follow_up, journey, ranked
from reviews.pack_figures import result_line as line_of
from reviews.pack_sheets import Cell, Column, Kind, Sheet
from reviews.selectors.decisions import decision_data, decisions_for_pack
from reviews.selectors.pack import PackInput, PackSection
from sla.compliance import Compliance, compliance_of
from sla.compliance_words import PARTS, scorecard_words
from sla.models import Breach
from sla.presenters import breach_data, compliance_data
from sla.selectors import breaches_of
from smarketing.lib.formatting import month_label
from smarketing.lib.months import add_months

if TYPE_CHECKING:
    from funnel.models import Plan
    from objectives.models import Objective
    from reviews.models import ReviewDecision

BREACHES_SHOWN = 10  # the month's latest: the list page has them all
OBJECTIVE_GROUPS = {
    "shared": gettext_lazy("Shared by marketing and sales"),
    "marketing": gettext_lazy("Marketing's"),
    "sales": gettext_lazy("Sales'"),
    "other": gettext_lazy("Others"),
}


def _day(pack: PackInput) -> str:
    return str(date_filter(pack.to, "j F Y"))


# -- Plan versus actual -------------------------------------------------------------------


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


# -- Objectives ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ObjectivesPart:
    groups: list[dict[str, Any]]  # {code, label, rows}: objectives.words.objective_row
    teams: list[dict[str, Any]]  # objectives.words.team_words
    weights: dict[str, Any]  # per team, as objectives.selectors.scorecard gives them
    currency: str

    @property
    def objectives(self) -> list[Objective]:
        return [row["objective"] for group in self.groups for row in group["rows"]]

    def data(self) -> dict[str, Any]:
        return {
            "teams": self.weights,
            "objectives": [
                objective_data(row["objective"], self.currency) | {"group": group["code"]}
                for group in self.groups
                for row in group["rows"]
            ],
        }

    def sheets(self, pack: PackInput) -> list[Sheet]:
        columns = [
            Column(_("Group"), width=24), Column(_("Objective"), width=36),
            Column(_("Metric"), width=22), Column(_("Scope"), width=18), Column(_("Period"), width=20),
            Column(_("Status"), width=14), Column(_("Target"), Kind.DECIMAL),
            Column(_("Actual"), Kind.DECIMAL), Column(_("Expected by now"), Kind.DECIMAL, 16),
            Column(_("Projected"), Kind.DECIMAL), Column(_("Owners (incentive weight)"), width=36),
        ]  # fmt: skip
        rows = []
        for group in self.groups:
            for row in group["rows"]:
                objective = row["objective"]
                progress = objective.progress or {}
                rows.append([
                    str(group["label"]), objective.title, str(row["metric"]), row["scope"],
                    period(objective), str(status(objective.status)["label"]),
                    _figure(objective, objective.target),
                    *(_figure(objective, progress.get(k)) for k in ("actual", "expected", "projected")),
                    "; ".join(f"{o['name']} ({o['weight']})" for o in row["owners"]),
                ])  # fmt: skip
        return [Sheet(_("Objectives"), columns, rows)]


def _figure(objective: Objective, value: Any) -> Cell | None:
    """An objective's figure in its metric's unit: money as money, a rate (kept in percent)
    as a percentage, counts, hours and days as numbers."""
    if value is None or value == "":
        return None
    amount = Decimal(str(value))
    unit = BY_CODE[objective.metric].unit
    if unit == Unit.MONEY:
        return Cell(amount, Kind.MONEY)
    if unit == Unit.PERCENT:
        return Cell(amount / 100, Kind.PERCENT)
    return Cell(amount, Kind.COUNT if unit == Unit.COUNT else Kind.DECIMAL)


def objectives_part(pack: PackInput) -> ObjectivesPart:
    """The objectives whose period holds the month, with their stored progress."""
    card = scorecard(pack.organization, first=pack.month, last=pack.month)
    everything = [o for group in card["groups"].values() for o in group]
    labels = scope_labels(pack.organization, everything)
    groups = [
        {
            "code": code,
            "label": OBJECTIVE_GROUPS[code],
            "rows": [objective_row(o, pack.currency, labels[o.pk]) for o in objectives],
        }
        for code, objectives in card["groups"].items()
        if objectives
    ]
    return ObjectivesPart(groups, team_words(card["teams"]), card["teams"], pack.currency)


# -- The Sales-Marketing SLA --------------------------------------------------------------


@dataclass(frozen=True)
class SlaPart:
    found: Compliance | None  # None: no signed agreement covers the month
    words: dict[str, Any]  # sla.compliance_words.scorecard_words
    breaches: list[Breach]  # the month's latest
    breach_count: int
    open_count: int
    zone: str  # the business calendar's: deadlines are read in it

    def data(self) -> dict[str, Any]:
        return {
            "scorecard": None if self.found is None else compliance_data(self.found),
            "breach_count": self.breach_count,
            "open_breaches": self.open_count,
            "breaches": [breach_data(b) for b in self.breaches],
        }

    def sheets(self, pack: PackInput) -> list[Sheet]:
        columns = [Column(_("Measure"), width=44), Column(_("Value"), Kind.DECIMAL, 16),
                   Column(_("Agreed"), Kind.DECIMAL, 16)]  # fmt: skip
        rows = _scorecard_rows(self.found) if self.found else []
        breaches = [
            [b.get_kind_display(), str(b.lead) if b.lead_id else month_label(b.month),
             (b.owner.get_full_name() or b.owner.username) if b.owner else "",
             Cell(self._local(b.due), Kind.DATETIME),
             _("resolved") if b.resolved_at else _("open"), Cell(self._local(b.found_at), Kind.DATETIME)]
            for b in self.breaches
        ]  # fmt: skip
        return [
            Sheet(_("SLA scorecard"), columns, rows),
            Sheet(_("SLA breaches"), [
                Column(_("Breach"), width=30), Column(_("Lead or month"), width=28),
                Column(_("Owner"), width=22), Column(_("Due"), width=18), Column(_("State")),
                Column(_("Found"), width=18),
            ], breaches),
        ]  # fmt: skip

    def _local(self, moment: datetime) -> datetime:
        return moment.astimezone(ZoneInfo(self.zone)).replace(tzinfo=None)


def _scorecard_rows(found: Compliance) -> list[list[object]]:
    m, s = found.marketing, found.sales
    count, share = Kind.COUNT, Kind.PERCENT

    def row(label: str, value: Any, kind: Kind, agreed: Any = None) -> list[object]:
        return [label, Cell(value, kind), Cell(agreed, kind)]

    rows = [
        row(_("MQLs delivered"), m["delivered"], count, m["committed"]),
        row(_("Accepted by sales"), m["acceptance_rate"], share, m["acceptance_bar"]),
        row(_("Fit a buyer persona"), m["fit_share"], share, m["fit_bar"]),
        row(_("Months behind"), m["breaches"], count),
        row(_("First touch, median (business hours)"), s["response_p50_hours"], Kind.DECIMAL,
            s["window_hours"]),
        row(_("First touch, 90th percentile (business hours)"), s["response_p90_hours"],
            Kind.DECIMAL),
        row(_("Touched within the window"), s["within_window_share"], share),
        row(_("Attempts made in time"), s["attempts_share"], share),
        row(_("Accepted or rejected in time"), s["decided_in_time_share"], share),
        row(_("Not touched, overdue now"), s["untouched_overdue"], count),
        row(_("Not decided, overdue now"), s["undecided_overdue"], count),
    ]  # fmt: skip
    rows += [row(str(Breach.Kind(k).label), n, count) for k, n in s["breaches"].items()]
    for part, loss in found.shortfall.items():
        named = {"part": PARTS[part][0]}
        rows.append(row(_("Shortfall, %(part)s: MQLs") % named, loss.mqls, Kind.DECIMAL))
        rows.append(row(_("Shortfall, %(part)s: customers") % named, loss.customers, Kind.DECIMAL))
        rows.append(row(_("Shortfall, %(part)s: revenue") % named, loss.revenue, Kind.MONEY))
    return rows


def sla_part(pack: PackInput) -> SlaPart:
    found = compliance_of(pack.organization, month=pack.month, now=pack.now)
    if found is None:
        return SlaPart(None, {}, [], 0, 0, pack.zone)
    month = breaches_of(pack.organization, month=pack.month)
    counts = month.aggregate(all=Count("pk"), open=Count("pk", filter=Q(resolved_at__isnull=True)))
    words = scorecard_words(found, this_month=pack.today.replace(day=1))
    return SlaPart(
        found, words, list(month[:BREACHES_SHOWN]), counts["all"], counts["open"], pack.zone
    )


# -- Channels and campaigns ---------------------------------------------------------------


@dataclass(frozen=True)
class ResultsPart:
    channels: list[ResultLine]
    campaigns: list[ResultLine]
    total: ResultLine

    @property
    def tables(self) -> list[tuple[list[ResultLine], str, str, str]]:
        """(lines, heading, the column naming them, test id) of each table the page shows."""
        return [
            (self.channels, _("Channels"), _("Channel"), "channels"),
            (self.campaigns, _("Campaigns"), _("Campaign"), "campaigns"),
        ]

    def data(self) -> dict[str, Any]:
        def plain(line: ResultLine) -> dict[str, Any]:
            return {"key": line.key, "name": line.name, "leads": line.leads, "mqls": line.mqls,
                    "new_customers": line.new_customers, "won_revenue": line.won_revenue,
                    "cost": line.cost, "cost_per_lead": line.cost_per_lead, "roi": line.roi}  # fmt: skip

        return {
            "channels": [plain(line) for line in self.channels],
            "campaigns": [plain(line) for line in self.campaigns],
            "total": plain(self.total),
        }

    def sheets(self, pack: PackInput) -> list[Sheet]:
        def columns(name: str) -> list[Column]:
            return [
                Column(name, width=28), Column(_("Leads"), Kind.COUNT), Column(_("MQLs"), Kind.COUNT),
                Column(_("New customers"), Kind.COUNT), Column(_("Won revenue"), Kind.MONEY, 16),
                Column(_("Cost"), Kind.MONEY, 16), Column(_("Cost per lead"), Kind.MONEY, 16),
                Column(_("ROI"), Kind.PERCENT),
            ]  # fmt: skip

        def rows(lines: list[ResultLine]) -> list[list[object]]:
            return [
                [line.name, line.leads, line.mqls, line.new_customers, line.won_revenue,
                 line.cost, line.cost_per_lead, line.roi]
                for line in [*lines, self.total]
            ]  # fmt: skip

        return [
            Sheet(_("Channels"), columns(_("Channel")), rows(self.channels)),
            Sheet(_("Campaigns"), columns(_("Campaign")), rows(self.campaigns)),
        ]


def results_part(pack: PackInput) -> ResultsPart:
    """The month's leads, MQLs, new customers, won revenue and cost per channel and per
    campaign (first touch: a deal counts for its lead's channel and campaign)."""
    month: dict[str, Any] = {"start": pack.month, "end": pack.month, "stages": pack.stages}
    organization = pack.organization
    names = pack.channel_names
    channels = [
        line_of(code, names.get(code, code) if code is not None else _("No channel"), row)
        for row in kpi_rows(organization, group_by="channel", **month)
        for code in [row["channel"]]
    ]
    campaigns = [
        line_of(row["campaign"], row["campaign_name"] or _("No campaign"), row)
        for row in kpi_rows(organization, group_by="campaign", **month)
    ]
    total = derive(kpi_sums(organization, group_by=None, **month)[0])
    return ResultsPart(
        ranked(channels), ranked(campaigns), line_of("all", _("All channels"), total)
    )


# -- Decisions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionsPart:
    month: date  # the review's
    found: FollowUp
    today: date

    @property
    def previous(self) -> date:
        """The review before, whose decisions this one follows up."""
        return add_months(self.month, -1)

    def data(self) -> dict[str, Any]:
        def plain(decisions: list[ReviewDecision]) -> list[dict[str, Any]]:
            return [decision_data(d, self.today) for d in decisions]

        return {
            "last_review": plain(self.found.last_review),
            "carried_over": plain(self.found.carried_over),
            "this_review": plain(self.found.this_review),
        }

    def sheets(self, pack: PackInput) -> list[Sheet]:
        columns = [
            Column(_("Review"), width=14), Column(_("Decision"), width=60), Column(_("Owner"), width=22),
            Column(_("Due"), Kind.DATE), Column(_("State")), Column(_("Done at"), Kind.DATETIME, 18),
        ]  # fmt: skip
        decisions = [*self.found.last_review, *self.found.carried_over, *self.found.this_review]
        zone = ZoneInfo(pack.zone)
        rows = [
            [month_label(d.month), d.text, str(d.owner.user) if d.owner else "", d.due,
             str(d.state(self.today).label),
             d.done_at.astimezone(zone).replace(tzinfo=None) if d.done_at else None]
            for d in decisions
        ]  # fmt: skip
        return [Sheet(_("Decisions"), columns, rows)]


def decisions_part(pack: PackInput) -> DecisionsPart:
    return pack_decisions(pack.organization, pack.month, pack.today)


def pack_decisions(organization: Organization, month: date, today: date) -> DecisionsPart:
    """The decisions the pack of `month` follows up and takes. One query."""
    found = follow_up(decisions_for_pack(organization, month), month)
    return DecisionsPart(month, found, today)


SECTIONS: list[PackSection] = [
    PackSection("plan", gettext_lazy("Plan versus actual"), "reviews/pack/_plan.html", plan_part),
    PackSection("objectives", gettext_lazy("Shared objectives"), "reviews/pack/_objectives.html",
                objectives_part),
    PackSection("sla", gettext_lazy("Sales-Marketing SLA"), "reviews/pack/_sla.html", sla_part),
    PackSection("results", gettext_lazy("Channels and campaigns"), "reviews/pack/_results.html",
                results_part),
    # The plan's drift and the alignment pulse go here, before the decisions they inform.
    PackSection("decisions", gettext_lazy("Decisions"), "reviews/pack/_decisions.html",
                decisions_part),
]  # fmt: skip
