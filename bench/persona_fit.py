"""Benchmark: every lead of a 1,000,000-lead organisation measured against three approved
personas (`personas.fits.fits_refresh`), beside its floor.

The data (generated once per database, set-based, seeded): an organisation of BENCH_LEADS
leads, a tenth as many companies (industry, employees, annual revenue, country, typed as
people type them: case, spaces, blanks), twelve channels, job titles, and deals with
products for a fifth of the leads; and a small organisation of 2,000 leads made the same
way, with its own personas, whose stored fits no refresh of the big one may touch.

Three approved personas mix every kind a program checks: industry, country and channel
lists, employee and revenue ranges, title words and, for one, the products bought. Measured
in the same run, each RUNS times after a warm-up round (median), from a vacuumed table
after a CHECKPOINT:
  (a) the first refresh of every lead: the table empty, every row inserted;
  (b) a refresh of every lead with nothing changed: nothing written;
  (c) a refresh of every lead after a new version of the first persona is approved (widened
      to the whole of Europe, a lower threshold): the fit of most leads rewritten;
  (d) the floor: ONE hand-written UPDATE of every stored fit computing the same scores
      (FLOOR below), which must leave the stored fits exactly as the refresh wrote them
      (a checksum compared every round).
The refresh is called directly, as its task does; the task's scheduling is left out (the
bench disconnects it, so no broker or worker is involved). JIT is off for every statement,
as the refresh sets it for its own.
"""

from __future__ import annotations

import os
import re
import resource
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import django

from bench.crm_data import psql
from bench.harness import machine, manage, production_env, update_section

LEADS = int(os.environ.get("BENCH_LEADS", "1000000"))
SMALL_LEADS = 2_000
RUNS = 3
# Another size gets organisations of its own: a database keeps each size's data.
SIZE = "" if LEADS == 1_000_000 else f"-{LEADS}"
BIG, SMALL = f"bench-personas{SIZE}", f"bench-personas{SIZE}-small"
PASSWORD = "bench-pass-2026"

