"""An objective's chart, as a plotly figure (data and layout) the page hands to plotly.js."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.template.defaultfilters import date as date_filter
from django.utils.translation import gettext as _

from objectives.metrics import ObjectiveMetric
from objectives.reasons import amount
from objectives.words import unit_name


def _floats(values: Sequence[Any]) -> list[float | None]:
    return [None if v is None else float(v) for v in values]


def progress_history(
    snapshots: Sequence[Mapping[str, Any]],
    metric: ObjectiveMetric,
    *,
    target: Decimal,
    currency: str,
) -> dict[str, Any]:
    """The weekly history of the objective's actual beside what was expected by then and
    the projection, with the target as a line; weeks named in the reader's language and
    every hover worded as the page words it."""
    weeks = [date_filter(s["week"], "j M Y") for s in snapshots]

    def line(name: str, key: str, style: dict[str, Any]) -> dict[str, Any]:
        values = [s[key] for s in snapshots]
        return {
            "type": "scatter",
            "mode": "lines+markers",
            "name": name,
            "x": weeks,
            "y": _floats(values),
            "customdata": [amount(metric, v, currency) for v in values],
            "hovertemplate": "%{x}<br>" + name + ": %{customdata}<extra></extra>",
            **style,
        }

    return {
        "data": [
            line(_("Actual"), "actual", {"line": {"color": "#2f6fed", "width": 3}}),
            line(_("Expected by then"), "expected", {"line": {"color": "#5d6779", "dash": "dash"}}),
            line(_("Projected"), "projected", {"line": {"color": "#1f8a4c", "dash": "dot"}}),
            {
                "type": "scatter",
                "mode": "lines",
                "name": _("Target"),
                "x": weeks,
                "y": [float(target)] * len(weeks),
                "hovertemplate": _("Target")
                + ": "
                + amount(metric, target, currency)
                + "<extra></extra>",
                "line": {"color": "#c23b3b", "width": 1},
            },
        ],
        "layout": {
            "height": 340,
            "margin": {"l": 70, "r": 20, "t": 20, "b": 10},
            "xaxis": {"type": "category", "automargin": True},
            "yaxis": {
                "title": {"text": unit_name(metric, currency)},
                "rangemode": "tozero",
                "separatethousands": True,
                "automargin": True,
            },
            "legend": {"orientation": "h", "x": 0, "y": 1, "yanchor": "bottom"},
        },
    }
