"""Benchmark: deals won through the API by 16 concurrent clients, and how soon /kpis/ shows them.

An organisation of bench/crm_data.py with 100,000 leads, its facts recomputed, one real
Celery worker (solo pool) on Redis keeping them, and the API on gunicorn (4 sync workers, as
bench/kpi_api.py). Each run takes back the deals the last one opened and won (TAKE_BACK in
bench/kpi_freshness.py), then makes its own open deals (at the proposal stage, one for each
of as many leads that are not customers yet: a run wins them, so the next needs new ones),
then:
- the floor: the same clients read those deals (`GET /api/v1/deals/{id}/`), the cheapest
  authenticated answer about the same rows on the same server;
- the writes alone: each client wins its own share of some of the deals (`PATCH
  /api/v1/deals/{id}/`, as bench/kpi_freshness.py does), each win also moving the deal's
  lead to customer, with no worker running (their recomputes wait in the queue);
- the load: the worker started and idle again, the clients win the other deals while it
  keeps the facts. Goal: at least 150 wins a second, p95 at most 150 ms, no errors;
- freshness: /api/v1/kpis/ is read every 100 ms during and after the load; each win's lag
  is the time from its answer until the month's won deals count it (the k-th answer against
  the first reading of k more wins), the last write's the same from the load's end. Goal:
  the coalescing delay plus 1 s. Then, the worker idle, the stored facts are compared with a
  full recompute (a digest of every cell).
"""

from __future__ import annotations

import json
import os
import re
import statistics
import sys
import threading
import time
from datetime import UTC, date, datetime

from bench.crm_data import describe, ensure
from bench.harness import (
    Call,
    LoadResult,
    gunicorn,
    load,
    load_calls,
    machine,
    manage,
    production_env,
    update_section,
)
from bench.kpi_freshness import (
    Api,
    facts_digest,
    open_deals,
    purge,
    recomputes,
    settle,
    take_back,
    won_this_month,
    worker,
)

ORG = "bench-deals"
LEADS = 100_000
CLIENTS = 16
PER_CLIENT = int(os.environ.get("BENCH_PER_CLIENT", "150"))  # wins a client sends
ALONE_PER_CLIENT = 60  # ... with no worker running
WORKERS = 4
DELAY = 2  # KPI_COALESCE_SECONDS, the default
POLL = 0.1


class Watch:
    """Reads the month's won deals from /api/v1/kpis/ every POLL seconds."""

    def __init__(self, port: int, token: str) -> None:
        self.api = Api(port, token)
        self.seen: list[tuple[float, float, int]] = []  # (asked, answered, count)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        while not self.stop.is_set():
            asked = time.perf_counter()
            count = won_this_month(self.api)
            self.seen.append((asked, time.perf_counter(), count))
            time.sleep(POLL)

    def until(self, count: int, limit: float = 120) -> None:
        deadline = time.perf_counter() + limit
        while not self.seen or self.seen[-1][2] < count:
            if time.perf_counter() > deadline:
                sys.exit(
                    f"/api/v1/kpis/ shows {self.seen[-1][2]} wins, not {count}, after {limit} s"
                )
            time.sleep(POLL)
        self.stop.set()
        self.thread.join()

    def lags(self, before: int, answered: list[float]) -> list[float]:
        """Each win's wait: from the k-th answer until a reading asked after it shows k
        more wins (commits come before answers, and a reading sees every commit before it)."""
        return [
            next(
                shown - at
                for asked, shown, count in self.seen
                if asked >= at and count - before >= k
            )
            for k, at in enumerate(answered, start=1)
        ]


def wins(deals: list[int]) -> list[list[Call]]:
    closed = datetime.now(UTC).isoformat()
    body = json.dumps({"status": "won", "closed_at": closed}).encode()
    return [
        [("PATCH", f"/api/v1/deals/{deal}/", body) for deal in deals[i::CLIENTS]]
        for i in range(CLIENTS)
    ]


def reads(deals: list[int]) -> list[list[Call]]:
    return [
        [("GET", f"/api/v1/deals/{deal}/", None) for deal in deals[i::CLIENTS]]
        for i in range(CLIENTS)
    ]


def recompute_seconds(lines: list[str]) -> float:
    """How long the worker's recomputes ran, by its log."""
    taken = re.findall(r"kpis_recompute_task\[[^]]*\] succeeded in ([0-9.]+)s", "\n".join(lines))
    return sum(float(x) for x in taken)


def row(what: str, result: LoadResult, goal: str = "") -> str:
    return (
        f"| {what} | {result.requests} | {result.errors} | {result.per_second:.0f} | "
        f"{result.p50_ms:.1f} | {result.p95_ms:.1f} | {result.p99_ms:.1f} | {goal} |"
    )


