"""Benchmark: discovery (`/api/v1/personas/discovery/`) over 200,000 closed deals.

An organisation of its own with 200,000 won and lost deals (BENCH_DEALS) of 150,000 leads
in the nine default channels and 20,000 companies with an industry, a size, a revenue and a
country (some of each unknown, some deals without a company, an amount or a creation date),
written in SQL with a fixed seed once per database. Each dimension, and the pair
`industry,size_band`, is asked RUNS times after a warm-up, one request at a time, through
gunicorn (one sync worker, token auth, production settings); then the same answer is timed
in this process part by part (the database's sums per segment, the figures made of them),
beside the way it was computed before (every closed deal's row, tallied in Python), and the
two answers compared. Goal (issue 15): under a second per dimension.
"""

from __future__ import annotations

import http.client
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from functools import partial

import django

from bench.crm_data import psql
from bench.harness import gunicorn, machine, manage, production_env, update_section

ORG = "bench-discovery"
DEALS = int(os.environ.get("BENCH_DEALS", "200000"))
LEADS, COMPANIES = DEALS * 3 // 4, DEALS // 10
RUNS = 15
DIMENSIONS = ["industry", "size_band", "country", "channel", "product", "industry,size_band"]
PATH = "/api/v1/personas/discovery/?dimension={}"
GOAL_MS = 1000

# Companies: an industry (blank for one in 20, padded with spaces for one in 50), employees
# and revenue over several orders of magnitude (unknown for one in 10 and one in 8), a
# country (blank for one in 12). Leads: a channel (none for one in 20), a country (blank for
# two in three), a company (none for one in 5). Deals: a lead (none for one in 30, which then
# has a company), its lead's company or none (one in 6: the lead's then counts), won two in
# five, an amount (unknown for one in 30), created 1 to 180 days before closing (unknown for
# one in 50), closed over three years, a product (blank for one in 10).
GENERATE = """
SELECT setseed(0.1515);

INSERT INTO crm_company (organization_id, external_id, name, industry, employees, annual_revenue,
                         country)
SELECT :org, 'DC' || g, 'Company ' || g,
       CASE WHEN r1 < 0.05 THEN ''
            WHEN r1 < 0.07 THEN ' ' || (:'industries'::text[])[1 + g % 14] || ' '
            ELSE (:'industries'::text[])[1 + floor(r2 * r2 * 14)::int] END,
       CASE WHEN r3 >= 0.1 THEN floor(exp(r4 * ln(20000)))::int - 1 END,
       CASE WHEN r5 >= 0.125 THEN round(exp(8 + r6 * 14)::numeric, 2) END,
       CASE WHEN r7 < 1.0 / 12 THEN '' ELSE (:'countries'::text[])[1 + floor(r8 * r8 * 25)::int] END
FROM (SELECT g, random() r1, random() r2, random() r3, random() r4, random() r5, random() r6,
             random() r7, random() r8 FROM generate_series(1, :companies) g) x;

CREATE TEMP TABLE bench_companies AS
SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM crm_company WHERE organization_id = :org;
CREATE TEMP TABLE bench_channels AS
SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM crm_channel WHERE organization_id = :org;

INSERT INTO crm_lead (organization_id, external_id, name, email, phone, title, country, city,
                      created_at, stage, stage_changed_at, updated_at, channel_id, company_id)
SELECT :org, 'DL' || x.g, 'Lead ' || x.g, '', '', '',
       CASE WHEN x.r1 < 2.0 / 3 THEN '' ELSE (:'countries'::text[])[1 + floor(x.r2 * 25)::int] END,
       '', :'first'::timestamptz, 'customer', :'first'::timestamptz, :'first'::timestamptz,
       CASE WHEN x.r3 >= 0.05 THEN ch.id END, CASE WHEN x.r4 >= 0.2 THEN co.id END
FROM (SELECT g, random() r1, random() r2, random() r3, random() r4,
             floor(random() * 9)::int AS ch, floor(random() * :companies)::int AS co
      FROM generate_series(1, :leads) g) x
JOIN bench_channels ch ON ch.n = x.ch
JOIN bench_companies co ON co.n = x.co;

CREATE TEMP TABLE bench_leads AS
SELECT row_number() OVER (ORDER BY id) - 1 AS n, id, company_id FROM crm_lead
WHERE organization_id = :org;

INSERT INTO crm_deal (organization_id, external_id, name, product, amount, currency, status,
                      pipeline_stage, created_at, closed_at, lost_reason, kind, updated_at,
                      lead_id, company_id)
SELECT :org, '', '', CASE WHEN x.r1 < 0.1 THEN '' ELSE (:'products'::text[])[1 + floor(x.r2 * 6)::int] END,
       CASE WHEN x.r3 >= 1.0 / 30 THEN round((500 + x.r4 * x.r4 * 80000)::numeric, 2) END,
       'EUR', CASE WHEN x.r5 < 0.4 THEN 'won' ELSE 'lost' END, 'closed',
       CASE WHEN x.r6 >= 0.02 THEN x.closed_at - (1 + x.r7 * 179) * interval '1 day' END,
       x.closed_at, '', 'new', x.closed_at,
       CASE WHEN x.r8 >= 1.0 / 30 THEN l.id END,
       CASE WHEN x.r8 < 1.0 / 30 THEN co.id WHEN x.r9 >= 1.0 / 6 THEN l.company_id END
FROM (SELECT g, random() r1, random() r2, random() r3, random() r4, random() r5, random() r6,
             random() r7, random() r8, random() r9,
             :'first'::timestamptz + random() * interval '1095 days' AS closed_at,
             floor(random() * :leads)::int AS l, floor(random() * :companies)::int AS co
      FROM generate_series(1, :deals) g) x
JOIN bench_leads l ON l.n = x.l
JOIN bench_companies co ON co.n = x.co;

ANALYZE crm_company; ANALYZE crm_lead; ANALYZE crm_deal;
"""
INDUSTRIES = [
    "Software", "Retail", "Manufacturing", "Healthcare", "Finance", "Education", "Logistics",
    "Energy", "Media", "Telecom", "Construction", "Hospitality", "Agriculture", "Public sector",
]  # fmt: skip
COUNTRIES = [
    "Italy", "France", "Germany", "Spain", "United Kingdom", "Poland", "Netherlands", "Belgium",
    "Austria", "Switzerland", "Sweden", "Norway", "Denmark", "Finland", "Portugal", "Ireland",
    "Greece", "Czechia", "Hungary", "Romania", "United States", "Canada", "Brazil", "Japan",
    "Australia",
]  # fmt: skip
PRODUCTS = ["Starter", "Team", "Business", "Enterprise", "Add-on", "Services"]


