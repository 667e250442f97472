"""The pulse's trend, as a plotly figure (data and layout) the page hands to plotly.js: each
team's score per period, with a gap where a team was hidden (fewer than three answers)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reviews.models import Pulse, Team
from reviews.pulse import TeamResult
from reviews.pulse_words import period_label
from smarketing.lib.formatting import number

COLOURS = {Team.MARKETING: "#2f6fed", Team.SALES: "#1f8a4c"}


def _hover(result: TeamResult) -> str:
    answers = ngettext("%(count)s answer", "%(count)s answers", result.answers) % {
        "count": number(result.answers)
    }
    if result.score is None:
        return _("hidden: fewer than three answers") + f" ({answers})"
    return _("%(score)s of 100") % {"score": number(result.score, 1)} + f" ({answers})"


def trend_chart(
    pulses: Sequence[Pulse], results: Mapping[int, Mapping[str, TeamResult]]
) -> dict[str, Any]:
    periods = [period_label(p.period, p.cadence) for p in pulses]
    data = []
    for team in Team:
        shown = [results[p.pk][team.value] for p in pulses]
        data.append({
            "type": "scatter", "mode": "lines+markers", "name": str(team.label),
            "x": periods,
            "y": [None if r.score is None else float(r.score) for r in shown],
            "customdata": [_hover(r) for r in shown],
            "hovertemplate": "%{x}<br>" + str(team.label) + ": %{customdata}<extra></extra>",
            "line": {"color": COLOURS[team], "width": 3}, "connectgaps": False,
        })  # fmt: skip
    return {
        "data": data,
        "layout": {
            "height": 320,
            "margin": {"l": 60, "r": 20, "t": 20, "b": 10},
            "xaxis": {"type": "category", "automargin": True},
            "yaxis": {
                "title": {"text": _("Score (100 = aligned)")},
                "range": [0, 100],
                "automargin": True,
            },
            "legend": {"orientation": "h", "x": 0, "y": 1, "yanchor": "bottom"},
        },
    }