GENERATE = r"""
SELECT setseed(:seed);
CREATE FUNCTION pg_temp.pick(choices text[]) RETURNS text LANGUAGE sql VOLATILE
AS $$ SELECT choices[1 + floor(random() * cardinality(choices))::int] $$;

INSERT INTO crm_channel (organization_id, code, name)
SELECT :org, code, name FROM (VALUES ('webinar', 'Webinar'), ('partner', 'Partner'),
                                     ('trade_show', 'Trade  show')) v(code, name)
ON CONFLICT DO NOTHING;
CREATE TEMP TABLE bench_channels AS
SELECT row_number() OVER (ORDER BY id) AS n, id FROM crm_channel WHERE organization_id = :org;

-- Companies as people type them: case, stray and doubled spaces, blanks.
INSERT INTO crm_company (organization_id, external_id, name, industry, employees,
                         annual_revenue, country)
SELECT :org, 'PC' || g, 'Company ' || g, industry, employees,
       CASE WHEN employees IS NOT NULL AND random() < 0.9
            THEN round((employees * (40000 + random() * 260000))::numeric, 2) END,
       country
FROM (SELECT g,
             pg_temp.pick('{Software,software,SOFTWARE," Software ",SaaS,"Information Technology",'
                          'Retail,retail,"Retail Banking","retail  banking","Financial Services",'
                          'Manufacturing,Manufacturing,Healthcare,Education,Logistics,'
                          '"Public Sector",""}') AS industry,
             CASE WHEN random() >= 0.06 THEN floor(exp(random() * ln(20000)))::int END AS employees,
             pg_temp.pick('{Italy,Italy,ITALY,Germany,Germany,France,Spain,Poland,Netherlands,'
                          '"United Kingdom","united kingdom",""}') AS country
      FROM generate_series(1, GREATEST(:leads / 10, 1)) g) x;
CREATE TEMP TABLE bench_companies AS
SELECT row_number() OVER (ORDER BY id) AS n, id FROM crm_company WHERE organization_id = :org;

INSERT INTO crm_lead (organization_id, external_id, name, email, phone, title, country, city,
                      created_at, stage, stage_changed_at, updated_at, channel_id, campaign_id,
                      company_id)
SELECT :org, 'PL' || x.g, 'Lead ' || x.g, '', '', x.title, x.country, '', x.at, 'lead', x.at,
       x.at, ch.id, NULL, co.id
FROM (SELECT g, timestamptz '2024-01-01 00:00+00' + random() * interval '700 days' AS at,
             pg_temp.pick('{"Head of Marketing","head of  marketing","Marketing Manager",'
                          '"Chief Marketing Officer",CMO,"VP Marketing","Vice President, Marketing",'
                          '"Demand Generation Manager","Growth Marketer","VP Sales",'
                          '"Vice President of Sales","Sales Director","Head of Sales",'
                          '"Account Executive","Sales Development Representative",CTO,'
                          '"Chief Technology Officer","IT Manager","Software Engineer",'
                          '"Procurement Manager","Head of Procurement","Operations Manager",'
                          '"Chief Financial Officer","Office Manager",Founder,CEO,""}') AS title,
             pg_temp.pick('{Italy,Germany,France,Spain,Poland,"United Kingdom",""}') AS country,
             CASE WHEN random() >= 0.05
                  THEN 1 + floor(random() * (SELECT count(*) FROM bench_channels))::int END AS ch,
             CASE WHEN random() >= 0.15
                  THEN 1 + floor(random() * (SELECT count(*) FROM bench_companies))::int END AS co
      FROM generate_series(1, :leads) g) x
LEFT JOIN bench_channels ch ON ch.n = x.ch
LEFT JOIN bench_companies co ON co.n = x.co;

-- A fifth of the leads have one or two deals, won, lost or open, most naming a product.
INSERT INTO crm_deal (organization_id, external_id, name, product, amount, currency, status,
                      pipeline_stage, created_at, closed_at, lost_reason, kind, updated_at,
                      lead_id, company_id)
SELECT :org, '', '', product, round((1000 + random() * 49000)::numeric, 2), 'EUR', status,
       CASE status WHEN 'open' THEN 'proposal' ELSE 'closed' END, created_at + interval '20 days',
       CASE WHEN status <> 'open' THEN created_at + interval '60 days' END, '', 'new',
       created_at, id, company_id
FROM (SELECT l.id, l.company_id, l.created_at,
             pg_temp.pick('{"GTX Pro","GTX Pro","gtx  pro","GTX Basic","MG Cloud","MG On-Prem",'
                          '"Growth Suite",""}') AS product,
             pg_temp.pick('{won,lost,lost,open}') AS status
      FROM (SELECT id, company_id, created_at, 1 + floor(random() * 2)::int AS deals
            FROM crm_lead WHERE organization_id = :org AND random() < 0.2) l,
           generate_series(1, l.deals)) d;

ANALYZE crm_lead; ANALYZE crm_company; ANALYZE crm_deal; ANALYZE crm_channel;
"""


def _criterion(kind: str, weight: int, **params: Any) -> dict[str, Any]:
    return {"kind": kind, "weight": weight, "params": params}


MARKETING_TITLES = ["head of marketing", "marketing director", "CMO", "VP Marketing",
                    "vice president marketing", "chief marketing officer"]  # fmt: skip
