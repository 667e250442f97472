"""The alignment pulse of the period that holds the month (the month's own, or its
quarter's): each team's results where the anonymity rules let them through, as the pulse
page shows them (only how many answered while it is open; nothing of a team below three
answers), and the alignment index of that period with each of its parts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils.translation import gettext as _

from reviews.pack_sheets import Cell, Column, Kind, Sheet
from reviews.pulse import MIN_ANSWERS, TeamResult, period_of
from reviews.pulse_data import alignment_data, pulse_head, team_data
from reviews.pulse_words import part_rows, period_label, team_rows
from reviews.selectors.pack import PackInput
from reviews.selectors.pulse import Alignment, alignment_of, pulse_holding, results_of, schedule_of

if TYPE_CHECKING:
    from reviews.models import Pulse


@dataclass(frozen=True)
class PulsePart:
    month: date  # the review's
    pulse: Pulse | None  # None: no pulse was held for the period
    cadence: str  # the period's: the pulse's, or the organisation's without one
    results: dict[str, TeamResult] | None  # per team, hidden as results_of hides them
    alignment: Alignment
    now: datetime

    @property
    def period(self) -> date:
        return self.alignment.period

    @property
    def label(self) -> str:
        """ "March 2025", or "Q1 2025"."""
        return period_label(self.period, self.cadence)

    @property
    def open(self) -> bool:
        """Still taking answers: only how many answered is shown."""
        return self.pulse is not None and self.pulse.is_open(self.now)

    @property
    def link(self) -> str:
        if self.pulse is None:
            return reverse("pulse-page")
        return reverse("pulse-detail", args=[self.pulse.pk])

    @property
    def teams(self) -> list[dict[str, Any]]:
        return team_rows(self.results) if self.results else []

    @property
    def parts(self) -> list[dict[str, Any]]:
        return part_rows(self.alignment, self.link)

    @property
    def minimum(self) -> int:
        return MIN_ANSWERS

    def data(self) -> dict[str, Any]:
        pulse, results = self.pulse, self.results
        held = None
        if pulse is not None and results is not None:
            teams = {team: team_data(result) for team, result in results.items()}
            held = pulse_head(pulse, self.now) | {"teams": teams}
        return {
            "period": self.period.isoformat(),
            "cadence": self.cadence,
            "minimum_answers": MIN_ANSWERS,
            "pulse": held,
            "index": alignment_data(self.alignment),
        }

    def sheets(self, pack: PackInput) -> list[Sheet]:
        columns = [
            Column(_("Team, statement or part"), width=60), Column(_("Answers"), Kind.COUNT),
            Column(_("Mean agreement (1–5)"), Kind.DECIMAL, 18),  # noqa: RUF001 (the page's)
            Column(_("Score (out of 100)"), Kind.DECIMAL, 16), Column(_("Value"), Kind.PERCENT),
            Column(_("Weight"), Kind.PERCENT), Column(_("Weight here"), Kind.PERCENT),
            Column(_("Note"), width=60),
        ]  # fmt: skip
        rows: list[list[object]] = []
        if self.pulse is None:
            rows.append([_("No alignment pulse was held for %(period)s.") % {"period": self.label}])
        for row in self.teams:
            rows += _team_rows(row, self.open)
        index = self.alignment.index
        rows.append([_("Alignment index, %(period)s") % {"period": self.label}, None, None,
                     Cell(index.score, Kind.DECIMAL)])  # fmt: skip
        rows += [
            [str(part["label"]), None, None, None, part["value"], part["weight"],
             part["weight_used"] if part["value"] is not None else None,
             str(part["none"]) if part["value"] is None else str(part["source"])]
            for part in self.parts
        ]  # fmt: skip
        return [Sheet(_("Alignment pulse"), columns, rows)]


def _team_rows(row: dict[str, Any], running: bool) -> list[list[object]]:
    """A team's line (its score, or why it is hidden) and, shown, a line per statement."""
    result: TeamResult = row["result"]
    if result.shown:
        note = ""
    elif running:
        note = _("Results are shown when the pulse closes.")
    else:
        note = _(
            "%(answers)s of %(needed)s answers needed: results are hidden to keep answers "
            "anonymous."
        ) % {"answers": result.answers, "needed": MIN_ANSWERS}
    lines: list[list[object]] = [
        [str(row["label"]), result.answers, None, result.score, None, None, None, note]
    ]
    lines += [
        [f"{row['label']} · {statement['text']}", None, statement["mean"], statement["score"]]
        for statement in row["statements"]
    ]
    return lines


def pulse_part(pack: PackInput) -> PulsePart:
    """The pulse whose period holds the month and its period's index; without one, the
    index of the month's period at the organisation's cadence, its pulse part empty."""
    organization = pack.organization
    pulse = pulse_holding(organization, pack.month)
    if pulse is None:
        cadence = schedule_of(organization).cadence
        period, results = period_of(pack.month, cadence), None
    else:
        cadence, period = pulse.cadence, pulse.period
        results = results_of(organization, [pulse], pack.now)[pulse.pk]
    alignment = alignment_of(
        organization, period=period, cadence=cadence, results=results, now=pack.now
    )
    return PulsePart(pack.month, pulse, cadence, results, alignment, pack.now)
