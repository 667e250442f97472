"""The persona facts: CRM rows and the leads' stored fits, for the same window of months and
set of channels as the KPI facts' (kpis.sql), in the same statement: the MQLs are read from
its hand-offs (each mover's first entries were looked up again, a third of a recompute).

A cell's key is (month, channel, campaign, persona) of the lead (of the deal's lead, for
deals); 0 stands for "none" inside the statement, as in kpis.sql. A lead's persona is the
approved persona it fits now (personas_leadfit, `fits`), or none. Its MQL month is when it
first reached the hand-off stage or, skipping it, a later stage of the funnel, as the KPI
facts count reaching a stage.
"""

from __future__ import annotations

from kpis.sql import MONTH, in_channels, insert_facts_and, with_facts_ctes

PERSONA_FACT_COLUMNS = [
    "organization_id",
    "month",
    "channel_id",
    "campaign_id",
    "persona_id",
    "leads",
    "mqls",
    "won_deals",
    "lost_deals",
    "won_revenue",
]

_FIT = (
    "LEFT JOIN personas_leadfit f ON f.lead_id = {lead} AND f.organization_id = %(org)s AND f.fits"
)
_KEY = "COALESCE(l.channel_id, 0) AS ch, COALESCE(l.campaign_id, 0) AS cp, COALESCE(f.persona_id, 0) AS pe"

_CTES = f"""
p_leads AS (
    -- the KPI facts' counts of leads (kpis.sql), by persona
    SELECT month, ch, cp, pe, sum(leads)::bigint AS leads FROM lead_counts GROUP BY 1, 2, 3, 4
), p_mqls AS (
    -- the KPI facts' hand-offs (kpis.sql): a lead reaches the hand-off stage the first
    -- time it enters it or a later stage of the funnel; the hand-offs are the leads of the
    -- channels asked for that reached it in the window, each with its channel and campaign
    SELECT {MONTH.format("j.at")} AS month, COALESCE(j.channel_id, 0) AS ch,
           COALESCE(j.campaign_id, 0) AS cp, COALESCE(f.persona_id, 0) AS pe, count(*) AS mqls
    FROM handoffs j {_FIT.format(lead="j.lead_id")}
    GROUP BY 1, 2, 3, 4
), p_deals AS (
    SELECT {MONTH.format("d.closed_at")} AS month, {_KEY},
           count(*) FILTER (WHERE d.status = 'won') AS won_deals,
           count(*) FILTER (WHERE d.status = 'lost') AS lost_deals,
           COALESCE(sum(d.amount) FILTER (WHERE d.status = 'won'), 0) AS won_revenue
    FROM crm_deal d LEFT JOIN crm_lead l ON l.id = d.lead_id AND l.organization_id = %(org)s
    {_FIT.format(lead="d.lead_id")}
    WHERE d.organization_id = %(org)s AND d.status IN ('won', 'lost')
      AND d.closed_at >= %(start)s AND d.closed_at < %(end)s AND {in_channels("l.channel_id")}
    GROUP BY 1, 2, 3, 4
)"""

_SELECT = """
SELECT %(org)s::bigint AS organization_id, month, NULLIF(ch, 0) AS channel_id,
       NULLIF(cp, 0) AS campaign_id, NULLIF(pe, 0) AS persona_id, COALESCE(leads, 0) AS leads,
       COALESCE(mqls, 0) AS mqls, COALESCE(won_deals, 0) AS won_deals,
       COALESCE(lost_deals, 0) AS lost_deals, COALESCE(won_revenue, 0) AS won_revenue
FROM p_leads FULL JOIN p_mqls USING (month, ch, cp, pe) FULL JOIN p_deals USING (month, ch, cp, pe)
"""
_INSERT = f"INSERT INTO kpis_personafact ({', '.join(PERSONA_FACT_COLUMNS)}) {_SELECT}"

# The KPI facts and the persona facts of some cells, or of every cell, in one statement.
INSERT_FACTS_AND_PERSONA_FACTS = insert_facts_and(_CTES, _INSERT, every=False)
INSERT_ALL_FACTS_AND_PERSONA_FACTS = insert_facts_and(_CTES, _INSERT, every=True)
# Every persona fact, written nowhere: the nightly check's (kpis.recompute._compare).
PERSONA_SELECT_ALL = with_facts_ctes(_CTES, _SELECT, every=True)
DELETE_PERSONA_FACTS = f"""
DELETE FROM kpis_personafact WHERE organization_id = %(org)s
  AND month >= {MONTH.format("%(start)s")} AND month < {MONTH.format("%(end)s")}
  AND {in_channels("channel_id")}
"""