def array(values: list[str]) -> str:
    return "{" + ",".join(f'"{value}"' for value in values) + "}"


def ensure(env: dict[str, str]) -> tuple[int, float | None]:
    """The organisation's id with its DEALS closed deals, made if missing; the seconds it took
    (None: an earlier run had made it)."""
    url = env["DATABASE_URL"]
    manage(env, "migrate", "--noinput")
    manage(env, "create_org", ORG, "--name", ORG, "--admin", "bench-crm-admin",
           "--password", "bench-pass-2026")  # fmt: skip
    org = int(psql(url, f"SELECT id FROM orgs_organization WHERE slug = '{ORG}'"))
    present = int(psql(url, f"SELECT count(*) FROM crm_deal WHERE organization_id = {org}"))
    if present == DEALS:
        return org, None
    if present:
        sys.exit(f"{ORG} has {present} deals, not {DEALS}: use a fresh database")
    began = time.perf_counter()
    psql(url, GENERATE, org=org, deals=DEALS, leads=LEADS, companies=COMPANIES,
         first="2023-06-01 00:00+00", industries=array(INDUSTRIES), countries=array(COUNTRIES),
         products=array(PRODUCTS))  # fmt: skip
    return org, time.perf_counter() - began


def cuts(samples: list[float]) -> tuple[float, float]:
    """Median and p95 of `samples`, in ms."""
    return statistics.median(samples) * 1000, statistics.quantiles(samples, n=20)[18] * 1000


