"""The shared objectives whose period holds the month, with their stored progress, grouped
as the joint scorecard groups them, and the share of each team's incentive weight on
shared objectives."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from objectives.metrics import BY_CODE, Unit
from objectives.presenters import objective_data
from objectives.selectors import scope_labels, scorecard
from objectives.words import objective_row, period, status, team_words
from reviews.pack_sheets import Cell, Column, Kind, Sheet
from reviews.selectors.pack import PackInput

if TYPE_CHECKING:
    from objectives.models import Objective


OBJECTIVE_GROUPS = {
    "shared": gettext_lazy("Shared by marketing and sales"),
    "marketing": gettext_lazy("Marketing's"),
    "sales": gettext_lazy("Sales'"),
    "other": gettext_lazy("Others"),
}


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
