"""A large CRM history written straight in SQL, for the benchmarks of learning and KPIs.

1,000,000 leads (BENCH_LEADS) over 34 months (by default) in 12 channels and 120 campaigns, each with
its stage history (lead -> mql -> sql -> opportunity -> customer, fewer at every step), a
first call after most hand-offs, and 200,000 deals (a fifth of the leads): won deals of
customers, lost and open ones of opportunities, and later orders of the same companies
(repeat and reactivation, with the kind the CRM would give them). Deterministic
(setseed), and generated once per database: a second run finds it and returns at once.
"""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date

from bench.harness import manage

ORG = "bench-crm"
FIRST = date(2024, 1, 1)
EXTRA_CHANNELS = ["webinar", "partner", "display"]  # with the nine defaults: 12 channels

GENERATE = """
SELECT setseed(0.2026);

INSERT INTO crm_channel (organization_id, code, name)
SELECT :org, code, initcap(code) FROM unnest(:'extra_channels'::text[]) code
ON CONFLICT DO NOTHING;

CREATE TEMP TABLE bench_channels AS
SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM crm_channel WHERE organization_id = :org;

INSERT INTO crm_campaign (organization_id, external_id, name, channel_id, start_date, end_date,
                          budget, actual_cost, status)
SELECT :org, 'BC' || g, 'Campaign ' || g, (SELECT id FROM bench_channels WHERE n = g % 12),
       :'first'::date + g * (:days - 60) / 120, :'first'::date + g * (:days - 60) / 120 + 60,
       30000, 5000 + floor(random() * 20000), 'completed'
FROM generate_series(0, 119) g;

CREATE TEMP TABLE bench_campaigns AS
SELECT row_number() OVER (ORDER BY id) - 1 AS n, id, channel_id, start_date
FROM crm_campaign WHERE organization_id = :org;

INSERT INTO crm_company (organization_id, external_id, name, industry, country)
SELECT :org, 'BK' || g, 'Company ' || g, 'retail', 'IT' FROM generate_series(1, :leads / 20) g;

CREATE TEMP TABLE bench_companies AS
SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM crm_company WHERE organization_id = :org;

-- Each lead: when it came, from which campaign (half from none; else one running then, whose
-- channel it shares) or channel, and how far down the funnel it went.
CREATE TEMP TABLE bench_leads AS
SELECT g, (:'first' || ' 00:00+00')::timestamptz + day * interval '1 day' AS created_at,
       floor(random() * 12)::int AS ch,
       CASE WHEN rc >= 0.5 THEN LEAST(119, floor(day * 120 / (:days - 60))::int) - (rc < 0.75)::int END AS cp,
       floor(random() * (:leads / 20))::int AS co,
       CASE WHEN r < 0.60 THEN 0 WHEN r < 0.80 THEN 1 WHEN r < 0.88 THEN 2
            WHEN r < 0.928 THEN 3 ELSE 4 END AS depth
FROM (SELECT g, random() * :days AS day, random() AS r, random() AS rc
      FROM generate_series(1, :leads) g) x;

INSERT INTO crm_lead (organization_id, external_id, name, email, phone, title, country, city,
                      created_at, stage, stage_changed_at, updated_at, channel_id, campaign_id,
                      company_id)
SELECT :org, 'BL' || b.g, 'Lead ' || b.g, 'lead' || b.g || '@bench.test', '', '', 'IT', '',
       b.created_at, (ARRAY['lead', 'mql', 'sql', 'opportunity', 'customer'])[b.depth + 1],
       b.created_at + b.depth * interval '4 days', b.created_at,
       COALESCE(cp.channel_id, c.id), cp.id, CASE WHEN b.depth >= 3 THEN co.id END
FROM bench_leads b
JOIN bench_channels c ON c.n = b.ch
LEFT JOIN bench_campaigns cp ON cp.n = b.cp
JOIN bench_companies co ON co.n = b.co;

-- Stage k is entered 4k to 4k + 3 days after creation: in order, and months apart at times.
INSERT INTO crm_leadstagechange (organization_id, lead_id, from_stage, to_stage, at, source)
SELECT :org, l.id, COALESCE((ARRAY['lead', 'mql', 'sql', 'opportunity'])[k], ''),
       (ARRAY['lead', 'mql', 'sql', 'opportunity', 'customer'])[k + 1],
       l.created_at + (k * 4 + (k > 0)::int * random() * 3) * interval '1 day', 'import'
FROM crm_lead l
JOIN LATERAL generate_series(0, array_position(
    ARRAY['lead', 'mql', 'sql', 'opportunity', 'customer']::varchar[], l.stage) - 1) k ON true
WHERE l.organization_id = :org;

-- Nine hand-offs in ten get a first call, minutes to two days after.
INSERT INTO crm_activity (organization_id, external_id, kind, at, outcome, notes, lead_id)
SELECT :org, '', 'call', c.at + random() * interval '48 hours', '', '', c.lead_id
FROM crm_leadstagechange c
WHERE c.organization_id = :org AND c.to_stage = 'mql' AND random() < 0.9;

-- Deals: customers won, opportunities lost (70%) or still open.
INSERT INTO crm_deal (organization_id, external_id, name, product, amount, currency, status,
                      pipeline_stage, created_at, closed_at, lost_reason, kind, updated_at,
                      lead_id, company_id)
SELECT :org, '', '', '', round((1000 + random() * 49000)::numeric, 2), 'EUR', s.status,
       CASE s.status WHEN 'open' THEN 'proposal' ELSE 'closed' END, o.at,
       CASE s.status WHEN 'won' THEN w.at WHEN 'lost' THEN o.at + interval '20 days' END,
       '', 'new', o.at, l.id, l.company_id
FROM crm_lead l
JOIN crm_leadstagechange o ON o.lead_id = l.id AND o.to_stage = 'opportunity'
LEFT JOIN crm_leadstagechange w ON w.lead_id = l.id AND w.to_stage = 'customer'
CROSS JOIN LATERAL (SELECT CASE WHEN w.id IS NOT NULL THEN 'won'
                                WHEN random() < 0.7 THEN 'lost' ELSE 'open' END AS status) s
WHERE l.organization_id = :org;

-- Later orders of customers up to the deal count: within a year (repeat) or after (reactivation).
INSERT INTO crm_deal (organization_id, external_id, name, product, amount, currency, status,
                      pipeline_stage, created_at, closed_at, lost_reason, kind, updated_at,
                      lead_id, company_id)
SELECT :org, '', '', '', round((500 + random() * 20000)::numeric, 2), 'EUR', 'won', 'closed',
       d.closed_at + d.gap * interval '1 day', d.closed_at + (d.gap + 10) * interval '1 day', '',
       'repeat', d.closed_at, d.lead_id, d.company_id
FROM (SELECT *, row_number() OVER (ORDER BY random()) AS i
      FROM (SELECT lead_id, company_id, closed_at, 30 + floor(random() * 500)::int AS gap
            FROM crm_deal CROSS JOIN generate_series(1, 3) AS again
            WHERE organization_id = :org AND status = 'won') y
      WHERE closed_at + (gap + 10) * interval '1 day' < :'first'::date + :days) d
WHERE d.i <= :deals - (SELECT count(*) FROM crm_deal WHERE organization_id = :org);

-- The kind the CRM gives a won deal: the company's first win, or the gap since its last one.
UPDATE crm_deal d SET kind = k.kind
FROM (SELECT id, CASE WHEN prev IS NULL THEN 'new'
                      WHEN closed_at - prev <= interval '365 days' THEN 'repeat'
                      ELSE 'reactivation' END AS kind
      FROM (SELECT id, closed_at, lag(closed_at) OVER (PARTITION BY company_id ORDER BY closed_at, id) AS prev
            FROM crm_deal WHERE organization_id = :org AND status = 'won') x) k
WHERE d.id = k.id AND d.kind <> k.kind;

"""