def over_http(port: int, token: str, dimension: str) -> tuple[list[float], int]:
    """RUNS timings of one request at a time (after a warm-up) and the answer's size."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Authorization": f"Token {token}"}
    took, size = [], 0
    for run in range(RUNS + 1):
        began = time.perf_counter()
        conn.request("GET", PATH.format(dimension), headers=headers)
        response = conn.getresponse()
        body = response.read()
        if response.status != 200:
            sys.exit(f"{dimension}: {response.status} {body[:300]!r}")
        if run:
            took.append(time.perf_counter() - began)
        size = len(body)
    conn.close()
    return took, size


def timed(call: Callable[[], object]) -> list[float]:
    call()  # warm-up
    took = []
    for _ in range(RUNS):
        began = time.perf_counter()
        call()
        took.append(time.perf_counter() - began)
    return took


def in_process(org: int) -> dict[str, dict[str, list[float]]]:
    """Per dimension, the timings of each part of the answer: the database's sums and what
    personas.discovery makes of them (as the API answers), and the rows and their tally (as
    the API answered before issue 15's benchmark; `discover` remains). The two answers must
    be equal."""
    from crm.selectors import closed_deal_segments, closed_deals_for_discovery
    from orgs.models import Organization
    from personas.discovery import GROUPINGS, discover, discover_segments

    organization = Organization.objects.get(pk=org)
    rows = closed_deals_for_discovery(organization)
    parts = {}
    for dimension in DIMENSIONS:
        names = dimension.split(",")
        keys = [key for name in names for key in GROUPINGS[name].keys]
        sums = partial(closed_deal_segments, organization, by=keys)
        segments = sums()
        if discover_segments(segments, names) != discover(rows, names):
            sys.exit(f"{dimension}: the sums' answer differs from the rows'")
        parts[dimension] = {
            "sums": timed(sums),
            "figures": timed(partial(discover_segments, segments, names)),
            "tally": timed(partial(discover, rows, names)),
        }
        print(
            dimension, {part: f"{cuts(took)[0]:.0f} ms" for part, took in parts[dimension].items()}
        )
    parts["rows"] = {"rows": timed(partial(closed_deals_for_discovery, organization))}
    return parts


def main() -> None:
    env = production_env(DATABASE_URL=os.environ["DATABASE_URL"])
    org, generated = ensure(env)
    url = env["DATABASE_URL"]
    won, companies, leads, all_leads, all_deals = psql(
        url,
        f"SELECT count(*) FILTER (WHERE status = 'won'), "
        f"(SELECT count(*) FROM crm_company WHERE organization_id = {org}), "
        f"(SELECT count(*) FROM crm_lead WHERE organization_id = {org}), "
        f"(SELECT count(*) FROM crm_lead), (SELECT count(*) FROM crm_deal) "
        f"FROM crm_deal WHERE organization_id = {org}",
    ).split("|")
    token = manage(env, "create_api_token", "bench-crm-admin", "--org", ORG, "--name", "discovery")
    token = token.strip().splitlines()[-1]
    http_timings = {}
    with gunicorn(1, env) as port:
        for dimension in DIMENSIONS:
            http_timings[dimension] = over_http(port, token, dimension)
            median, p95 = cuts(http_timings[dimension][0])
            print(f"{dimension}: {median:.0f} ms median, {p95:.0f} ms p95")
    os.environ.update(env)
    django.setup()
    parts = in_process(org)
    rows = []
    for dimension in DIMENSIONS:
        (took, size), part = http_timings[dimension], parts[dimension]
        median, p95 = cuts(took)
        rows.append(
            f"| `{dimension}` | **{median:.0f}** | {p95:.0f} | {size:,} | "
            f"{cuts(part['sums'])[0]:.0f} | {cuts(part['figures'])[0]:.1f} | "
            f"{cuts(part['tally'])[0]:.0f} |"
        )
    made = f", generated in SQL in {generated:.1f} s" if generated is not None else ""
    update_section(
        "discovery",
        f"""## Discovery over 200,000 closed deals

Run {date.today()} on {machine()}; PostgreSQL on the same machine. Data: an organisation
with {DEALS:,} closed deals ({int(won):,} won) of {int(leads):,} leads in 9 channels and
{int(companies):,} companies (`bench/discovery.py`{made}); with the other benchmarks'
organisations the database held {int(all_leads):,} leads and {int(all_deals):,} deals. Each request:
`{PATH.format("DIMENSION")}` over the whole history, {RUNS} times one at a time after a
warm-up, through gunicorn (1 sync worker, token auth). Then the parts, in one process, median
of {RUNS} each: the database's sums per segment (`crm.selectors.closed_deal_segments`, one
query) and the figures made of them (`personas.discovery.discover_segments`), as the API
answers; beside them, the way it answered before: the closed deals' rows
(`crm.selectors.closed_deals_for_discovery`: **{cuts(parts["rows"]["rows"])[0]:.0f} ms** for
every dimension) and their tally in Python (`personas.discovery.discover`). Both answers are
equal for every dimension (checked by the benchmark). Command:
`python3 scripts/run_bench.py discovery` (`BENCH_DEALS` sets the deal count). Goal: under
{GOAL_MS} ms a dimension.

| dimension | median ms | p95 ms | answer bytes | sums ms | figures ms | before: tally of the rows ms |
|---|---|---|---|---|---|---|
{chr(10).join(rows)}
""",
    )


if __name__ == "__main__":
    main()