SALES_TITLES = ["VP Sales", "vice president of sales", "sales director", "head of sales"]
IT_TITLES = ["IT manager", "CTO", "operations manager", "procurement"]
PERSONAS: list[dict[str, Any]] = [
    {
        "name": "Marketing leader, mid-size software",
        "threshold": 60,
        "criteria": [
            _criterion("industry_in", 3, values=["Software", "SaaS", "Information Technology"]),
            _criterion("employees_between", 2, min=50, max=1000),
            _criterion("title_words", 3, values=MARKETING_TITLES),
            _criterion("channel_in", 1, values=["paid_search", "organic_search", "Webinar"]),
            _criterion("country_in", 1, values=["Italy", "Germany", "France", "Spain"]),
        ],
    },
    {
        "name": "Sales leader, large retailer or bank",
        "threshold": 50,
        "criteria": [
            _criterion("industry_in", 3, values=["Retail", "Retail Banking", "Financial Services"]),
            _criterion("annual_revenue_between", 3, min="10000000", max=None),
            _criterion("title_words", 2, values=SALES_TITLES),
            _criterion("country_in", 1, values=["United Kingdom", "Germany", "Netherlands"]),
        ],
    },
    {
        "name": "IT buyer who already bought",
        "threshold": 70,
        "criteria": [
            _criterion("product_in", 4, values=["GTX Pro", "MG Cloud"]),
            _criterion("employees_between", 1, min=10, max=5000),
            _criterion("title_words", 2, values=IT_TITLES),
            _criterion("channel_in", 1, values=["referral", "email", "Partner"]),
        ],
    },
]
# The change of (c): a new version of the first persona, widened to the whole of Europe
# (its country criterion weighs 5 and lists seven countries) with a threshold of 35: most
# leads now fit it, and every lead's score for it moves.
EUROPE = ["Italy", "Germany", "France", "Spain", "Poland", "Netherlands", "United Kingdom"]
CHANGED = {
    "threshold": 35,
    "criteria": [*PERSONAS[0]["criteria"][:4], _criterion("country_in", 5, values=EUROPE)],
}

