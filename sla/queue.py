"""The acceptance queue: every MQL waiting for sales' decision, the longest waiting first,
with how long it has waited in business hours and the time left before its first touch (or,
once touched, its decision) is due by the agreement it is judged by (sla.selectors.version_at)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from crm.selectors import first_touches, leads_at_handoff
from orgs.models import Organization
from sla.calendar import WorkingTime, after_business_hours, business_hours
from sla.clock import business_day_hours
from sla.models import AgreementVersion
from sla.selectors import calendar_of, signed_versions, version_at

PAGE = 50  # leads a page of the queue shows


@dataclass(frozen=True)
class Waiting:
    lead: Any  # crm Lead, with its channel and owner
    handoff_at: datetime
    first_touch_at: datetime | None
    waited_hours: Decimal  # business hours since the hand-off
    due: datetime | None  # the first touch's deadline, or once touched the decision's
    due_kind: str  # "first_touch" or "decision" ("" without an agreement)
    left_hours: Decimal | None  # business hours left before `due`; negative once overdue


def queue(organization: Organization, *, now: datetime, page: int = 1) -> tuple[int, list[Waiting]]:
    """How many MQLs wait, and the page `page` of them (PAGE a page), the longest waiting
    first. Three queries, and the calendar's arithmetic for each lead shown."""
    count, leads = leads_at_handoff(organization, limit=PAGE, offset=(page - 1) * PAGE)
    touched = first_touches(organization, leads)
    calendar = calendar_of(organization)
    first_year = min((lead.stage_changed_at.year for lead in leads), default=now.year)
    working = calendar.working_time(first_year, now.year + 1)
    versions = signed_versions(organization)
    rows = []
    for lead in leads:
        since = lead.stage_changed_at
        version = version_at(versions, since, working.zone)
        rows.append(_waiting(lead, since, touched.get(lead.pk), version, working, now))
    return count, rows


def _waiting(
    lead: Any, since: datetime, touch: datetime | None, version: AgreementVersion | None,
    working: WorkingTime, now: datetime,
) -> Waiting:  # fmt: skip
    waited = business_hours(since, now, working)
    if version is None:
        return Waiting(lead, since, touch, waited, None, "", None)
    kind = "first_touch" if touch is None else "decision"
    hours = (
        version.first_touch_hours
        if touch is None
        else business_day_hours(working) * version.decision_days
    )
    try:
        due = after_business_hours(since, hours, working)
    except ValueError:  # a calendar saved before its bounds, without the working time: no due
        return Waiting(lead, since, touch, waited, None, "", None)
    left = business_hours(now, due, working) if due > now else -business_hours(due, now, working)
    return Waiting(lead, since, touch, waited, due, kind, left)
