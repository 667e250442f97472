"""The pulse page in words: periods as people name them, each team's results beside the
statements, and each part of the alignment index with its value, weight and source."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from reviews.models import Cadence, Pulse, Team
from reviews.pulse import STATEMENTS, TeamResult
from reviews.selectors.pulse import Alignment
from smarketing.lib.formatting import month_label

# Each part of the index: what it is, where its figure comes from, and why it may have none.
PARTS: dict[str, dict[str, StrOrPromise]] = {
    "pulse": {
        "label": gettext_lazy("The pulse"),
        "source": gettext_lazy(
            "Alignment pulse: the mean score of the teams shown (each with at least three "
            "answers), 100 when nobody sees any of the five signs."
        ),
        "none": gettext_lazy("No team reached three answers, or the pulse is still open."),
    },
    "sla_marketing": {
        "label": gettext_lazy("Marketing keeps the SLA"),
        "source": gettext_lazy("SLA compliance: MQLs delivered of those committed, at most 100%."),
        "none": gettext_lazy("No signed agreement committed MQLs in the period."),
    },
    "sla_sales": {
        "label": gettext_lazy("Sales keeps the SLA"),
        "source": gettext_lazy(
            "SLA compliance: the mean of the shares of MQLs touched within the agreed "
            "hours, tried enough times, and accepted or rejected in time."
        ),
        "none": gettext_lazy("No MQL handed over under a signed agreement in the period."),
    },
    "acceptance": {
        "label": gettext_lazy("MQLs accepted by sales"),
        "source": gettext_lazy("SLA compliance: MQLs accepted of those sales decided on."),
        "none": gettext_lazy("Sales decided on no MQL under a signed agreement in the period."),
    },
    "incentives": {
        "label": gettext_lazy("Incentive weight on shared objectives"),
        "source": gettext_lazy(
            "Shared objectives: of the incentive weight marketing and sales owners carry on "
            "the period's objectives, the share on objectives both teams own."
        ),
        "none": gettext_lazy("No marketing or sales member owns an objective of the period."),
    },
    "on_track": {
        "label": gettext_lazy("Objectives on track"),
        "source": gettext_lazy(
            "Shared objectives: of the period's objectives already judged, those on track "
            "or achieved (by their status today)."
        ),
        "none": gettext_lazy("No objective of the period is judged yet."),
    },
}


def period_label(period: date, cadence: str) -> str:
    """ "May 2026", or "Q2 2026" for a quarter."""
    if cadence == Cadence.QUARTERLY:
        return _("Q%(quarter)s %(year)s") % {"quarter": (period.month - 1) // 3 + 1,
                                             "year": period.year}  # fmt: skip
    return month_label(period)


def last_day(pulse: Pulse, zone: ZoneInfo) -> date:
    """The last day the pulse takes answers, in the organisation's time zone."""
    return pulse.closes_at.astimezone(zone).date() - timedelta(days=1)


def team_rows(results: Mapping[str, TeamResult]) -> list[dict[str, Any]]:
    """Each team's result: its score and, per statement, the mean agreement and its score;
    or, hidden, how many answers it still needs."""
    rows = []
    for team in Team:
        result = results[team.value]
        statements = []
        if result.shown and result.means is not None and result.scores is not None:
            statements = [
                {"code": code, "text": text, "mean": result.means[code],
                 "score": result.scores[code]}
                for code, text in STATEMENTS.items()
            ]  # fmt: skip
        rows.append({"team": team.value, "label": team.label, "result": result,
                     "statements": statements})  # fmt: skip
    return rows


def part_rows(alignment: Alignment, pulse_link: str) -> list[dict[str, Any]]:
    """The index's parts as the page lists them, each with the page its figure comes from."""
    months = {"month": f"{alignment.months[0]:%Y-%m}"} if len(alignment.months) == 1 else {}
    objectives = {"first_month": f"{alignment.period:%Y-%m}",
                  "last_month": f"{alignment.last_month:%Y-%m}"}  # fmt: skip
    links = {
        "pulse": pulse_link,
        "sla_marketing": _with(reverse("sla-compliance"), months),
        "sla_sales": _with(reverse("sla-compliance"), months),
        "acceptance": _with(reverse("sla-compliance"), months),
        "incentives": _with(reverse("objective-list"), objectives),
        "on_track": _with(reverse("objective-list"), objectives),
    }
    return [
        {"code": part.code, "value": part.value, "weight": part.weight,
         "weight_used": part.weight_used, "link": links[part.code], **PARTS[part.code]}
        for part in alignment.index.parts
    ]  # fmt: skip


def _with(path: str, query: dict[str, str]) -> str:
    return f"{path}?{urlencode(query)}" if query else path
