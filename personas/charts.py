"""Discovery's chart, as a plotly figure (data and layout) the page hands to plotly.js."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _

from smarketing.lib.formatting import money, percent

CHART_SEGMENTS = 15  # the highest won revenue; the table has them all


def won_revenue_and_win_rate(
    segments: Sequence[Mapping[str, Any]], *, currency: str
) -> dict[str, Any]:
    """Won revenue per segment as bars, highest first, with each segment's win rate as a
    dot against a second axis in percent; the hover says both as the page writes them."""
    shown = list(segments[:CHART_SEGMENTS])
    labels = [s["label"] for s in shown]
    hover = [[money(s["won_revenue"], currency), percent(s["win_rate"])] for s in shown]
    return {
        "data": [
            {
                "type": "bar",
                "name": _("Won revenue (%(currency)s)") % {"currency": currency},
                "x": labels,
                "y": [float(s["won_revenue"]) for s in shown],
                "customdata": hover,
                "hovertemplate": "%{x}<br>%{customdata[0]}<extra></extra>",
                "marker": {"color": "#2f6fed"},
            },
            {
                "type": "scatter",
                "mode": "markers",
                "name": _("Win rate"),
                "x": labels,
                "y": [None if s["win_rate"] is None else float(s["win_rate"]) for s in shown],
                "yaxis": "y2",
                "customdata": hover,
                "hovertemplate": "%{x}<br>" + _("Win rate") + " %{customdata[1]}<extra></extra>",
                "marker": {"color": "#1f8a4c", "size": 11, "symbol": "diamond"},
            },
        ],
        "layout": {
            "height": 420,
            "margin": {"l": 70, "r": 60, "t": 30, "b": 10},
            "xaxis": {"type": "category", "automargin": True},
            "yaxis": {
                "title": {"text": currency},
                "rangemode": "tozero",
                "separatethousands": True,
            },
            "yaxis2": {
                "title": {"text": _("Win rate")},
                "overlaying": "y",
                "side": "right",
                "range": [0, 1],
                "dtick": 0.25,
                "tickformat": ".0%",
                "showgrid": False,
            },
            "legend": {"orientation": "h", "x": 0, "y": 1, "yanchor": "bottom"},
        },
    }
