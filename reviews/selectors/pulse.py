"""Reads of the alignment pulse: the organisation's cadence and pulses, who may answer, the
teams' results (hidden below the anonymity threshold and while a pulse is open), and the
alignment index of a period from the pulse and the signals the other apps measure (read
through their selectors and readers, never their tables)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, QuerySet

from objectives.selectors import TEAM_OF_ROLE, scorecard
from orgs.models import Membership, Organization
from reviews.alignment import (
    Index,
    alignment_index,
    delivered_share,
    mean_share,
    on_track_share,
    shared_weight,
    weighted,
)
from reviews.models import Pulse, PulseAnswer, PulseParticipation, PulseSchedule, Team
from reviews.pulse import (
    STATEMENTS,
    TeamResult,
    period_end,
    period_months,
    period_of,
    pulse_score,
    team_result,
)
from sla.compliance import compliance_of
from sla.selectors import calendar_of
from smarketing.lib.months import add_months

TREND_PERIODS = 12


def schedule_of(organization: Organization) -> PulseSchedule:
    """The organisation's cadence; an unsaved monthly one until a manager chose."""
    found = PulseSchedule.objects.for_org(organization).first()
    return found or PulseSchedule(organization=organization)


def zone_of(organization: Organization) -> ZoneInfo:
    """The organisation's time zone (its business calendar's): where its periods begin."""
    return ZoneInfo(calendar_of(organization).time_zone)


def pulses_of(organization: Organization) -> QuerySet[Pulse]:
    """The organisation's pulses, the latest period first."""
    return Pulse.objects.for_org(organization).order_by("-period")


def pulse_of(organization: Organization, pk: int) -> Pulse | None:
    return Pulse.objects.for_org(organization).filter(pk=pk).first()


def open_pulse(organization: Organization, now: datetime) -> Pulse | None:
    """The pulse taking answers now, if one is."""
    return (
        Pulse.objects.for_org(organization)
        .filter(opens_at__lte=now, closes_at__gt=now)
        .order_by("-period")
        .first()
    )


def pulse_holding(organization: Organization, month: date) -> Pulse | None:
    """The pulse whose period holds `month` (a month's, or its quarter's); of two (the
    cadence changed within a quarter), the one of the shorter, later period. One query."""
    near = pulses_of(organization).filter(period__lte=month, period__gt=add_months(month, -3))
    return next((p for p in near if month < period_end(p.period, p.cadence)), None)


def period_held(organization: Organization, period: date) -> bool:
    """Whether the period has had its pulse (open now, or closed)."""
    return Pulse.objects.for_org(organization).filter(period=period).exists()


def has_answered(pulse: Pulse, user_id: int) -> bool:
    return PulseParticipation.objects.filter(
        organization_id=pulse.organization_id, pulse=pulse, user_id=user_id
    ).exists()


def answer_counts(pulse: Pulse) -> dict[str, int]:
    """How many members of each team answered so far (what an open pulse shows)."""
    counts = dict.fromkeys(Team.values, 0)
    rows = (
        PulseAnswer.objects.filter(organization_id=pulse.organization_id, pulse=pulse)
        .values("team")
        .annotate(answers=Count("pk"))
        .order_by("team")
    )
    for row in rows:
        counts[row["team"]] = row["answers"]
    return counts


def answering_members(organization: Organization) -> tuple[int, ...]:
    """The users asked the pulse: the members of either team (marketing managers, sales
    managers and reps), in id order."""
    return tuple(
        Membership.objects.for_org(organization)
        .filter(role__in=list(TEAM_OF_ROLE))
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )


