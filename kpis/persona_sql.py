"""The statement that turns CRM rows and the leads' stored fits into persona facts, for the
same window of months and set of channels as the KPI facts' (kpis.sql), run beside it.

A cell's key is (month, channel, campaign, persona) of the lead (of the deal's lead, for
deals); 0 stands for "none" inside the statement, as in kpis.sql. A lead's persona is the
approved persona it fits now (personas_leadfit, `fits`), or none. Its MQL month is when it
first reached the hand-off stage or, skipping it, a later stage of the funnel (%(past_handoff)s,
those stage codes), as the KPI facts count reaching a stage.
"""

from __future__ import annotations

from kpis.sql import MONTH, in_channels

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

_SELECT = f"""
WITH p_leads AS (
    SELECT {MONTH.format("l.created_at")} AS month, {_KEY}, count(*) AS leads
    FROM crm_lead l {_FIT.format(lead="l.id")}
    WHERE l.organization_id = %(org)s AND l.created_at >= %(start)s AND l.created_at < %(end)s
      AND {in_channels("l.channel_id")}
    GROUP BY 1, 2, 3, 4
), p_movers AS (
    -- leads that entered the hand-off stage or a later one in the window, by the index of
    -- the stage changes (organisation, stage, time); their first such entry decides
    SELECT DISTINCT c.lead_id FROM crm_leadstagechange c
    WHERE c.organization_id = %(org)s AND c.to_stage = ANY(%(past_handoff)s)
      AND c.at >= %(start)s AND c.at < %(end)s
), p_handed AS MATERIALIZED (
    -- materialised: inlined, each mover's first entry was looked up three times over
    SELECT m.lead_id, (SELECT min(c.at) FROM crm_leadstagechange c
                       WHERE c.lead_id = m.lead_id AND c.to_stage = ANY(%(past_handoff)s)) AS at
    FROM p_movers m
), p_mqls AS (
    SELECT {MONTH.format("h.at")} AS month, {_KEY}, count(*) AS mqls
    FROM p_handed h JOIN crm_lead l ON l.id = h.lead_id AND l.organization_id = %(org)s
    {_FIT.format(lead="l.id")}
    WHERE h.at >= %(start)s AND h.at < %(end)s AND {in_channels("l.channel_id")}
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
)
SELECT %(org)s::bigint, month, NULLIF(ch, 0), NULLIF(cp, 0), NULLIF(pe, 0),
       COALESCE(leads, 0), COALESCE(mqls, 0), COALESCE(won_deals, 0), COALESCE(lost_deals, 0),
       COALESCE(won_revenue, 0)
FROM p_leads FULL JOIN p_mqls USING (month, ch, cp, pe) FULL JOIN p_deals USING (month, ch, cp, pe)
"""

INSERT_PERSONA_FACTS = (
    f"INSERT INTO kpis_personafact ({', '.join(PERSONA_FACT_COLUMNS)}) " + _SELECT
)
# A full recompute: every lead's first entry past the hand-off at once, grouped over the
# organisation's stage changes (as the full KPI facts read them, by organisation). Looked
# up mover by mover, as for an incremental recompute's few, a million-lead organisation's
# 800,000 movers took 3.8 s of the statement's 4.4; grouped, the statement takes 1.9.
_HANDED = _SELECT[_SELECT.index("), p_handed AS MATERIALIZED (") : _SELECT.index("), p_mqls AS (")]
INSERT_PERSONA_FACTS_ALL = INSERT_PERSONA_FACTS.replace(
    _HANDED,
    """), p_handed AS MATERIALIZED (
    SELECT c.lead_id, min(c.at) AS at FROM crm_leadstagechange c
    WHERE c.organization_id = %(org)s AND c.to_stage = ANY(%(past_handoff)s)
    GROUP BY c.lead_id
""",
)
DELETE_PERSONA_FACTS = f"""
DELETE FROM kpis_personafact WHERE organization_id = %(org)s
  AND month >= {MONTH.format("%(start)s")} AND month < {MONTH.format("%(end)s")}
  AND {in_channels("channel_id")}
"""


def past_handoff(codes: list[str], handoff: str | None) -> list[str]:
    """The funnel's stage codes from the hand-off stage on (none without one)."""
    return codes[codes.index(handoff) :] if handoff in codes else []
