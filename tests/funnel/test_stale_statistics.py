"""Learning and the KPI recompute right after a bulk write the planner has not seen: tens of
thousands of rows inserted in SQL over statistics that say the CRM is nearly empty (as in a
new test database, or before autovacuum's pass after an import). The statements must not
depend on the row estimate; a low statement_timeout makes a bad plan fail instead of hang."""

from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import pairwise

import pytest
from django.db import connection

from crm.journal import mark_everything
from crm.models import Channel, Deal, Lead, LeadStageChange
from funnel.assumptions import ALL, learn
from kpis.models import KpiFact
from kpis.recompute import kpis_recompute_changed, kpis_recompute_full

pytestmark = pytest.mark.django_db

LEADS = 20_000
FUNNEL = ["lead", "mql", "sql", "opportunity", "customer"]
TABLES = ["crm_lead", "crm_leadstagechange", "crm_deal", "crm_activity"]
START, END = date(2025, 1, 1), date(2026, 1, 1)

# Lead g enters 2025 on day g % 365 and goes as far as stage g % 5 (spread a little), one
# stage every 9 days; customers have a won deal, half of the mql leads a call.
BULK_HISTORY = """
INSERT INTO crm_lead (organization_id, external_id, name, email, phone, title, country, city,
                      created_at, stage, stage_changed_at, updated_at, channel_id)
SELECT %(org)s, '', 'Lead ' || g, '', '', '', '', '',
       timestamptz '2025-01-01 09:00Z' + (g %% 365) * interval '1 day',
       (%(funnel)s::text[])[(g * 7919 %% 5) + 1],
       timestamptz '2025-01-01 09:00Z', now(), (%(channels)s::bigint[])[g %% 4 + 1]
FROM generate_series(1, %(leads)s) g;

INSERT INTO crm_leadstagechange (organization_id, lead_id, from_stage, to_stage, at, source)
SELECT %(org)s, l.id, COALESCE((%(funnel)s::text[])[k], ''), (%(funnel)s::text[])[k + 1],
       l.created_at + k * interval '9 days', 'import'
FROM crm_lead l
JOIN LATERAL generate_series(0, array_position(%(funnel)s::text[], l.stage::text) - 1) k ON true
WHERE l.organization_id = %(org)s;

INSERT INTO crm_deal (organization_id, external_id, name, product, amount, currency, status,
                      pipeline_stage, created_at, closed_at, lost_reason, kind, updated_at, lead_id)
SELECT %(org)s, '', '', '', 1000 + c.lead_id %% 97, 'EUR', 'won', 'closed', c.at, c.at, '',
       'new', now(), c.lead_id
FROM crm_leadstagechange c WHERE c.organization_id = %(org)s AND c.to_stage = 'customer';

INSERT INTO crm_activity (organization_id, external_id, kind, at, outcome, notes, lead_id)
SELECT %(org)s, '', 'call', c.at + interval '3 hours', '', '', c.lead_id
FROM crm_leadstagechange c
WHERE c.organization_id = %(org)s AND c.to_stage = 'mql' AND c.lead_id %% 2 = 0;
"""


@pytest.fixture
def bulk_history_unseen(org):
    """Statistics that say the CRM is empty, then a bulk insert no ANALYZE has seen, and a
    statement timeout for the rest of the test. The history is written, deleted and
    analysed first: the tables keep their pages, so the planner scales "no rows per page"
    to the new rows and estimates one, as after any big write it has not seen. (Analysed
    while new, with no pages, it would guess from the pages instead, better by chance.)"""
    channels = list(Channel.objects.for_org(org).order_by("pk").values_list("pk", flat=True)[:4])
    history = {"org": org.pk, "funnel": FUNNEL, "channels": channels, "leads": LEADS}
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")
        cursor.execute(BULK_HISTORY, history)
        for table in reversed(TABLES):
            delete = f"DELETE FROM {table} WHERE organization_id = %s"  # noqa: S608 - our names
            cursor.execute(delete, [org.pk])
        # The deletes' foreign-key checks now, while they are cheap, not at the test's end.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for table in TABLES:
            cursor.execute(f"ANALYZE {table}")
        cursor.execute(BULK_HISTORY, history)
        cursor.execute("SET LOCAL statement_timeout = '5s'")  # a bad plan: hours
    return org


def month_of(moment: datetime) -> date:
    return date(moment.year, moment.month, 1)


def expected_conversion(org) -> dict[str, tuple[int, int]]:
    """Per stage pair, over every channel: (leads that entered the stage in the window,
    those of them that later reached a further stage), straight from the rows."""
    entries: dict[int, dict[int, list[datetime]]] = defaultdict(lambda: defaultdict(list))
    for lead_id, stage, at in LeadStageChange.objects.for_org(org).values_list(
        "lead_id", "to_stage", "at"
    ):
        entries[lead_id][FUNNEL.index(stage)].append(at)
    window = (datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC))
    counts: dict[str, list[int]] = {f"{a}->{b}": [0, 0] for a, b in pairwise(FUNNEL)}
    for positions in entries.values():
        for position in range(len(FUNNEL) - 1):
            inside = [at for at in positions.get(position, []) if window[0] <= at < window[1]]
            if not inside:
                continue
            entered = min(inside)
            pair = counts[f"{FUNNEL[position]}->{FUNNEL[position + 1]}"]
            pair[0] += 1
            later = [at for p, ats in positions.items() if p > position for at in ats]
            pair[1] += any(at >= entered for at in later)
    return {pair: (n, reached) for pair, (n, reached) in counts.items()}


def test_learning_right_after_a_bulk_insert_is_right(bulk_history_unseen):
    org = bulk_history_unseen

    learned = learn(organization=org, start=START, end=END)

    found = {pair: (f[ALL].sample, f[ALL].value) for pair, f in learned.conversion.items()}
    expected = {
        pair: (n, (Decimal(reached) / Decimal(n)).quantize(Decimal("0.0001")))
        for pair, (n, reached) in expected_conversion(org).items()
    }
    assert found == expected
    assert sum(n for n, _ in found.values()) > LEADS  # the whole history, not a sample


def test_recomputing_right_after_a_bulk_insert_is_right(bulk_history_unseen):
    org = bulk_history_unseen
    leads: dict[date, int] = defaultdict(int)
    for created_at in Lead.objects.for_org(org).values_list("created_at", flat=True):
        leads[month_of(created_at)] += 1
    revenue: dict[date, Decimal] = defaultdict(Decimal)
    for closed_at, amount in Deal.objects.for_org(org).values_list("closed_at", "amount"):
        revenue[month_of(closed_at)] += amount

    kpis_recompute_full(organization_id=org.pk)
    mark_everything(org.pk)  # and the incremental statement, over every cell
    kpis_recompute_changed(organization_id=org.pk)

    facts = KpiFact.objects.for_org(org)
    by_month: dict[date, list] = defaultdict(lambda: [0, Decimal(0)])
    for month, n, won in facts.values_list("month", "leads", "won_revenue"):
        by_month[month][0] += n
        by_month[month][1] += won
    assert {m: v[0] for m, v in by_month.items() if v[0]} == dict(leads)
    assert {m: v[1] for m, v in by_month.items() if v[1]} == dict(revenue)
    assert kpis_recompute_full(organization_id=org.pk, check=True) == 0
