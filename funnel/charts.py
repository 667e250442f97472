"""A plan's chart, as a plotly figure (data and layout) the page hands to plotly.js."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _


def target_and_actual_by_stage(
    progress: list[tuple[str, Any]], stage_names: dict[str, str]
) -> dict[str, Any]:
    """Target beside actual per stage, the stages by their names."""
    stages = [stage_names.get(stage, stage) for stage, _ in progress]
    return {
        "data": [
            {
                "type": "funnel",
                "name": _("Target"),
                "y": stages,
                "x": [p.target for _, p in progress],
            },
            {
                "type": "funnel",
                "name": _("Actual"),
                "y": stages,
                "x": [p.actual for _, p in progress],
            },
        ],
        "layout": {
            "title": {"text": _("Target and actual by stage (people)")},
            "margin": {"l": 150, "r": 10, "t": 40, "b": 10},
            "height": 340,
            "funnelmode": "group",
            # Stage names are long in some languages: the margin grows to hold them.
            "yaxis": {"type": "category", "automargin": True},
            "legend": {"orientation": "h"},
        },
    }