# The floor: the three personas above (as first approved) written by hand, in one UPDATE
# that rewrites every stored fit of the organisation. Each text is normalised once (trimmed,
# lower-cased, inner spaces collapsed), the products of a lead's deals checked once (the
# deals grouped by lead), titles matched as whole words; each criterion a boolean, a missing
# value missing it; the best persona: fits first, then the higher score, then the earlier.
NORM = r"lower(btrim(regexp_replace({}, '\s+', ' ', 'g')))"
FLOOR = rf"""
UPDATE personas_leadfit f
SET persona_id = CASE b.i WHEN 1 THEN %(p1)s::bigint WHEN 2 THEN %(p2)s ELSE %(p3)s END,
    version_id = CASE b.i WHEN 1 THEN %(v1)s::bigint WHEN 2 THEN %(v2)s ELSE %(v3)s END,
    score = CASE b.i WHEN 1 THEN b.s1 WHEN 2 THEN b.s2 ELSE b.s3 END,
    fits = CASE b.i WHEN 1 THEN b.s1 >= 60 WHEN 2 THEN b.s2 >= 50 ELSE b.s3 >= 70 END,
    met = CASE b.i WHEN 1 THEN b.m1 WHEN 2 THEN b.m2 ELSE b.m3 END
FROM (
    SELECT lead_id, m1, m2, m3, s1, s2, s3,
        CASE WHEN (s1 >= 60, s1) >= (s2 >= 50, s2) AND (s1 >= 60, s1) >= (s3 >= 70, s3) THEN 1
             WHEN (s2 >= 50, s2) >= (s3 >= 70, s3) THEN 2 ELSE 3 END AS i
    FROM (
        SELECT lead_id,
            a1::int | (a2::int << 1) | (a3::int << 2) | (a4::int << 3) | (a5::int << 4) AS m1,
            100 * (3 * a1::int + 2 * a2::int + 3 * a3::int + a4::int + a5::int) / 10 AS s1,
            b1::int | (b2::int << 1) | (b3::int << 2) | (b4::int << 3) AS m2,
            100 * (3 * b1::int + 3 * b2::int + 2 * b3::int + b4::int) / 9 AS s2,
            c1::int | (c2::int << 1) | (c3::int << 2) | (c4::int << 3) AS m3,
            100 * (4 * c1::int + c2::int + 2 * c3::int + c4::int) / 8 AS s3
        FROM (
            SELECT lead_id,
                COALESCE(industry IN ('software', 'saas', 'information technology'), false) AS a1,
                COALESCE(employees BETWEEN 50 AND 1000, false) AS a2,
                COALESCE(title ~ '\m(?:head\W+of\W+marketing|marketing\W+director|cmo'
                         '|vp\W+marketing|vice\W+president\W+marketing'
                         '|chief\W+marketing\W+officer)\M', false) AS a3,
                COALESCE(channel IN ('paid_search', 'organic_search', 'webinar')
                         OR channel_code IN ('paid_search', 'organic_search', 'webinar'),
                         false) AS a4,
                COALESCE(country IN ('italy', 'germany', 'france', 'spain'), false) AS a5,
                COALESCE(industry IN ('retail', 'retail banking', 'financial services'),
                         false) AS b1,
                COALESCE(annual_revenue >= 10000000, false) AS b2,
                COALESCE(title ~ '\m(?:vp\W+sales|vice\W+president\W+of\W+sales'
                         '|sales\W+director|head\W+of\W+sales)\M', false) AS b3,
                COALESCE(country IN ('united kingdom', 'germany', 'netherlands'), false) AS b4,
                COALESCE(bought, false) AS c1,
                COALESCE(employees BETWEEN 10 AND 5000, false) AS c2,
                COALESCE(title ~ '\m(?:it\W+manager|cto|operations\W+manager|procurement)\M',
                         false) AS c3,
                COALESCE(channel IN ('referral', 'email', 'partner')
                         OR channel_code IN ('referral', 'email', 'partner'), false) AS c4
            FROM (
                SELECT l.id AS lead_id, {NORM.format("c.industry")} AS industry, c.employees,
                    c.annual_revenue, lower(l.title) AS title,
                    {NORM.format("COALESCE(NULLIF(c.country, ''), l.country)")} AS country,
                    {NORM.format("ch.name")} AS channel, {NORM.format("ch.code")} AS channel_code,
                    d.bought
                FROM crm_lead l
                LEFT JOIN crm_company c ON c.id = l.company_id
                LEFT JOIN crm_channel ch ON ch.id = l.channel_id
                LEFT JOIN (
                    SELECT lead_id,
                        bool_or({NORM.format("product")} IN ('gtx pro', 'mg cloud')) AS bought
                    FROM crm_deal WHERE organization_id = %(org)s AND lead_id IS NOT NULL
                    GROUP BY lead_id
                ) d ON d.lead_id = l.id
                WHERE l.organization_id = %(org)s
                OFFSET 0  -- each text normalised once a lead, not once for each use
            ) p
            OFFSET 0  -- each criterion once a lead, not once for each use
        ) criteria
    ) scored
) b
WHERE f.lead_id = b.lead_id AND f.organization_id = %(org)s
"""

CHECKSUM = """
SELECT count(*), COALESCE(sum(hashtext(concat_ws(',', lead_id, persona_id, version_id, score,
                                                 fits, met))::bigint), 0)
FROM personas_leadfit WHERE organization_id = %s
"""


@dataclass
class Org:
    slug: str
    id: int
    leads: int
    companies: int
    deals: int
    deal_leads: int
    generated_seconds: float | None


def ensure_org(env: dict[str, str], slug: str, leads: int, seed: float) -> Org:
    """The organisation `slug` with `leads` generated leads; made if missing."""
    url = env["DATABASE_URL"]
    manage(env, "create_org", slug, "--name", slug, "--admin", f"{slug}-admin",
           "--password", PASSWORD)  # fmt: skip
    org = int(psql(url, f"SELECT id FROM orgs_organization WHERE slug = '{slug}'"))
    present = int(psql(url, f"SELECT count(*) FROM crm_lead WHERE organization_id = {org}"))
    seconds = None
    if present != leads:
        if present:
            sys.exit(f"{slug} has {present} leads, not {leads}: use a fresh database")
        began = time.perf_counter()
        psql(url, GENERATE, org=org, leads=leads, seed=seed)
        seconds = time.perf_counter() - began
    companies, deals, deal_leads = psql(
        url,
        f"SELECT (SELECT count(*) FROM crm_company WHERE organization_id = {org}),"
        f" count(*), count(DISTINCT lead_id) FROM crm_deal WHERE organization_id = {org}",
    ).split("|")
    return Org(slug, org, leads, int(companies), int(deals), int(deal_leads), seconds)


