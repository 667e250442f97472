"""Benchmark: a full KPI recompute over 1,000,000 leads and 200,000 deals, beside its floor.

The floor is one hand-written SQL statement that groups the same source rows into the same
numbers per month x channel x campaign (leads, stage reached and converted counts, deals by
status and kind, revenue, cycle, cost spread over campaign days, hand-overs and response
minutes) and writes nothing. The recompute (`kpis_recompute_full`) also takes its lock,
replaces the stored facts, clears the change marks, rebuilds the open pipeline and records
freshness. The benchmark checks that the floor's totals equal the stored facts' totals.
"""

from __future__ import annotations

import os
import statistics
import time
from datetime import date

import django

from bench.crm_data import describe, ensure
from bench.harness import machine, production_env, update_section

LEADS = int(os.environ.get("BENCH_LEADS", "1000000"))
RUNS = 3
CODES = ["lead", "mql", "sql", "opportunity", "customer"]  # the funnel stages, in order
MONTH = "date_trunc('month', {} AT TIME ZONE 'UTC')::date"

FLOOR = f"""
WITH furthest AS (  -- per lead and funnel stage entered (its position, 1-based), the first time
    SELECT c.lead_id, array_position(%(codes)s::text[], c.to_stage::text) AS position, min(c.at) AS at
    FROM crm_leadstagechange c
    WHERE c.organization_id = %(org)s AND c.to_stage = ANY(%(codes)s) GROUP BY 1, 2
), reached AS (  -- a stage counts as reached when it or a later one is entered
    SELECT f.lead_id, (%(codes)s::text[])[p] AS code, min(f.at) AS at, max(f.position) > p AS went_on
    FROM furthest f, generate_series(1, f.position) p GROUP BY f.lead_id, p
), lead_keys AS (
    SELECT id, COALESCE(channel_id, 0) AS ch, COALESCE(campaign_id, 0) AS cp, created_at
    FROM crm_lead WHERE organization_id = %(org)s
), lead_cells AS (
    SELECT {MONTH.format("created_at")} AS month, ch, cp, count(*) AS leads FROM lead_keys GROUP BY 1, 2, 3
), stage_cells AS (
    SELECT month, ch, cp, jsonb_object_agg(code, n) AS reached, jsonb_object_agg(code, m) AS converted
    FROM (SELECT {MONTH.format("r.at")} AS month, k.ch, k.cp, r.code, count(*) AS n,
                 count(*) FILTER (WHERE r.went_on) AS m
          FROM reached r JOIN lead_keys k ON k.id = r.lead_id GROUP BY 1, 2, 3, 4) x
    GROUP BY 1, 2, 3
), response_cells AS (
    SELECT {MONTH.format("r.at")} AS month, k.ch, k.cp, count(*) AS handed_over,
           array_agg(a.minutes ORDER BY a.minutes) FILTER (WHERE a.minutes IS NOT NULL) AS minutes
    FROM reached r JOIN lead_keys k ON k.id = r.lead_id
    LEFT JOIN LATERAL (
        SELECT floor(extract(epoch FROM min(a.at) - r.at) / 60)::int AS minutes FROM crm_activity a
        WHERE a.organization_id = %(org)s AND a.lead_id = r.lead_id AND a.at >= r.at AND a.kind <> 'note'
    ) a ON true
    WHERE r.code = 'mql' GROUP BY 1, 2, 3
), deal_cells AS (
    SELECT {MONTH.format("d.closed_at")} AS month, COALESCE(k.ch, 0) AS ch, COALESCE(k.cp, 0) AS cp,
           count(*) FILTER (WHERE won) AS won_deals, count(*) FILTER (WHERE NOT won) AS lost_deals,
           COALESCE(sum(d.amount) FILTER (WHERE won), 0) AS won_revenue,
           count(DISTINCT COALESCE('c' || d.company_id, 'l' || d.lead_id, 'd' || d.id)) FILTER (WHERE won) AS customers,
           count(*) FILTER (WHERE won AND d.kind = 'new') AS new_customers,
           COALESCE(sum(d.amount) FILTER (WHERE won AND d.kind = 'new'), 0) AS new_revenue,
           count(*) FILTER (WHERE won AND d.kind = 'repeat') AS repeat_deals,
           COALESCE(sum(d.amount) FILTER (WHERE won AND d.kind = 'repeat'), 0) AS repeat_revenue,
           count(*) FILTER (WHERE won AND d.kind = 'reactivation') AS reactivated_customers,
           COALESCE(sum(d.amount) FILTER (WHERE won AND d.kind = 'reactivation'), 0) AS reactivation_revenue,
           round(COALESCE(sum(GREATEST(extract(epoch FROM d.closed_at - k.created_at) / 86400, 0))
                 FILTER (WHERE won AND k.id IS NOT NULL), 0), 2) AS cycle_days,
           count(*) FILTER (WHERE won AND k.id IS NOT NULL) AS cycle_deals
    FROM (SELECT *, status = 'won' AS won FROM crm_deal
          WHERE organization_id = %(org)s AND status IN ('won', 'lost')) d
    LEFT JOIN lead_keys k ON k.id = d.lead_id GROUP BY 1, 2, 3
), cost_cells AS (
    SELECT month::date, COALESCE(channel_id, 0) AS ch, id AS cp,
           round(actual_cost * (LEAST(last_day, (month + interval '1 month - 1 day')::date)
                 - GREATEST(start_date, month::date) + 1) / (last_day - start_date + 1), 2) AS cost
    FROM (SELECT *, COALESCE(end_date, start_date) AS last_day FROM crm_campaign
          WHERE organization_id = %(org)s AND actual_cost IS NOT NULL) c,
         generate_series(date_trunc('month', start_date), last_day, interval '1 month') month
)
SELECT count(*), sum(leads), sum(won_deals), sum(lost_deals), sum(won_revenue), sum(customers),
       sum(cycle_days), sum(cost), sum(handed_over), sum(cardinality(minutes)),
       sum((reached ->> 'mql')::int), sum((converted ->> 'sql')::int)
FROM lead_cells FULL JOIN stage_cells USING (month, ch, cp) FULL JOIN response_cells USING (month, ch, cp)
FULL JOIN deal_cells USING (month, ch, cp) FULL JOIN cost_cells USING (month, ch, cp)
"""

