"""One MQL's clock, pure: from its hand-off, its touches (calls, e-mails, meetings) and
sales' decision, by the agreement's terms and the business calendar, what the SLA says of it
now: response time in business hours, within the window or not, attempts in time, the
decision, and the breaches whose deadlines have passed. No ORM, clock or settings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sla.calendar import WorkingTime, after_business_hours, business_hours

SECONDS_PER_HOUR = Decimal(3600)


@dataclass(frozen=True)
class Terms:
    first_touch_hours: Decimal
    attempts: int
    attempts_days: int
    decision_days: int

    @classmethod
    def of(cls, version: Any) -> Terms:
        """An agreement version's terms for the clock (any object with those attributes)."""
        return cls(
            version.first_touch_hours, version.attempts, version.attempts_days,
            version.decision_days,
        )  # fmt: skip


@dataclass(frozen=True)
class Breach:
    kind: str  # first_touch, attempts, decision
    due: datetime


@dataclass(frozen=True)
class LeadClock:
    handoff_at: datetime | None
    first_touch_at: datetime | None
    response_business_hours: Decimal | None
    within_window: bool | None  # None: no agreement, or the window is still open
    attempts: int  # touches within the attempts' business days
    decision: str | None
    decision_at: datetime | None
    reason: str | None
    breaches: list[Breach] = field(default_factory=list)


def business_day_hours(calendar: WorkingTime) -> Decimal:
    """The length of a working day in hours (09:00 to 18:00: 9)."""
    start = calendar.day_start.hour * 3600 + calendar.day_start.minute * 60
    end = calendar.day_end.hour * 3600 + calendar.day_end.minute * 60
    return Decimal(end - start) / SECONDS_PER_HOUR


def longest_clock(terms: Terms, calendar: WorkingTime) -> Decimal:
    """The business hours of the terms' longest clock: the first touch's, or the attempts' or
    the decision's working days."""
    days = max(terms.attempts_days, terms.decision_days)
    return max(terms.first_touch_hours, business_day_hours(calendar) * days)


def lead_clock(
    *,
    handoff_at: datetime | None,
    touches: Sequence[datetime],
    decision: tuple[str, datetime, str] | None,
    terms: Terms | None,
    calendar: WorkingTime,
    now: datetime,
) -> LeadClock:
    """The lead's clock now. `touches` are those since the hand-off, in order; `decision`
    is (outcome, at, reason) of this hand-off."""
    if handoff_at is None:
        return LeadClock(None, None, None, None, 0, None, None, None)
    first = touches[0] if touches else None
    response = business_hours(handoff_at, first, calendar) if first else None
    outcome, decided_at, reason = decision if decision else (None, None, None)
    unjudged = LeadClock(handoff_at, first, response, None, len(touches), outcome, decided_at,
                         reason or None)  # fmt: skip
    if terms is None:
        return unjudged
    day = business_day_hours(calendar)
    try:
        touch_due = after_business_hours(handoff_at, terms.first_touch_hours, calendar)
        attempts_due = after_business_hours(handoff_at, day * terms.attempts_days, calendar)
        decision_due = after_business_hours(handoff_at, day * terms.decision_days, calendar)
    except ValueError:  # a calendar saved before its bounds, without the working time: no due
        return unjudged
    attempts = sum(1 for t in touches if t <= attempts_due)
    # Sales decided on it before its touch was due, without one: nothing was owed.
    decided_untouched = first is None and decided_at is not None and decided_at <= touch_due
    within = None
    if first is not None:
        within = first <= touch_due
    elif now > touch_due and not decided_untouched:
        within = False
    breaches = []
    touched_late = first is not None and first > touch_due
    if touched_late or (first is None and now > touch_due and not decided_untouched):
        breaches.append(Breach("first_touch", touch_due))
    decided_early = decided_at is not None and decided_at <= attempts_due
    if now > attempts_due and attempts < terms.attempts and not decided_early:
        breaches.append(Breach("attempts", attempts_due))
    if (decided_at is None and now > decision_due) or (decided_at and decided_at > decision_due):
        breaches.append(Breach("decision", decision_due))
    return LeadClock(handoff_at, first, response, within, attempts, outcome, decided_at,
                     reason or None, breaches)  # fmt: skip