@dataclass
class Figures:
    seconds: dict[str, list[float]] = field(default_factory=dict)
    changed: dict[str, list[int]] = field(default_factory=dict)
    explain: dict[str, str] = field(default_factory=dict)

    def add(self, what: str, seconds: float, changed: int) -> None:
        self.seconds.setdefault(what, []).append(seconds)
        self.changed.setdefault(what, []).append(changed)

    def median(self, what: str) -> float:
        return statistics.median(self.seconds[what])


def main() -> None:
    env = production_env(DATABASE_URL=os.environ["DATABASE_URL"])
    manage(env, "migrate", "--noinput")
    big = ensure_org(env, BIG, LEADS, seed=0.15)
    small = ensure_org(env, SMALL, SMALL_LEADS, seed=0.16)
    os.environ.update(env)
    django.setup()
    from django.conf import settings
    from django.db import connection, transaction

    from crm.journal import leads_changed, mark_every_lead
    from crm.selectors import lead_profiles_sql
    from orgs.models import Membership, Organization, Role, User
    from orgs.services import membership_add, user_create
    from personas.fits import fits_refresh
    from personas.fitting import fit_statement, uses_products
    from personas.models import Persona
    from personas.selectors import approved_measures
    from personas.services import persona_approve, persona_create, persona_update
    from smarketing.lib.statement_timeout import limit_statements_of_this_process

    # As in a worker: the refresh is a task's work, and so bounded by a task's limit.
    limit_statements_of_this_process(settings.DB_TASK_STATEMENT_TIMEOUT_MS)

    # The bench refreshes by itself: no task is scheduled for the marks it makes.
    leads_changed.disconnect(dispatch_uid="personas-schedule-fits")

    def sql(statement: str, params: Any = None) -> Any:
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchall() if cursor.description else cursor.rowcount

    def members(org: Organization) -> tuple[Membership, Membership]:
        found = []
        for role in (Role.MARKETING_MANAGER, Role.SALES_MANAGER):
            username = f"{org.slug}-{role}"
            user = User.objects.filter(username=username).first() or user_create(
                username=username, password=PASSWORD
            )
            found.append(
                Membership.objects.filter(organization=org, user=user).first()
                or membership_add(organization=org, user=user, role=role)
            )
        return found[0], found[1]

    def approve(persona: Persona, marketing: Membership, sales: Membership) -> None:
        persona_approve(persona=persona, membership=marketing, side="marketing")
        persona_approve(persona=persona, membership=sales, side="sales")

    def personas_anew(org_id: int) -> tuple[list[Persona], Membership, Membership]:
        """The three personas, approved, in place of any an earlier run left."""
        org = Organization.objects.get(pk=org_id)
        sql("DELETE FROM personas_leadfit WHERE organization_id = %s", [org_id])
        Persona.objects.filter(organization=org).delete()
        marketing, sales = members(org)
        made = []
        for p in PERSONAS:
            persona = persona_create(organization=org, by=marketing.user, **p)
            approve(persona, marketing, sales)
            made.append(persona)
        return made, marketing, sales

    def settle() -> None:
        """Every measurement starts alike: dead rows vacuumed, a checkpoint just taken."""
        sql("VACUUM personas_leadfit")
        sql("CHECKPOINT")

    def timed(what: str, run: Callable[[], int]) -> None:
        settle()
        began = time.perf_counter()
        changed = run()
        seconds = time.perf_counter() - began
        if not warming:
            figures.add(what, seconds, changed)
        print(f"{what}: {seconds:.2f} s, {changed:,} rows", flush=True)

    def refresh() -> int:
        return fits_refresh(organization_id=big.id).changed

    def every_lead_marked_refresh() -> int:
        mark_every_lead(big.id)
        return refresh()

    def floor() -> int:
        p, v = versions()
        return sql(FLOOR, {"org": big.id, "p1": p[0], "p2": p[1], "p3": p[2],
                           "v1": v[0], "v2": v[1], "v3": v[2]})  # fmt: skip

    def versions() -> tuple[list[int], list[int]]:
        measures = approved_measures(big.id)
        return [m.persona_id for m in measures], [m.version_id for m in measures]

    def change_first_persona(to: dict[str, Any]) -> None:
        persona_update(persona=personas[0], by=marketing.user, **to)
        approve(personas[0], marketing, sales)

    sql("SET jit = off")  # as the refresh runs (personas/fits.py), the floor too
    figures = Figures()
    warming = True
    personas_anew(small.id)
    fits_refresh(organization_id=small.id)  # the small organisation's fits, once
    small_checksum = sql(CHECKSUM, [small.id])[0]
    personas, marketing, sales = personas_anew(big.id)
    first = {"threshold": PERSONAS[0]["threshold"], "criteria": PERSONAS[0]["criteria"]}
    for round_ in range(RUNS + 1):  # the first round warms the caches and is not counted
        warming = round_ == 0
        sql("DELETE FROM personas_leadfit WHERE organization_id = %s", [big.id])
        mark_every_lead(big.id)
        timed("first", refresh)
        refreshed = sql(CHECKSUM, [big.id])[0]
        timed("unchanged", every_lead_marked_refresh)
        timed("floor", floor)
        assert sql(CHECKSUM, [big.id])[0] == refreshed, "the floor's fits differ from the refresh's"
        for to in (CHANGED, first):  # each change rewrites most fits
            change_first_persona(to)
            timed("changed", refresh)
    assert sql(CHECKSUM, [small.id])[0] == small_checksum, "the small organisation's fits moved"

    # The small organisation's full refresh: only its own leads are read.
    for round_ in range(RUNS + 1):
        mark_every_lead(small.id)
        sql("DELETE FROM personas_leadfit WHERE organization_id = %s", [small.id])
        began = time.perf_counter()
        small_changed = fits_refresh(organization_id=small.id).changed
        if round_:
            figures.add("small", time.perf_counter() - began, small_changed)

    # The plans, for the reading: each statement under EXPLAIN (ANALYZE, BUFFERS, WAL), its
    # foreign keys checked in the statement (SET CONSTRAINTS ALL IMMEDIATE), rolled back.
    def explain(what: str, statement: str, params: dict[str, Any]) -> None:
        with transaction.atomic():
            sql("SET CONSTRAINTS ALL IMMEDIATE")
            rows = sql(f"EXPLAIN (ANALYZE, BUFFERS, WAL) {statement}", params)
            transaction.set_rollback(True)
        figures.explain[what] = "\n".join(row[0] for row in rows)
        print(f"--- EXPLAIN {what}\n{figures.explain[what]}", flush=True)

    def refresh_statement() -> tuple[str, dict[str, Any]]:
        measures = approved_measures(big.id)
        profiles = lead_profiles_sql(products=uses_products(measures), among_ids=False)
        statement, params = fit_statement(measures, profiles, count=True)
        return statement, {"org": big.id, "ids": None, **params}

    p, v = versions()
    explain("unchanged", *refresh_statement())
    explain("floor", FLOOR, {"org": big.id, "p1": p[0], "p2": p[1], "p3": p[2],
                             "v1": v[0], "v2": v[1], "v3": v[2]})  # fmt: skip
    change_first_persona(CHANGED)
    explain("changed", *refresh_statement())
    change_first_persona(first)
    sql("DELETE FROM personas_leadfit WHERE organization_id = %s", [big.id])
    settle()
    explain("first", *refresh_statement())
    mark_every_lead(big.id)
    refresh()

    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    stored = sql(CHECKSUM, [big.id])[0][0]
    update_section("persona_fit", report(figures, big, small, stored, peak_mib))
    print(f"peak memory {peak_mib:.0f} MiB; " + ", ".join(
        f"{what} {figures.median(what):.2f} s" for what in figures.seconds))  # fmt: skip


