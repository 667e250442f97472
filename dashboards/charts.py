"""The dashboards' charts, as plotly figures (data and layout) the page hands to plotly.js."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from smarketing.lib.formatting import month_label


def bars_by_month(
    rows: list[dict[str, Any]],
    series: list[tuple[str, str]],
    *,
    title: str,
    unit: str,
) -> dict[str, Any]:
    """Bars per month: the months written in the active language and sent as categories,
    so plotly neither reads them as dates nor names them in English."""
    months = [month_label(r["month"]) for r in rows]
    return {
        "data": [
            {"type": "bar", "name": label, "x": months, "y": [r[field] for r in rows]}
            for field, label in series
        ],
        "layout": {
            "title": {"text": title},
            "barmode": "group",
            "height": 320,
            "margin": {"l": 60, "r": 10, "t": 40, "b": 40},
            "xaxis": {"type": "category", "title": {"text": _("Month")}},
            "yaxis": {"title": {"text": unit}, "rangemode": "tozero"},
            "legend": {"orientation": "h"},
        },
    }
