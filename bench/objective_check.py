"""Benchmark: the SMART check of an objective (POST /api/v1/objectives/check/'s work) for
every metric an objective can target, on an organisation of bench/crm_data.py with 100,000
leads over the 24 months before the check, its KPI facts recomputed.

Each check reads the metric's months in one or two queries (the KPI facts, the persona
facts or the deals), the plan's figure, and resamples 4,000 periods; the response time
(a median of minutes) resamples in Python and is the slowest.
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
from bench.harness import machine, manage, production_env, update_section

ORG = "bench-objectives"
LEADS = 100_000
FIRST, MONTHS = date(2024, 11, 1), 24
TODAY = date(2026, 11, 15)  # the history window is the data's 24 months
RUNS = 7
REFRESH_OBJECTIVES = 100
TARGETS = {"count": "5000", "money": "2000000", "percent": "30", "hours": "24", "days": "60"}


def main() -> None:
    env = production_env(DATABASE_URL=os.environ["DATABASE_URL"])
    data = ensure(env, LEADS, org_slug=ORG, first=FIRST, months=MONTHS)
    manage(env, "recompute_kpis", "--org", ORG, "--full")
    os.environ.update(env)
    django.setup()
    from objectives.metrics import OBJECTIVE_METRICS
    from objectives.services import Draft, objective_check
    from orgs.models import Organization

    organization = Organization.objects.get(pk=data.organization_id)
    rows = []
    for metric in OBJECTIVE_METRICS:
        draft = Draft(title="", metric=metric.code, target=Decimal(TARGETS[metric.unit]),
                      first_month=date(2027, 1, 1), last_month=date(2027, 6, 1))  # fmt: skip
        objective_check(organization=organization, draft=draft, today=TODAY)  # warm-up
        timings = []
        for _ in range(RUNS):
            began = time.perf_counter()
            found = objective_check(organization=organization, draft=draft, today=TODAY)
            timings.append((time.perf_counter() - began) * 1000)
        verdict = found["smart"]["achievable"]["code"]
        rows.append((metric.code, statistics.median(timings), max(timings), verdict))
        print(f"{metric.code}: median {statistics.median(timings):.0f} ms ({verdict})", flush=True)
    refresh_ms, count = refresh_timing(organization)
    print(f"refresh of {count} objectives: {refresh_ms:.0f} ms", flush=True)
    table = "\n".join(f"| `{code}` | {median:.0f} | {slowest:.0f} | {verdict} |"
                      for code, median, slowest, verdict in rows)  # fmt: skip
    update_section(
        "objective_check",
        f"""## The SMART check of an objective

Run {date.today()} on {machine()}; PostgreSQL from DATABASE_URL on the same machine. Data:
{describe(data)} (`bench/crm_data.py`), KPI facts recomputed; the check as on {TODAY} of an
objective for January to June 2027, for the whole organisation, median of {RUNS} runs after a
warm-up, in process (the endpoint adds its request handling). Command:
`python3 scripts/run_bench.py objective_check`.

| metric | median ms | slowest ms | verdict |
|---|---|---|---|
{table}

The progress refresh a KPI recompute triggers, for {count} running objectives of this
organisation (every metric, the year 2026, as on {TODAY}): {refresh_ms:,.0f} ms, median of
{RUNS} runs.
""",
    )


def refresh_timing(organization: Any) -> tuple[float, int]:
    """The median time of objectives_refresh over REFRESH_OBJECTIVES objectives (made once)."""
    from objectives.metrics import OBJECTIVE_METRICS
    from objectives.models import Objective
    from objectives.services import Draft, objective_create, objectives_refresh

    for i in range(
        REFRESH_OBJECTIVES - Objective.objects.filter(organization=organization).count()
    ):
        metric = OBJECTIVE_METRICS[i % len(OBJECTIVE_METRICS)]
        draft = Draft(title=f"bench {i}", metric=metric.code,
                      target=Decimal(TARGETS[metric.unit]), first_month=date(2026, 1, 1),
                      last_month=date(2026, 12, 1))  # fmt: skip
        objective_create(organization=organization, by=None, draft=draft, today=TODAY)
    timings = []
    for _ in range(RUNS):
        began = time.perf_counter()
        count = objectives_refresh(organization_id=organization.pk, today=TODAY)
        timings.append((time.perf_counter() - began) * 1000)
    return statistics.median(timings), count


if __name__ == "__main__":
    main()