def summary(plan: str) -> str:
    """The lines of an EXPLAIN that say what the statement cost: the writing node with its
    rows, buffers and WAL, the foreign-key triggers, JIT, and the execution time."""
    keep, writing = [], False
    for line in plan.splitlines():
        node = line.strip().startswith("->")
        text = re.sub(r"\(cost=[^)]*\) ", "", line.strip()).removeprefix("->  ")
        if text.startswith(("Insert on", "Update on")):
            writing = True
            keep.append(text)
        elif node:
            writing = False
        elif writing and text.startswith(("Tuples Inserted", "Conflicting", "Buffers:", "WAL:")):
            keep.append("  " + text)
        elif text.startswith(("Trigger ", "Execution Time")):
            keep.append(text)
        elif text.startswith("Timing:"):
            keep.append("JIT " + text)
    return "\n".join(keep)


def report(f: Figures, big: Org, small: Org, stored: int, peak_mib: float) -> str:
    floor = f.median("floor")

    def row(what: str, label: str) -> str:
        changed = statistics.median(f.changed[what])
        versus = f"{f.median(what) / floor:.2f}x" if what != "small" else "-"
        return (
            f"| {label} | {f.median(what):.2f} | {max(f.seconds[what]):.2f} | "
            f"{changed:,.0f} | {versus} |"
        )

    plans = "\n\n".join(
        f"{what}:\n```\n{summary(f.explain[what])}\n```"
        for what in ("first", "unchanged", "changed", "floor")
    )
    return f"""## Persona fit of every lead

Run {date.today()} on {machine()}; PostgreSQL from DATABASE_URL on the same machine. Data: one
organisation of {big.leads:,} leads, {big.companies:,} companies (industry, employees, revenue,
country, typed with stray case and spaces), 12 channels, job titles, and {big.deals:,} deals
of {big.deal_leads:,} leads with products; three approved personas of 4 to 5 criteria each
(industry, country and channel lists, employee and revenue ranges, title words, products).
A second organisation of {small.leads:,} leads keeps its own fits through every run (checked).
Median of {RUNS} runs after a warm-up round (the changed refresh: {2 * RUNS}), each from a
vacuumed table after a `CHECKPOINT`; the refresh as its task calls it (`fits_refresh`,
commit and deferred foreign-key checks included). Command: `python3 scripts/run_bench.py persona_fit`.

| what | median s | slowest s | rows written | vs floor |
|---|---|---|---|---|
| **floor**: one hand-written `UPDATE` of every stored fit computing the same scores | {floor:.2f} | {max(f.seconds["floor"]):.2f} | {stored:,} | 1.00x |
{row("first", "(a) `fits_refresh`, every lead, first time: every fit inserted")}
{row("unchanged", "(b) `fits_refresh`, every lead marked, nothing changed")}
{row("changed", "(c) `fits_refresh` after a new version of the first persona (widened to Europe, threshold 60 -> 35)")}
{row("small", f"the small organisation's first refresh ({small.leads:,} leads)")}

Goal: (a) and (c) at most 1.5x the floor. The floor's fits equal the refresh's (a checksum of
every stored fit, compared every round). Peak memory of the process: {peak_mib:.0f} MiB.

`EXPLAIN (ANALYZE, BUFFERS, WAL)` of each statement (foreign keys checked immediately, rolled back):

{plans}
"""


if __name__ == "__main__":
    main()
