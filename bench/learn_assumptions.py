"""Benchmark: learning a plan's assumptions from 1,000,000 leads and 200,000 deals.

`funnel.assumptions.learn` (conversion and median days for every stage pair, overall and per
channel; deal size; cost per lead; seasonality) against its floor: one hand-written SQL
query that computes the same conversion rates and median days, measured in the same run on
the same connection. Each is run RUNS times, alternating, after one warm-up run each; the
medians are compared. The floor's rates must equal learn's, or the benchmark fails.
"""

from __future__ import annotations

import os
import statistics
import time
from datetime import date
from decimal import Decimal
from typing import Any

import django

from bench.crm_data import describe, ensure
from bench.harness import machine, production_env, update_section

LEADS = int(os.environ.get("BENCH_LEADS", "1000000"))
RUNS = 5
CODES = ["lead", "mql", "sql", "opportunity", "customer"]  # the funnel stages, in order
START, END = date(2024, 1, 1), date(2026, 11, 1)  # the whole generated history

FLOOR = """
WITH moves AS NOT MATERIALIZED (  -- funnel stage changes, the stage as its 1-based position
    SELECT lead_id, array_position(%(codes)s::text[], to_stage::text) AS position, at
    FROM crm_leadstagechange WHERE organization_id = %(org)s AND to_stage = ANY(%(codes)s)
), entered AS (
    SELECT lead_id, position, min(at) AS at FROM moves
    WHERE at >= %(start)s AND at < %(end)s AND position < cardinality(%(codes)s::text[])
    GROUP BY lead_id, position
), cohort AS (
    SELECT e.lead_id, e.position, e.at, min(n.at) AS next_at
    FROM entered e LEFT JOIN moves n ON n.lead_id = e.lead_id AND n.position > e.position AND n.at >= e.at
    GROUP BY e.lead_id, e.position, e.at
)
SELECT (%(codes)s::text[])[c.position], GROUPING(ch.code), ch.code, count(*), count(c.next_at),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM c.next_at - c.at) / 86400)
FROM cohort c JOIN crm_lead l ON l.id = c.lead_id LEFT JOIN crm_channel ch ON ch.id = l.channel_id
GROUP BY GROUPING SETS ((c.position), (c.position, ch.code))
"""


def floor_rates(cursor: Any, org: int) -> dict[tuple[str, str], tuple[int, int]]:
    cursor.execute(FLOOR, {"org": org, "codes": CODES, "start": START, "end": END})
    return {
        (stage, "__all__" if overall else (code or "unknown")): (entered, reached)
        for stage, overall, code, entered, reached, _ in cursor.fetchall()
    }


def main() -> None:
    env = production_env(DATABASE_URL=os.environ["DATABASE_URL"])
    data = ensure(env, LEADS)
    os.environ.update(env)
    django.setup()
    from django.db import connection

    from funnel.assumptions import learn
    from orgs.models import Organization

    organization = Organization.objects.get(pk=data.organization_id)
    learned = learn(organization=organization, start=START, end=END)  # warm-up
    with connection.cursor() as cursor:
        floor = floor_rates(cursor, organization.pk)
    for pair, by_channel in learned.conversion.items():
        stage = pair.split("->")[0]
        for channel, figure in by_channel.items():
            entered, reached = floor[(stage, channel)]
            assert figure.sample == entered, (pair, channel, figure, entered)
            assert figure.value == (Decimal(reached) / entered).quantize(Decimal("0.0001"))
    timings: dict[str, list[float]] = {"learn": [], "floor": []}
    for _ in range(RUNS):
        began = time.perf_counter()
        learn(organization=organization, start=START, end=END)
        timings["learn"].append(time.perf_counter() - began)
        began = time.perf_counter()
        with connection.cursor() as cursor:
            floor_rates(cursor, organization.pk)
        timings["floor"].append(time.perf_counter() - began)
    learn_s, floor_s = (statistics.median(timings[k]) for k in ("learn", "floor"))
    floor_row = f"{floor_s:.2f} | {max(timings['floor']):.2f} | 1.00x"
    learn_row = f"{learn_s:.2f} | {max(timings['learn']):.2f} | **{learn_s / floor_s:.2f}x**"
    pairs = len(floor)
    update_section(
        "learn_assumptions",
        f"""## Learning the assumptions

Run {date.today()} on {machine()}; PostgreSQL from DATABASE_URL on the same machine. Data:
{describe(data)} (`bench/crm_data.py`, generated in SQL{
            f", {data.generated_seconds:.0f} s" if data.generated_seconds else ""
        }). Window: the whole history. Median of {RUNS} runs after a warm-up. Command:
`python3 scripts/run_bench.py learn_assumptions` (`BENCH_LEADS` sets the lead count).

| what | median s | slowest s | vs floor |
|---|---|---|---|
| floor: one hand-written query, conversion and median days for every stage pair, overall and per channel | {
            floor_row
        } |
| `learn()`: the same, plus deal size, cost per lead and seasonality | {learn_row} |

Both give the same cohort sizes and rates for all {pairs} stage-pair x channel rows (checked
by the benchmark).
""",
    )
    print(f"learn {learn_s:.2f} s, floor {floor_s:.2f} s, {learn_s / floor_s:.2f}x")


if __name__ == "__main__":
    main()
