"""The plan's pace and what needs people now, read from stored results: the home pages
(dashboards) and the weekly digest show the same figures.

Reads stored results only (plan targets, KPI facts, breaches), in a fixed number of queries
whatever the data size; the arithmetic is `funnel.tracking`'s.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from funnel.selectors import plan_revenue, plan_targets
from funnel.tracking import Progress, progress
from orgs.models import Membership, Role
from sla.selectors import breaches_of, calendar_of

if TYPE_CHECKING:
    from funnel.models import Plan

STAGES_SHOWN = 3  # the stages furthest behind: a short list a reader acts on
BREACHES_SHOWN = 5
RECENT_DAYS = 92  # marketing's months behind shown at home: about the last three
CHANNELS_SHOWN = 5


@dataclass(frozen=True)
class Behind:
    """A stage (or a channel's stage) and how far it is from its target to date."""

    stage: str
    channel: str
    progress: Progress

    @property
    def shortfall(self) -> float:
        """The variance to date as a share of the target to date (-0.25: a quarter short)."""
        due = self.progress.target_to_date
        return self.progress.variance / due if due else 0.0


def _progress_by_cell(rows: list[dict[str, Any]], today: date) -> dict[tuple[str, str], Progress]:
    """(stage, channel code or '' for all) -> plan versus actual over the plan's months."""
    targets: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    actuals: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for row in rows:
        cell, month = (row["stage"], row["channel"]), row["month"].strftime("%Y-%m")
        targets[cell][month] = row["target"]
        actuals[cell][month] = row["actual"]
    return {cell: progress(targets[cell], actuals[cell], today) for cell in targets}


def furthest_behind(cells: list[Behind], shown: int) -> list[Behind]:
    """The cells short of their target to date, the largest shortfall first: relative to the
    target, so a small stage far behind is not hidden by a large one slightly behind."""
    short = [cell for cell in cells if cell.progress.variance < 0]
    return sorted(short, key=lambda cell: (cell.shortfall, cell.progress.variance))[:shown]


def plan_overview(
    organization: Any, plan: Plan, needs: tuple[str, ...], today: date, handoff: str | None
) -> dict[str, Any]:
    stages = plan.result.get("inputs_used", {}).get("stages") or []
    cells = _progress_by_cell(plan_targets(organization, plan), today)
    overall = [Behind(s, "", cells[(s, "")]) for s in stages if (s, "") in cells]
    overview: dict[str, Any] = {
        "plan": plan,
        "revenue": plan_revenue(organization, plan, today=today),
        "stages": overall,
        "behind": furthest_behind(overall, STAGES_SHOWN),
        "customers": overall[-1] if overall else None,
    }
    if "channels" in needs:
        # Marketing answers for the stages up to the hand-off: leads and MQLs.
        upto = stages.index(handoff) + 1 if handoff in stages else 1
        marketing_stages = set(stages[:upto])
        by_channel = [
            Behind(stage, channel, p)
            for (stage, channel), p in cells.items()
            if channel and stage in marketing_stages
        ]
        overview["channels_behind"] = furthest_behind(by_channel, CHANNELS_SHOWN)
    return overview


def open_breaches(membership: Membership, now: datetime) -> dict[str, Any]:
    """The SLA breaches the member answers for, the latest first: a rep their own and a
    sales manager sales' still open (a lead still untouched or undecided); a marketing
    manager marketing's months behind of the last RECENT_DAYS (a month past cannot be
    made good). How many, the first few, the breach list's filter showing them all, and
    the calendar's zone the deadlines are read in."""
    organization = membership.organization
    marketing = membership.role == Role.MARKETING_MANAGER
    owner = membership.user_id if membership.role == Role.SALES_REP else None
    if marketing:
        found = breaches_of(
            organization, side="marketing", due_since=now - timedelta(days=RECENT_DAYS)
        )
        query = "?side=marketing"
    else:
        found = breaches_of(organization, side="sales", still_open=True, owner_id=owner)
        query = "?open=true&mine=on" if owner else "?side=sales&open=true"
    return {
        "count": found.count(), "rows": list(found[:BREACHES_SHOWN]), "query": query,
        "marketing": marketing, "zone": calendar_of(organization).time_zone,
    }  # fmt: skip
