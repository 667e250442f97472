"""The pulse, its teams' results and the alignment index as plain data: what the API answers
(shares 0 to 1 and scores 0 to 100 as exact decimal strings, periods as ISO dates)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from reviews.models import Pulse
from reviews.pulse import MIN_ANSWERS, STATEMENTS, TeamResult
from reviews.selectors.pulse import Alignment, Overview
from smarketing.lib.decimals import plain_decimal


def _text(value: Decimal | None) -> str | None:
    return None if value is None else plain_decimal(value)


def pulse_head(pulse: Pulse, now: datetime) -> dict[str, Any]:
    return {
        "id": pulse.pk,
        "period": pulse.period.isoformat(),
        "cadence": pulse.cadence,
        "opens_at": pulse.opens_at,
        "closes_at": pulse.closes_at,
        "status": "open" if pulse.is_open(now) else "closed",
    }


def team_data(result: TeamResult) -> dict[str, Any]:
    """A team's result; below the threshold (or while open) only how many answered."""
    data: dict[str, Any] = {
        "answers": result.answers,
        "shown": result.shown,
        "answers_needed": MIN_ANSWERS,
        "score": _text(result.score),
        "statements": None,
        "comments": list(result.comments),
    }
    if result.shown and result.means is not None and result.scores is not None:
        data["statements"] = {
            code: {"mean": _text(result.means[code]), "score": _text(result.scores[code])}
            for code in STATEMENTS
        }
    return data


def alignment_data(alignment: Alignment) -> dict[str, Any]:
    return {
        "period": alignment.period.isoformat(),
        "last_month": alignment.last_month.isoformat(),
        "score": _text(alignment.index.score),
        "parts": [
            {
                "part": part.code,
                "value": _text(part.value),
                "weight": _text(part.weight),
                "weight_used": _text(part.weight_used),
            }
            for part in alignment.index.parts
        ],
    }


def pulse_data(
    pulse: Pulse, results: Mapping[str, TeamResult], alignment: Alignment, now: datetime
) -> dict[str, Any]:
    return pulse_head(pulse, now) | {
        "teams": {team: team_data(result) for team, result in results.items()},
        "index": alignment_data(alignment),
    }


def trend_data(
    pulses: Sequence[Pulse], results: Mapping[int, Mapping[str, TeamResult]]
) -> list[dict[str, Any]]:
    """The last periods, oldest first: each team's score (null when hidden) and count."""
    return [
        {
            "pulse": pulse.pk,
            "period": pulse.period.isoformat(),
            "cadence": pulse.cadence,
            "teams": {
                team: {"answers": result.answers, "score": _text(result.score)}
                for team, result in results[pulse.pk].items()
            },
        }
        for pulse in pulses
    ]


def overview_data(overview: Overview, now: datetime) -> dict[str, Any]:
    running = overview.open
    latest = overview.shown
    return {
        "cadence": overview.cadence,
        "minimum_answers": MIN_ANSWERS,
        "open": None
        if running is None
        else pulse_head(running, now) | {"answered": overview.answered, "answers": overview.counts},
        "latest": None
        if latest is None or overview.results is None
        else pulse_head(latest, now)
        | {"teams": {team: team_data(r) for team, r in overview.results.items()}}
        | {"index": alignment_data(overview.alignment)},
        "index": alignment_data(overview.alignment),
        "trend": trend_data(overview.trend, overview.trend_results),
    }