# What autovacuum does to tables after a bulk load, done at once: this machine's PostgreSQL
# runs with autovacuum off, where a server in use has its rows' visibility recorded and
# statistics taken. Without it every index-only scan of the data read the heap as well (a
# year of 100,000 leads' KPI recompute: 0.53 s against 0.43 s). Quick when nothing changed.
SETTLE = """
VACUUM (ANALYZE) crm_lead, crm_leadstagechange, crm_deal, crm_activity, crm_campaign,
    crm_company;
"""


@dataclass(frozen=True)
class CrmData:
    organization_id: int
    leads: int
    months: int
    deals: int
    stage_changes: int
    activities: int
    generated_seconds: float | None  # None when an earlier run had made it


def psql(database_url: str, sql: str, **variables: str | int) -> str:
    command = ["psql", database_url, "-v", "ON_ERROR_STOP=1", "-qAtX"]
    for name, value in variables.items():
        command += ["-v", f"{name}={value}"]
    return subprocess.run(
        command, input=sql, check=True, capture_output=True, text=True
    ).stdout.strip()


def ensure(
    env: dict[str, str], leads: int, org_slug: str = ORG, first: date = FIRST, months: int = 34
) -> CrmData:
    """The organisation `org_slug` with `leads` leads from `first` over `months` months, and a
    fifth as many deals; made if missing."""
    url = env["DATABASE_URL"]
    manage(env, "migrate", "--noinput")
    manage(env, "create_org", org_slug, "--name", org_slug, "--admin", "bench-crm-admin",
           "--password", "bench-pass-2026")  # fmt: skip
    org = int(psql(url, f"SELECT id FROM orgs_organization WHERE slug = '{org_slug}'"))
    present = int(psql(url, f"SELECT count(*) FROM crm_lead WHERE organization_id = {org}"))
    seconds = None
    if present != leads:
        if present:
            sys.exit(f"{org_slug} has {present} leads, not {leads}: use a fresh database")
        began = time.perf_counter()
        extra = "{" + ",".join(EXTRA_CHANNELS) + "}"
        after = date(
            first.year + (first.month + months - 1) // 12, (first.month + months - 1) % 12 + 1, 1
        )
        days = (after - first).days
        psql(url, GENERATE, org=org, leads=leads, deals=leads // 5, extra_channels=extra,
             first=first.isoformat(), days=days)  # fmt: skip
        seconds = time.perf_counter() - began
    psql(url, SETTLE)
    counts = psql(
        url,
        f"SELECT (SELECT count(*) FROM crm_deal WHERE organization_id = {org}), "
        f"(SELECT count(*) FROM crm_leadstagechange WHERE organization_id = {org}), "
        f"(SELECT count(*) FROM crm_activity WHERE organization_id = {org})",
    ).split("|")
    return CrmData(org, leads, months, int(counts[0]), int(counts[1]), int(counts[2]), seconds)


def describe(data: CrmData) -> str:
    return (
        f"{data.leads:,} leads, {data.deals:,} deals, {data.stage_changes:,} stage changes, "
        f"{data.activities:,} activities in 12 channels and 120 campaigns over {data.months} months"
    )