STORED = """
SELECT count(*), sum(leads), sum(won_deals), sum(lost_deals), sum(won_revenue), sum(customers),
       sum(cycle_days), sum(cost), sum(handed_over), sum(cardinality(response_minutes)),
       sum((reached ->> 'mql')::int), sum((converted ->> 'sql')::int)
FROM funnel_kpifact WHERE organization_id = %(org)s
"""


def main() -> None:
    env = production_env(DATABASE_URL=os.environ["DATABASE_URL"])
    data = ensure(env, LEADS)
    os.environ.update(env)
    django.setup()
    from django.db import connection

    from kpis.recompute import kpis_recompute_full

    org = data.organization_id
    with connection.cursor() as cursor:  # as the recompute runs (kpis/recompute.py)
        cursor.execute("SET jit = off")
    timings: dict[str, list[float]] = {"recompute": [], "floor": []}
    for _ in range(RUNS + 1):  # the first round warms the caches and is not counted
        began = time.perf_counter()
        kpis_recompute_full(organization_id=org)
        timings["recompute"].append(time.perf_counter() - began)
        began = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(FLOOR, {"org": org, "codes": CODES})
            floor_totals = cursor.fetchone()
        timings["floor"].append(time.perf_counter() - began)
    with connection.cursor() as cursor:
        cursor.execute(STORED, {"org": org})
        stored_totals = cursor.fetchone()
    assert stored_totals == floor_totals, (stored_totals, floor_totals)
    recompute_s = statistics.median(timings["recompute"][1:])
    floor_s = statistics.median(timings["floor"][1:])
    update_section(
        "kpi_recompute",
        f"""## Full KPI recompute

Run {date.today()} on {machine()}; PostgreSQL from DATABASE_URL on the same machine. Data:
{describe(data)}, giving {stored_totals[0]:,} month x channel x campaign cells. Median of
{RUNS} runs after a warm-up. Command: `python3 scripts/run_bench.py kpi_recompute`.

| what | median s | slowest s | vs floor |
|---|---|---|---|
| floor: one hand-written `GROUP BY` statement giving the same numbers, writing nothing (JIT off, as for the recompute) | {floor_s:.2f} | {max(timings["floor"][1:]):.2f} | 1.00x |
| `kpis_recompute_full`: lock, delete and insert the facts, clear marks, open pipeline, freshness | {recompute_s:.2f} | {max(timings["recompute"][1:]):.2f} | **{recompute_s / floor_s:.2f}x** |

The floor's totals (cells, leads, deals, revenue, customers, cycle days, cost, hand-overs,
responses, MQLs, SQL conversions) equal the stored facts' (checked by the benchmark).
""",
    )
    print(f"recompute {recompute_s:.2f} s, floor {floor_s:.2f} s, {recompute_s / floor_s:.2f}x")


if __name__ == "__main__":
    main()