def results_of(
    organization: Organization, pulses: Sequence[Pulse], now: datetime
) -> dict[int, dict[str, TeamResult]]:
    """Each pulse's result per team, hidden while it is open or below the threshold. One
    query, whatever the number of pulses; the answers are read ordered by their own text,
    never by when they were given."""
    rows: dict[int, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    answers = (
        PulseAnswer.objects.for_org(organization)
        .filter(pulse_id__in=[p.pk for p in pulses])
        .order_by("comment", *STATEMENTS)
        .values("pulse_id", "team", "comment", *STATEMENTS)
    )
    for answer in answers:
        rows[answer["pulse_id"]][answer["team"]].append(answer)
    return {
        pulse.pk: {
            team: team_result(
                team,
                rows[pulse.pk][team],
                [a["comment"] for a in rows[pulse.pk][team]],
                closed=now >= pulse.closes_at,
            )
            for team in Team.values
        }
        for pulse in pulses
    }


@dataclass(frozen=True)
class Alignment:
    """A period's alignment index with the figures its parts were made of."""

    period: date
    last_month: date
    index: Index
    months: list[date]  # the months of the period measured so far


def alignment_of(
    organization: Organization, *, period: date, cadence: str,
    results: dict[str, TeamResult] | None, now: datetime,
) -> Alignment:  # fmt: skip
    """The alignment index of the period: the pulse's teams shown (`results`, None when the
    period has no pulse) with the SLA's compliance of the period's months so far and the
    objectives covering the period."""
    this_month = now.astimezone(zone_of(organization)).date().replace(day=1)
    months = [m for m in period_months(period, cadence) if m <= this_month]
    values: dict[str, Decimal | None] = {
        "pulse": None if results is None else _share_of_score(pulse_score(results.values())),
        **_sla_parts(organization, months, now),
        **_objective_parts(organization, period, period_months(period, cadence)[-1]),
    }
    return Alignment(
        period=period, last_month=period_months(period, cadence)[-1],
        index=alignment_index(values), months=months,
    )  # fmt: skip


def _share_of_score(score: Decimal | None) -> Decimal | None:
    return None if score is None else score / 100


def _sla_parts(organization: Organization, months: list[date], now: datetime) -> dict[str, Any]:
    """Marketing's and sales' compliance with the SLA and the share of MQLs sales accepted,
    over the months (each month's scorecard, weighted by its MQLs)."""
    marketing, sales, acceptance = [], [], []
    for month in months:
        found = compliance_of(organization, month=month, now=now)
        if found is None:
            continue
        m, s = found.marketing, found.sales
        marketing.append((delivered_share(m["delivered"], m["committed"]), m["committed"]))
        sales.append((
            mean_share([s["within_window_share"], s["attempts_share"], s["decided_in_time_share"]]),
            m["delivered"],
        ))  # fmt: skip
        acceptance.append((m["acceptance_rate"], s["decided"]))
    return {
        "sla_marketing": weighted(marketing),
        "sla_sales": weighted(sales),
        "acceptance": weighted(acceptance),
    }


def _objective_parts(organization: Organization, first: date, last: date) -> dict[str, Any]:
    """The share of the teams' incentive weight on shared objectives, and of the objectives
    covering the period on track, by their status today."""
    card = scorecard(organization, first=first, last=last)
    statuses = [o.status for group in card["groups"].values() for o in group]
    return {"incentives": shared_weight(card["teams"]), "on_track": on_track_share(statuses)}


@dataclass(frozen=True)
class Overview:
    """All the pulse page and GET /api/v1/pulse/ show: the cadence, the pulse open now (and
    whether the reader answered it, how many of each team did), the pulse whose results are
    read (one chosen, else the latest closed), the index of its period (of the current period
    without one), and the last closed pulses, oldest first, for the trend."""

    cadence: str
    open: Pulse | None
    answered: bool
    counts: dict[str, int]
    shown: Pulse | None
    results: dict[str, TeamResult] | None
    alignment: Alignment
    trend: list[Pulse]
    trend_results: dict[int, dict[str, TeamResult]]


def overview_of(
    organization: Organization, *, user_id: int, now: datetime, chosen: Pulse | None = None
) -> Overview:
    cadence = schedule_of(organization).cadence
    running = open_pulse(organization, now)
    trend = list(pulses_of(organization).filter(closes_at__lte=now)[:TREND_PERIODS])[::-1]
    shown = chosen or (trend[-1] if trend else None)
    read = trend + ([shown] if shown is not None and shown not in trend else [])
    results = results_of(organization, read, now)
    if shown is not None:
        period, period_cadence = shown.period, shown.cadence
    else:
        today = now.astimezone(zone_of(organization)).date()
        period, period_cadence = period_of(today, cadence), cadence
    return Overview(
        cadence=cadence, open=running,
        answered=running is not None and has_answered(running, user_id),
        counts=answer_counts(running) if running is not None else dict.fromkeys(Team.values, 0),
        shown=shown, results=results.get(shown.pk) if shown is not None else None,
        alignment=alignment_of(
            organization, period=period, cadence=period_cadence,
            results=results.get(shown.pk) if shown is not None else None, now=now,
        ),
        trend=trend, trend_results=results,
    )  # fmt: skip
