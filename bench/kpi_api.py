"""Benchmark: `/api/v1/kpis/` with 100 rows under 16 concurrent clients on gunicorn.

An organisation of bench/crm_data.py with 100,000 leads over 100 months, its facts
recomputed; the endpoint is asked for the 100 months at once (`group_by=month`), so every
answer sums each month's cells and derives the KPIs of 100 rows. Same load and server as
bench/api_base.py: 4 sync workers, keep-alive clients on this machine. `/api/v1/me/` is
measured beside it, same server, token and clients (issue 14: at least as fast as /kpis/).
"""

from __future__ import annotations

import json
import os
import urllib.request
from datetime import date

from bench.crm_data import describe, ensure, psql
from bench.harness import (
    LoadResult,
    gunicorn,
    load,
    machine,
    manage,
    production_env,
    update_section,
)

ORG = "bench-kpi"
LEADS = 100_000
FIRST, MONTHS = date(2018, 7, 1), 100
PATH = "/api/v1/kpis/?start=2018-07-01&end=2026-10-31&group_by=month"
CLIENTS = 16
PER_CLIENT = 200
WORKERS = 4
ME = "/api/v1/me/"


def row(path: str, result: LoadResult, goal: str) -> str:
    return (
        f"| `{path}` | {result.requests} | {result.errors} | {result.per_second:.0f} | "
        f"{result.p50_ms:.1f} | {result.p95_ms:.1f} | {result.p99_ms:.1f} | {goal} |"
    )


def main() -> None:
    env = production_env(DATABASE_URL=os.environ["DATABASE_URL"])
    data = ensure(env, LEADS, org_slug=ORG, first=FIRST, months=MONTHS)
    manage(env, "recompute_kpis", "--org", ORG, "--full")
    cells = psql(
        env["DATABASE_URL"],
        f"SELECT count(*) FROM funnel_kpifact WHERE organization_id = {data.organization_id}",
    )
    token = manage(env, "create_api_token", "bench-crm-admin", "--org", ORG, "--name", "kpis")
    headers = {"Authorization": f"Token {token.strip().splitlines()[-1]}"}
    with gunicorn(WORKERS, env) as port:
        request = urllib.request.Request(f"http://127.0.0.1:{port}{PATH}", headers=headers)
        with urllib.request.urlopen(request) as answer:
            body = answer.read()
        rows = len(json.loads(body)["results"])
        assert rows == MONTHS, rows
        load(port, PATH, headers, CLIENTS, 20)  # warm every worker
        load(port, ME, headers, CLIENTS, 20)
        result = load(port, PATH, headers, CLIENTS, PER_CLIENT)
        me = load(port, ME, headers, CLIENTS, PER_CLIENT)
    update_section(
        "kpi_api",
        f"""## `/api/v1/kpis/` under load

Run {date.today()} on {machine()}; gunicorn with {WORKERS} sync workers, {CLIENTS} concurrent
keep-alive clients on the same machine, token auth. Data: {describe(data)}, {int(cells):,}
stored cells. Each request: `{PATH}`, {rows} rows, {len(body):,} bytes. Command:
`python3 scripts/run_bench.py kpi_api`.

`{ME}` is asked by the same clients with the same token right after, on the same server.

| endpoint | requests | errors | requests/s | p50 ms | p95 ms | p99 ms | goal |
|---|---|---|---|---|---|---|---|
{row(PATH, result, "p95 <= 60 ms, >= 350/s, no errors")}
{row(ME, me, "at least as fast as `/api/v1/kpis/`")}
""",
    )
    print(
        f"kpis {result.per_second:.0f} req/s, p95 {result.p95_ms:.1f} ms, errors {result.errors};"
        f" me {me.per_second:.0f} req/s, p95 {me.p95_ms:.1f} ms, errors {me.errors}"
    )


if __name__ == "__main__":
    main()