def main() -> None:
    redis_url = os.environ.get("REDIS_URL") or sys.exit("REDIS_URL must point at a Redis")
    env = production_env(
        DATABASE_URL=os.environ["DATABASE_URL"],
        REDIS_URL=redis_url,
        KPI_COALESCE_SECONDS=str(DELAY),
    )
    data = ensure(env, LEADS, org_slug=ORG)
    url, org = env["DATABASE_URL"], data.organization_id
    take_back(url, org)
    alone_deals = open_deals(url, org, CLIENTS * ALONE_PER_CLIENT)
    deals = open_deals(url, org, CLIENTS * PER_CLIENT)
    manage(env, "recompute_kpis", "--org", ORG, "--full")
    token = manage(env, "create_api_token", "bench-crm-admin", "--org", ORG, "--name", "deals")
    token = token.strip().splitlines()[-1]
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    purge(env)
    with gunicorn(WORKERS, env) as port:
        load(port, f"/api/v1/deals/{deals[0]}/", headers, CLIENTS, 20)  # warm every worker
        floor = load_calls(port, headers, reads(deals))
        # The writes alone: their recomputes wait in the queue for the worker started next.
        alone = load_calls(port, headers, wins(alone_deals))
        with worker(env, purged=False) as lines:
            settle(url, org, lines)
            ran, busy = recomputes(lines), recompute_seconds(lines)
            watch = Watch(port, token)
            before = won_this_month(watch.api)
            watch.thread.start()
            result = load_calls(port, headers, wins(deals))
            watch.until(before + result.requests - result.errors)
            lags = watch.lags(before, result.finished)
            settle(url, org, lines)
            runs, busy = recomputes(lines) - ran, recompute_seconds(lines) - busy
            incremental = facts_digest(url, org)
    manage(env, "recompute_kpis", "--org", ORG, "--full")
    equal = facts_digest(url, org) == incremental
    cuts = statistics.quantiles(lags, n=100)
    update_section(
        "deal_writes",
        f"""## Deal writes under load

Run {date.today()} on {machine()}; gunicorn with {WORKERS} sync workers, {CLIENTS} concurrent
keep-alive clients on the same machine, token auth; PostgreSQL and Redis on the same machine.
Data: {describe(data)}; each run takes back the deals the one before opened and won (their
leads back at the stage they left), then adds open deals at the proposal stage, one for each
of as many leads that are not customers, and wins them:
`PATCH /api/v1/deals/{{id}}/ {{"status": "won", "closed_at": ...}}`, each win moving its lead
to customer (9 queries a win in tests/crm/test_api_deal_writes.py, which pins at most 12).
The floor is a `GET` of the same deals by the same clients. Then {len(alone_deals):,} wins with
no worker running (their recomputes wait), and {len(deals):,} wins while one Celery worker
(solo pool) keeps the KPI facts, coalescing delay {DELAY} s. Command:
`python3 scripts/run_bench.py deal_writes` (needs `REDIS_URL`).

| | requests | errors | per second | p50 ms | p95 ms | p99 ms | goal |
|---|---|---|---|---|---|---|---|
{row("floor: `GET` of a deal", floor)}
{row("deal wins, no worker running", alone)}
{row("**deal wins, the worker keeping the facts**", result, ">= 150/s, p95 <= 150 ms, no errors")}

**Until `/api/v1/kpis/` shows each win** of the last load (read every {POLL * 1000:.0f} ms;
the worker ran {runs} recomputes, {busy:.1f} s of the load's {result.seconds:.1f} s and after):

| p50 s | p95 s | slowest s | the last write s | goal: delay + 1 s |
|---|---|---|---|---|
| {cuts[49]:.2f} | {cuts[94]:.2f} | {max(lags):.2f} | {lags[-1]:.2f} | {DELAY + 1} s |

The stored facts then {"equal" if equal else "DIFFER FROM"} a full recompute (a digest of
every cell compared).
""",
    )
    print(
        f"floor {floor.per_second:.0f}/s; alone {alone.per_second:.0f} wins/s; "
        f"with the worker {result.per_second:.0f} wins/s, p95 {result.p95_ms:.1f} ms, "
        f"errors {floor.errors + alone.errors + result.errors}; lag p95 {cuts[94]:.2f} s, "
        f"last {lags[-1]:.2f} s; {runs} recomputes, {busy:.1f} s"
    )
    if not equal:
        sys.exit("the incremental facts differ from a full recompute")


if __name__ == "__main__":
    main()
