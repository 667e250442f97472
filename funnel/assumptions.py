"""Assumptions learned from an organisation's own CRM history, aggregated in SQL.

Conversion is by cohort: of the leads that entered stage A in the window, the share that
later reached stage B or any stage after it (imports and wins may skip a step); the days
between are the median of those that made it. Each figure carries its sample size, and a
warning when the sample is too small to trust.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from itertools import pairwise
from typing import NamedTuple

from django.core.cache import cache
from django.db import connection, transaction

from crm.selectors import funnel_stage_codes
from kpis.selectors import kpi_version
from orgs.models import Organization

MIN_COHORT = 30  # leads entering a stage, below which a rate is flagged
MIN_DEALS = 20  # won deals, below which a deal size is flagged
ALL = "__all__"  # the key of the figure over every channel
# The key of leads without a channel: channel codes are made of [a-z0-9_] with no leading
# underscore (crm.services.records.channel_code), so no channel, not even one coded
# "unknown", can take it.
NO_CHANNEL = "__none__"


@dataclass(frozen=True)
class Figure:
    value: Decimal | None
    sample: int
    warning: str = ""


@dataclass
class Learned:
    start: date
    end: date
    stages: list[str]
    conversion: dict[str, dict[str, Figure]] = field(
        default_factory=dict
    )  # "a->b" -> channel -> rate
    stage_days: dict[str, dict[str, Figure]] = field(
        default_factory=dict
    )  # "a->b" -> channel -> median days
    average_deal_size: dict[str, Figure] = field(default_factory=dict)  # channel -> amount
    cost_per_lead: dict[str, Figure] = field(default_factory=dict)  # channel -> cost
    seasonality: dict[int, Decimal] = field(
        default_factory=dict
    )  # calendar month -> weight (mean 1)
    seasonality_fallback: list[int] = field(default_factory=list)  # months weighed as average
    warnings: list[str] = field(default_factory=list)

    def channel_shares(self, most: int | None = None) -> dict[str, tuple[Decimal, Decimal]]:
        """Channel -> (share of the window's leads, cost per lead): what a learned plan
        splits its leads and prices them by. Shares have six decimals and add up to 1. With
        `most`, only that many channels, those with the most leads, share the leads."""
        leads = {k: f.sample for k, f in self.cost_per_lead.items() if k != ALL and f.sample}
        if most is not None and len(leads) > most:
            leads = dict(sorted(leads.items(), key=lambda kv: (-kv[1], kv[0]))[:most])
        total = sum(leads.values())
        if not total:
            return {}
        step = Decimal("0.000001")
        shares = {k: (Decimal(n) / Decimal(total)).quantize(step) for k, n in leads.items()}
        largest = max(shares, key=lambda k: (shares[k], k))
        shares[largest] += Decimal(1) - sum(shares.values())  # the rounding, where it shows least
        return {k: (shares[k], self.cost_per_lead[k].value or Decimal(0)) for k in sorted(shares)}


def _flag(sample: int, minimum: int, what: str) -> str:
    return f"only {sample} {what}: too few to trust" if sample < minimum else ""


def learn(*, organization: Organization, start: date, end: date) -> Learned:
    """Learn from [start, end): conversion and days per stage pair, deal size, cost per lead, seasonality."""
    learned = Learned(start=start, end=end, stages=funnel_stage_codes(organization))
    with transaction.atomic(), connection.cursor() as cursor:
        # Every statement reads the organisation's whole history: hash joins whatever the
        # estimates. After a bulk write the planner has not seen, it estimated one row and
        # joined each cohort entry to a scan of all the stage changes (20,000 leads: over
        # a 5 s timeout, 0.5 s without nested loops; the same plan with fresh statistics).
        cursor.execute("SET LOCAL enable_nestloop = off")
        _conversions(cursor, learned, organization.pk)
        _deal_size(cursor, learned, organization.pk)
        _cost_per_lead(cursor, learned, organization.pk)
        _seasonality(cursor, learned, organization.pk)
    return learned


def _key(overall: int, code: str | None) -> str:
    """The row's channel: ALL for the GROUPING SETS total, NO_CHANNEL for leads without one."""
    if overall:
        return ALL
    return code if code is not None else NO_CHANNEL


# Every stage pair in one statement: a lead's funnel stage changes (the stage as its
# position) are read once, each lead's first entry to each stage in the window is its
# cohort, and its first later entry to any stage after it is the next step. One query per
# pair read the million stage changes eight times over and took 1.5x as long.
_COHORTS = """
WITH moves AS NOT MATERIALIZED (
    SELECT lead_id, array_position(%(stages)s::text[], to_stage::text) AS position, at
    FROM crm_leadstagechange WHERE organization_id = %(org)s AND to_stage = ANY(%(stages)s)
), entered AS (
    SELECT lead_id, position, min(at) AS at FROM moves
    WHERE at >= %(start)s AND at < %(end)s AND position < cardinality(%(stages)s::text[])
    GROUP BY lead_id, position
), cohort AS (
    SELECT e.lead_id, e.position, e.at, min(n.at) AS next_at
    FROM entered e
    LEFT JOIN moves n ON n.lead_id = e.lead_id AND n.position > e.position AND n.at >= e.at
    GROUP BY e.lead_id, e.position, e.at
)
"""
_CONVERSIONS = (
    _COHORTS
    + """
SELECT c.position, GROUPING(ch.code), ch.code, count(*), count(c.next_at),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM c.next_at - c.at) / 86400)
FROM cohort c
JOIN crm_lead l ON l.id = c.lead_id AND l.organization_id = %(org)s
LEFT JOIN crm_channel ch ON ch.id = l.channel_id
GROUP BY GROUPING SETS ((c.position), (c.position, ch.code))
"""
)


def _conversions(cursor, learned: Learned, org: int) -> None:  # type: ignore[no-untyped-def]
    stages = learned.stages
    pairs = [f"{a}->{b}" for a, b in pairwise(stages)]
    for pair in pairs:
        learned.conversion[pair], learned.stage_days[pair] = {}, {}
    if len(stages) < 2:
        return
    cursor.execute(
        _CONVERSIONS, {"org": org, "stages": stages, "start": learned.start, "end": learned.end}
    )
    for position, overall, code, entered, reached, median_days in cursor.fetchall():
        if not entered:
            continue  # the total row of an empty cohort
        pair, stage, following = pairs[position - 1], stages[position - 1], stages[position]
        key = _key(overall, code)
        learned.conversion[pair][key] = Figure(
            (Decimal(reached) / Decimal(entered)).quantize(Decimal("0.0001")),
            entered,
            _flag(entered, MIN_COHORT, f"leads entered {stage}"),
        )
        days_value = Decimal(str(round(median_days, 1))) if median_days is not None else None
        learned.stage_days[pair][key] = Figure(
            days_value, reached, _flag(reached, MIN_COHORT // 3, f"leads reached {following}")
        )


# The same cohorts lead by lead: when each entered its stage, and the days it took to
# reach the next (or a later) one, if it did.
_ENTRIES = (
    _COHORTS
    + """
SELECT c.position, c.at, extract(epoch FROM c.next_at - c.at) / 86400
FROM cohort c
JOIN crm_lead l ON l.id = c.lead_id AND l.organization_id = %(org)s
ORDER BY c.position, c.at
"""
)


class Entry(NamedTuple):
    """One lead of a stage's cohort: when it entered the stage, and the days it took to
    reach the next one or any after it (None while it has not)."""

    entered_at: datetime
    days: float | None


def cohort_entries(
    *, organization: Organization, stages: list[str], start: date, end: date
) -> dict[str, list[Entry]]:
    """Stage pair "a->b" -> the leads that entered `a` in [start, end), in the order they
    entered: the cohorts `learn` counts, lead by lead, for what needs more than a count and
    a median (an interval around the median days). `stages` in the funnel's order."""
    entries: dict[str, list[Entry]] = {f"{a}->{b}": [] for a, b in pairwise(stages)}
    if len(stages) < 2:
        return entries
    pairs = list(entries)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_nestloop = off")  # as in `learn`: hash joins
        cursor.execute(
            _ENTRIES, {"org": organization.pk, "stages": stages, "start": start, "end": end}
        )
        for position, at, days in cursor.fetchall():
            entries[pairs[position - 1]].append(
                Entry(at, float(days) if days is not None else None)
            )
    return entries


def _deal_size(cursor, learned: Learned, org: int) -> None:  # type: ignore[no-untyped-def]
    cursor.execute(
        """
        SELECT GROUPING(ch.code), ch.code, count(*), avg(d.amount) FROM crm_deal d
        LEFT JOIN crm_lead l ON l.id = d.lead_id LEFT JOIN crm_channel ch ON ch.id = l.channel_id
        WHERE d.organization_id = %s AND d.status = 'won' AND d.amount IS NOT NULL
          AND d.closed_at >= %s AND d.closed_at < %s
        GROUP BY GROUPING SETS ((), (ch.code))
        """,
        [org, learned.start, learned.end],
    )
    for overall, code, count, average in cursor.fetchall():
        if not count:
            continue
        learned.average_deal_size[_key(overall, code)] = Figure(
            average.quantize(Decimal("0.01")), count, _flag(count, MIN_DEALS, "won deals")
        )


def _cost_per_lead(cursor, learned: Learned, org: int) -> None:  # type: ignore[no-untyped-def]
    cursor.execute(
        """
        WITH spend AS (
            SELECT channel_id, sum(actual_cost) AS cost FROM crm_campaign
            WHERE organization_id = %(org)s AND actual_cost IS NOT NULL AND start_date >= %(start)s AND start_date < %(end)s
            GROUP BY channel_id
        ), leads AS (
            SELECT channel_id, count(*) AS n FROM crm_lead
            WHERE organization_id = %(org)s AND created_at >= %(start)s AND created_at < %(end)s
            GROUP BY channel_id
        )
        SELECT GROUPING(ch.code), ch.code, sum(l.n), sum(COALESCE(s.cost, 0)) FROM leads l
        LEFT JOIN spend s ON s.channel_id IS NOT DISTINCT FROM l.channel_id
        LEFT JOIN crm_channel ch ON ch.id = l.channel_id
        GROUP BY GROUPING SETS ((), (ch.code))
        """,
        {"org": org, "start": learned.start, "end": learned.end},
    )
    for overall, code, leads, cost in cursor.fetchall():
        if not leads:
            continue
        value = (Decimal(cost) / Decimal(leads)).quantize(Decimal("0.01"))
        learned.cost_per_lead[_key(overall, code)] = Figure(
            value, int(leads), _flag(int(leads), MIN_COHORT, "leads")
        )


def _seasonality(cursor, learned: Learned, org: int) -> None:  # type: ignore[no-untyped-def]
    cursor.execute(
        """
        SELECT extract(month FROM closed_at)::int, sum(amount), count(*) FROM crm_deal
        WHERE organization_id = %s AND status = 'won' AND amount IS NOT NULL AND closed_at >= %s AND closed_at < %s
        GROUP BY 1
        """,
        [org, learned.start, learned.end],
    )
    revenue = {month: (Decimal(total), deals) for month, total, deals in cursor.fetchall() if total}
    if not revenue:
        learned.seasonality = {m: Decimal(1) for m in range(1, 13)}
        learned.seasonality_fallback = list(range(1, 13))
        learned.warnings.append("no won revenue in the window: months weigh the same")
        return
    learned.seasonality = seasonality_weights(revenue)
    learned.seasonality_fallback = [m for m in range(1, 13) if m not in revenue]
    if learned.seasonality_fallback:
        names = ", ".join(calendar.month_abbr[m] for m in learned.seasonality_fallback)
        learned.warnings.append(
            f"no won revenue in {names} in the window: weighed as an average month"
        )


SEASONALITY_PRIOR_DEALS = (
    6  # how many won deals' worth of "an average month" each month starts with
)


def seasonality_weights(revenue: dict[int, tuple[Decimal, int]]) -> dict[int, Decimal]:
    """Calendar month -> weight (mean 1) from (won revenue, won deals) per month.

    A month's weight is its revenue against the average month's, pulled toward 1 by how few
    deals it rests on: (n x observed + k) / (n + k), with k = SEASONALITY_PRIOR_DEALS. Two
    deals more or less in one month of a small history would otherwise swing that month's
    targets by half (the demo's June asked for 419 leads and August for 34). A month with
    no won revenue in the window is a month history says nothing about, not a month to plan
    nothing in: it weighs as an average month. The weights are then scaled to mean 1."""
    mean = sum((total for total, _ in revenue.values()), Decimal(0)) / len(revenue)
    prior = Decimal(SEASONALITY_PRIOR_DEALS)
    raw = {}
    for month in range(1, 13):
        total, deals = revenue.get(month, (Decimal(0), 0))
        observed = total / mean if deals else Decimal(1)
        raw[month] = (deals * observed + prior) / (deals + prior)
    scale = Decimal(12) / sum(raw.values())
    return {m: (w * scale).quantize(Decimal("0.001")) for m, w in raw.items()}


LEARNED_CACHE_SECONDS = 3600  # how long an unused result may stay: memory, not freshness
# Part of the cache key: raise it when what `learn` computes changes, so that a deploy
# never serves results learned the old way (seasonality was once unshrunk).
LEARNING_RULES = 2


def learn_cached(*, organization: Organization, start: date, end: date) -> Learned:
    """`learn`, kept in the cache under the version of the organisation's KPI facts. Every
    CRM change leads to a recompute, which raises the version, so a kept result is as fresh
    as the dashboards: the editor's live preview and the assumptions page stop learning from
    a million leads on every keystroke and every visit."""
    version = kpi_version(organization)
    key = f"assumptions:{LEARNING_RULES}:{organization.pk}:{version}:{start}:{end}"
    learned: Learned | None = cache.get(key)
    if learned is None:
        learned = learn(organization=organization, start=start, end=end)
        cache.set(key, learned, timeout=LEARNED_CACHE_SECONDS)
    return learned


def last_month_with_data(*, organization_id: int, before: date) -> date | None:
    """The last month before `before` in which a lead came in or a deal was won: where the
    learning window of a plan ends when the history stops early (an old export)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT greatest(
                (SELECT max(created_at) FROM crm_lead
                 WHERE organization_id = %(org)s AND created_at < %(before)s),
                (SELECT max(closed_at) FROM crm_deal
                 WHERE organization_id = %(org)s AND status = 'won' AND closed_at < %(before)s))
            """,
            {"org": organization_id, "before": before},
        )
        (last,) = cursor.fetchone()
    return last.date().replace(day=1) if last else None
