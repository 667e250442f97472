"""Assumptions learned from an organisation's own CRM history, aggregated in SQL.

Conversion is by cohort: of the leads that entered stage A in the window, the share that
later reached stage B or any stage after it (imports and wins may skip a step); the days
between are the median of those that made it. Each figure carries its sample size, and a
warning when the sample is too small to trust.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.cache import cache
from django.db import connection

from crm.models import LifecycleStage
from funnel.models import KpiState
from orgs.models import Organization

MIN_COHORT = 30  # leads entering a stage, below which a rate is flagged
MIN_DEALS = 20  # won deals, below which a deal size is flagged
ALL = "__all__"  # the key of the figure over every channel


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
    warnings: list[str] = field(default_factory=list)


def _flag(sample: int, minimum: int, what: str) -> str:
    return f"only {sample} {what}: too few to trust" if sample < minimum else ""


def learn(*, organization: Organization, start: date, end: date) -> Learned:
    """Learn from [start, end): conversion and days per stage pair, deal size, cost per lead, seasonality."""
    stages = list(
        LifecycleStage.objects.for_org(organization)
        .filter(is_exit=False)
        .order_by("position")
        .values_list("code", flat=True)
    )
    learned = Learned(start=start, end=end, stages=stages)
    with connection.cursor() as cursor:
        for i in range(len(stages) - 1):
            _conversion(cursor, learned, organization.pk, stages[i], stages[i + 1 :])
        _deal_size(cursor, learned, organization.pk)
        _cost_per_lead(cursor, learned, organization.pk)
        _seasonality(cursor, learned, organization.pk)
    return learned


def _key(overall: int, code: str | None) -> str:
    """The row's channel: ALL for the GROUPING SETS total, 'unknown' for leads without one."""
    if overall:
        return ALL
    return code if code is not None else "unknown"


def _conversion(cursor, learned: Learned, org: int, stage: str, later: list[str]) -> None:  # type: ignore[no-untyped-def]
    cursor.execute(
        """
        WITH entered AS (
            SELECT c.lead_id, min(c.at) AS at FROM crm_leadstagechange c
            WHERE c.organization_id = %(org)s AND c.to_stage = %(stage)s AND c.at >= %(start)s AND c.at < %(end)s
            GROUP BY c.lead_id
        ), reached AS (
            SELECT e.lead_id, min(n.at) AS at FROM entered e
            JOIN crm_leadstagechange n ON n.lead_id = e.lead_id AND n.to_stage = ANY(%(later)s) AND n.at >= e.at
            GROUP BY e.lead_id
        )
        SELECT GROUPING(ch.code), ch.code, count(*), count(r.lead_id),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM r.at - e.at) / 86400)
        FROM entered e
        JOIN crm_lead l ON l.id = e.lead_id
        LEFT JOIN crm_channel ch ON ch.id = l.channel_id
        LEFT JOIN reached r ON r.lead_id = e.lead_id
        GROUP BY GROUPING SETS ((), (ch.code))
        """,
        {"org": org, "stage": stage, "later": later, "start": learned.start, "end": learned.end},
    )
    pair = f"{stage}->{later[0]}"
    rates, days = learned.conversion.setdefault(pair, {}), learned.stage_days.setdefault(pair, {})
    for overall, code, entered, reached, median_days in cursor.fetchall():
        if not entered:
            continue  # the total row of an empty cohort
        key = _key(overall, code)
        rate = Decimal(reached) / Decimal(entered) if entered else None
        rates[key] = Figure(
            rate.quantize(Decimal("0.0001")) if rate is not None else None,
            entered,
            _flag(entered, MIN_COHORT, f"leads entered {stage}"),
        )
        days_value = Decimal(str(round(median_days, 1))) if median_days is not None else None
        days[key] = Figure(
            days_value, reached, _flag(reached, MIN_COHORT // 3, f"leads reached {later[0]}")
        )


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
        SELECT extract(month FROM closed_at)::int, sum(amount) FROM crm_deal
        WHERE organization_id = %s AND status = 'won' AND amount IS NOT NULL AND closed_at >= %s AND closed_at < %s
        GROUP BY 1
        """,
        [org, learned.start, learned.end],
    )
    revenue = {month: Decimal(total) for month, total in cursor.fetchall()}
    mean = sum(revenue.values(), Decimal(0)) / 12
    if not revenue or mean == 0:
        learned.seasonality = {m: Decimal(1) for m in range(1, 13)}
        learned.warnings.append("no won revenue in the window: months weigh the same")
        return
    learned.seasonality = {
        m: (revenue.get(m, Decimal(0)) / mean).quantize(Decimal("0.001")) for m in range(1, 13)
    }
    if (learned.end - learned.start).days < 365:
        learned.warnings.append("the window is shorter than a year: seasonality misses some months")


LEARNED_CACHE_SECONDS = 3600  # how long an unused result may stay: memory, not freshness


def learn_cached(*, organization: Organization, start: date, end: date) -> Learned:
    """`learn`, kept in the cache under the version of the organisation's KPI facts. Every
    CRM change leads to a recompute, which raises the version, so a kept result is as fresh
    as the dashboards: the editor's live preview and the assumptions page stop learning from
    a million leads on every keystroke and every visit."""
    version = (
        KpiState.objects.filter(organization=organization).values_list("version", flat=True).first()
    )
    key = f"assumptions:{organization.pk}:{version or 0}:{start}:{end}"
    learned: Learned | None = cache.get(key)
    if learned is None:
        learned = learn(organization=organization, start=start, end=end)
        cache.set(key, learned, timeout=LEARNED_CACHE_SECONDS)
    return learned
