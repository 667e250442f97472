"""A year of hand-offs written straight in SQL, for the SLA compliance benchmark.

An organisation gets `leads` leads created over one year (in its time zone), a fifth of them
handed over to sales (a stage change to 'mql'): most once, one in forty of those twice
(recycled in between, handed over again one to five months later). Each hand-off gets no
touch (one in ten), or one to three calls, e-mails and meetings, the first a minute to five
days after it (log-uniform: most within hours, some over nights and weekends); three in ten
get a note as well, and one in twenty a call before it (neither counts as a first touch).
Most hand-offs leave the stage within twelve days (on to 'sql', or 'recycled',
'disqualified'); one in ten is decided in the acceptance queue (sla_decision), and a tenth
of those accepted win a deal. Every lead has its creation ('lead') in its history, and the
rest of the leads a marketing e-mail in one case in ten. Deterministic (setseed).
"""

from __future__ import annotations

from bench.crm_data import psql

GENERATE = r"""
BEGIN;
SELECT setseed(:seed);

-- Each lead: when it came and, for the first :handed, when it was handed over (the first
-- :twice of them in the first half of the year, to be handed over again later).
CREATE TEMP TABLE sla_leads AS
SELECT g, h1, CASE WHEN g <= :twice THEN h1 + (30 + random() * 120) * interval '1 day' END AS h2,
       CASE WHEN h1 IS NULL THEN :'start'::timestamptz + random() * (:'end'::timestamptz - :'start'::timestamptz)
            ELSE h1 - random() * interval '30 days' END AS created_at
FROM (SELECT g, CASE WHEN g <= :handed THEN :'start'::timestamptz + random()
                     * CASE WHEN g <= :twice THEN 0.5 ELSE 1 END
                     * (:'end'::timestamptz - :'start'::timestamptz) END AS h1
      FROM generate_series(1, :leads) g) x;

-- Every hand-off, with what followed it: the next hand-off's instant (its touches stop
-- there), how many touches (0 to 3) and the first one's delay, where the lead went next.
CREATE TEMP TABLE sla_handoffs AS
SELECT g, nth, at, next_at, touches, delay, exit_to,
       CASE WHEN next_at IS NOT NULL THEN at + (1 + random() * 9) * interval '1 day'
            WHEN exit_to IS NOT NULL THEN at + random() * random() * interval '12 days' END AS exit_at
FROM (SELECT h.*, CASE WHEN random() < 0.1 THEN 0 ELSE 1 + floor(random() * 3)::int END AS touches,
             60 * exp(random() * ln(7200)) * interval '1 second' AS delay,
             CASE WHEN h.next_at IS NOT NULL THEN 'recycled' WHEN r < 0.45 THEN 'sql'
                  WHEN r < 0.65 THEN 'recycled' WHEN r < 0.85 THEN 'disqualified' END AS exit_to
      FROM (SELECT *, random() AS r
            FROM (SELECT g, 1 AS nth, h1 AS at, h2 AS next_at FROM sla_leads WHERE h1 IS NOT NULL
                  UNION ALL SELECT g, 2, h2, NULL FROM sla_leads WHERE h2 IS NOT NULL) u) h) x;

CREATE TEMP TABLE sla_channels AS
SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM crm_channel WHERE organization_id = :org;

INSERT INTO crm_lead (organization_id, external_id, name, email, phone, title, country, city,
                      created_at, stage, stage_changed_at, updated_at, channel_id, owner_id)
SELECT :org, 'SL' || l.g, 'Lead ' || l.g, 'sla' || l.g || '@bench.test', '', '', 'IT', '',
       l.created_at, COALESCE(last.exit_to, CASE WHEN l.h1 IS NOT NULL THEN 'mql' ELSE 'lead' END),
       COALESCE(last.exit_at, l.h2, l.h1, l.created_at), l.created_at,
       c.id,
       CASE WHEN l.h1 IS NOT NULL THEN (:'owners'::bigint[])[1 + l.g % cardinality(:'owners'::bigint[])] END
FROM sla_leads l
JOIN sla_channels c ON c.n = l.g % (SELECT count(*) FROM sla_channels)
LEFT JOIN sla_handoffs last ON last.g = l.g AND last.next_at IS NULL;

CREATE TEMP TABLE sla_ids AS
SELECT substr(external_id, 3)::int AS g, id FROM crm_lead WHERE organization_id = :org;
CREATE UNIQUE INDEX ON sla_ids (g);

INSERT INTO crm_leadstagechange (organization_id, lead_id, from_stage, to_stage, at, source)
SELECT :org, i.id, from_stage, to_stage, at, 'import'
FROM (SELECT g, '' AS from_stage, 'lead' AS to_stage, created_at AS at FROM sla_leads
      UNION ALL SELECT g, CASE nth WHEN 2 THEN 'recycled' ELSE 'lead' END, 'mql', at
                FROM sla_handoffs
      UNION ALL SELECT g, 'mql', exit_to, exit_at FROM sla_handoffs WHERE exit_to IS NOT NULL) c
JOIN sla_ids i USING (g);

-- Touches: the first `delay` after the hand-off, the others hours to days apart.
INSERT INTO crm_activity (organization_id, external_id, kind, at, outcome, notes, lead_id)
SELECT :org, '', CASE WHEN r < 0.5 THEN 'call' WHEN r < 0.85 THEN 'email' ELSE 'meeting' END,
       at, '', '', id
FROM (SELECT i.id, h.at + h.delay + (k - 1) * random() * interval '2 days' AS at, random() AS r
      FROM sla_handoffs h JOIN sla_ids i USING (g), generate_series(1, h.touches) k) t;

-- Notes (never a touch), calls before the hand-off, marketing's e-mails to the others.
INSERT INTO crm_activity (organization_id, external_id, kind, at, outcome, notes, lead_id)
SELECT :org, '', 'note', h.at + random() * interval '1 day', '', '', i.id
FROM sla_handoffs h JOIN sla_ids i USING (g) WHERE random() < 0.3
UNION ALL
SELECT :org, '', 'call', h.at - random() * interval '5 days', '', '', i.id
FROM sla_handoffs h JOIN sla_ids i USING (g) WHERE h.next_at IS NULL AND random() < 0.05
UNION ALL
SELECT :org, '', 'email', l.created_at + random() * interval '10 days', '', '', i.id
FROM sla_leads l JOIN sla_ids i USING (g) WHERE l.h1 IS NULL AND random() < 0.1;

-- One hand-off in ten decided in the queue, as the queue records it.
INSERT INTO sla_decision (organization_id, lead_id, handoff_at, outcome, reason, note, at)
SELECT :org, i.id, h.at, CASE WHEN h.exit_to = 'sql' THEN 'accepted' ELSE 'rejected' END,
       CASE WHEN h.exit_to = 'sql' THEN '' ELSE 'no_budget' END, '', h.exit_at
FROM sla_handoffs h JOIN sla_ids i USING (g) WHERE h.exit_to IS NOT NULL AND random() < 0.1;

-- A tenth of the leads accepted win a deal a month later.
INSERT INTO crm_deal (organization_id, external_id, name, product, amount, currency, status,
                      pipeline_stage, created_at, closed_at, lost_reason, kind, updated_at,
                      lead_id)
SELECT :org, '', '', '', 5000, 'EUR', 'won', 'closed', h.exit_at,
       h.exit_at + interval '30 days', '', 'new', h.exit_at, i.id
FROM sla_handoffs h JOIN sla_ids i USING (g) WHERE h.exit_to = 'sql' AND random() < 0.1;
COMMIT;
"""

AFTER_LOAD = """
VACUUM ANALYZE crm_lead, crm_leadstagechange, crm_activity, crm_deal, sla_decision;
"""
# Between the benchmark's rounds: the hand-offs rewritten leave dead rows behind.
VACUUM = "VACUUM ANALYZE sla_handoff, sla_breach, sla_scorecard;"


def generate(
    database_url: str, *, org: int, leads: int, start: str, end: str, owners: list[int],
    seed: float,
) -> None:  # fmt: skip
    """Write the organisation's leads, history, touches, decisions and deals (see the module
    docstring); `start` and `end` bound the year, as timestamptz literals."""
    handed = leads // 5 * 39 // 40  # hand-off rows: handed + twice = leads // 5
    psql(
        database_url, GENERATE, org=org, leads=leads, handed=handed,
        twice=leads // 5 - handed, start=start, end=end, seed=seed,
        owners="{" + ",".join(map(str, owners)) + "}",
    )  # fmt: skip
