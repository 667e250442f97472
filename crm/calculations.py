"""Pure rules of the CRM, without a database."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

REPEAT_WINDOW = timedelta(days=365)


def deal_kind(when: datetime | None, earlier_wins: Iterable[datetime]) -> str:
    """new: the company never won with us before; repeat: its last win is within the 12
    months before `when`; reactivation: it won before, but longer ago."""
    wins = [win for win in earlier_wins if when is None or win < when]
    if not wins:
        return "new"
    if when is None or when - max(wins) <= REPEAT_WINDOW:
        return "repeat"
    return "reactivation"
