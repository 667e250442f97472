"""The one SQL statement that turns CRM rows into KPI facts, for a window of months and a
set of channels (or everything). An incremental recompute and a full one run the same text.

A cell's key is (month, channel, campaign, owner) of the lead (of the campaign, for its
cost, which has no owner; of the deal, for deals with an owner of their own); keys carry 0
for "none" inside the statement so that cells full-join on plain equality. The journal
marks (month, channel): a cell's owners are all recomputed with it.
Months are calendar months in UTC.
"""

from __future__ import annotations

from crm.journal import drop_conversions_sql, take_conversions_sql

MONTH = "date_trunc('month', {} AT TIME ZONE 'UTC')::date"

FACT_COLUMNS = [
    "organization_id",
    "month",
    "channel_id",
    "campaign_id",
    "owner_id",
    "leads",
    "reached",
    "converted",
    "won_deals",
    "lost_deals",
    "won_revenue",
    "customers",
    "new_customers",
    "new_revenue",
    "repeat_deals",
    "repeat_revenue",
    "reactivated_customers",
    "reactivation_revenue",
    "cycle_days",
    "cycle_deals",
    "cost",
    "handed_over",
    "response_minutes",
]


def in_channels(column: str) -> str:
    """The channel filter: every channel, or those listed (and, if asked, none)."""
    return (
        f"(%(all_channels)s OR {column} = ANY(%(channels)s)"
        f" OR (%(no_channel)s AND {column} IS NULL))"
    )


# The leads created in the window are counted once, by cell and persona (the approved
# persona a lead fits now, or none: one fit a lead at most, see kpis.persona_sql): the KPI
# facts add up the personas of a cell, the persona facts its owners. Counted apart, they
# read and grouped a million leads twice.
_LEADS = f"""
lead_counts AS (
    SELECT {MONTH.format("l.created_at")} AS month, COALESCE(l.channel_id, 0) AS ch,
           COALESCE(l.campaign_id, 0) AS cp, COALESCE(l.owner_id, 0) AS ow,
           COALESCE(f.persona_id, 0) AS pe, count(*) AS leads
    FROM crm_lead l
    LEFT JOIN personas_leadfit f ON f.lead_id = l.id AND f.organization_id = %(org)s AND f.fits
    WHERE l.organization_id = %(org)s AND l.created_at >= %(start)s AND l.created_at < %(end)s
      AND {in_channels("l.channel_id")}
    GROUP BY 1, 2, 3, 4, 5
), leads AS (
    SELECT month, ch, cp, ow, sum(leads)::bigint AS leads FROM lead_counts GROUP BY 1, 2, 3, 4
)"""

# A lead reaches a stage the first time it enters that stage or, skipping it, a later one:
# counts fall stage by stage, as in a funnel. Only leads that moved in the window can
# reach anything in it (`movers`, with their channel and campaign); their whole history
# decides when they first did. A full recompute reads every lead instead: a filter that is
# only switched off still costs its plan. Every read of an incremental run is index-only
# (see the covering indexes of crm.Lead, LeadStageChange and Activity), so a cell costs in
# proportion to its own rows. Stages are positions in the ordered array of
# funnel stage codes: joining a table of five rows, estimated at one, made the plan loop.
# A lead's journey is kept as runs, one per stage it entered: it reached the stages above
# the one it entered before (`below`) up to this one when it first entered this one or a
# later one (`at`), and went on from each of them but the furthest it entered. The counts
# of a cell are taken from the runs grouped, stage by stage; only the hand-off is kept
# lead by lead (`handoffs`: its response time, its persona). A row per lead and stage
# reached, grouped and kept for three readers, was most of a full recompute (3 million
# rows for a million leads, written to disk).
_JOURNEYS = f"""
movers AS (
    SELECT DISTINCT c.lead_id, l.channel_id, l.campaign_id, l.owner_id
    FROM crm_leadstagechange c JOIN crm_lead l ON l.id = c.lead_id AND l.organization_id = %(org)s
    WHERE c.organization_id = %(org)s AND c.to_stage = ANY(%(codes)s)
      AND c.at >= %(start)s AND c.at < %(end)s AND {in_channels("l.channel_id")}
), entered AS (
    SELECT c.lead_id, l.channel_id, l.campaign_id, l.owner_id,
           array_position(%(codes)s::text[], c.to_stage::text) AS position, min(c.at) AS at
    FROM {{leads}} JOIN crm_leadstagechange c ON c.lead_id = l.lead_id
    WHERE c.to_stage = ANY(%(codes)s) {{scope}}
    GROUP BY 1, 2, 3, 4, 5
), stretches AS (
    SELECT e.lead_id, e.channel_id, e.campaign_id, e.owner_id, e.position,
           COALESCE(lag(e.position) OVER w, 0) AS below, min(e.at) OVER w AS at,
           max(e.position) OVER w AS furthest
    FROM entered e
    WINDOW w AS (PARTITION BY e.lead_id ORDER BY e.position
                 ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING)
), runs AS (
    -- the window and the hand-off as columns: a CTE has no statistics, and two bounds on
    -- one of its columns were estimated to keep one row in 200 (sorts to disk, not hashes)
    SELECT s.*, s.at >= %(start)s AND s.at < %(end)s AS in_window,
           s.below < h.position AND h.position <= s.position AS reaches_handoff
    FROM stretches s
    CROSS JOIN (SELECT array_position(%(codes)s::text[], %(handoff)s::text) AS position) h
), run_counts AS (
    SELECT {MONTH.format("r.at")} AS month, COALESCE(r.channel_id, 0) AS ch,
           COALESCE(r.campaign_id, 0) AS cp, COALESCE(r.owner_id, 0) AS ow,
           r.below, r.position, r.furthest, count(*) AS leads
    FROM runs r WHERE r.in_window
    GROUP BY 1, 2, 3, 4, 5, 6, 7
), stage_counts AS (
    SELECT r.month, r.ch, r.cp, r.ow, (%(codes)s::text[])[p] AS code,
           sum(r.leads)::bigint AS reached,
           COALESCE(sum(r.leads) FILTER (WHERE r.furthest > p), 0)::bigint AS converted
    FROM run_counts r JOIN unnest(%(positions)s::int[]) AS p ON p > r.below AND p <= r.position
    GROUP BY 1, 2, 3, 4, 5
), stage_cells AS (
    SELECT month, ch, cp, ow, jsonb_object_agg(code, reached) AS reached,
           jsonb_object_agg(code, converted) AS converted
    FROM stage_counts GROUP BY 1, 2, 3, 4
), handoffs AS MATERIALIZED (
    -- the leads that reached the hand-off stage in the window, and when
    SELECT r.lead_id, r.channel_id, r.campaign_id, r.owner_id, r.at
    FROM runs r WHERE r.in_window AND r.reaches_handoff
)"""

# Response time: from reaching the hand-off stage to the first call, e-mail or meeting.
_RESPONSE = f"""
response AS (
    SELECT {MONTH.format("j.at")} AS month, COALESCE(j.channel_id, 0) AS ch,
           COALESCE(j.campaign_id, 0) AS cp, COALESCE(j.owner_id, 0) AS ow, count(*) AS handed_over,
           array_agg(r.minutes) FILTER (WHERE r.minutes IS NOT NULL) AS response_minutes
    FROM handoffs j {{first_touches}}
    GROUP BY 1, 2, 3, 4
)"""

# Each lead's first touch after its hand-off: looked up lead by lead (a few movers' index
# entries), or, for every lead, the organisation's activities joined at once (a million
# leads' look-ups took a second, most of them finding nothing).
_FIRST_TOUCH_EACH = """
    LEFT JOIN LATERAL (
        SELECT floor(extract(epoch FROM min(a.at) - j.at) / 60)::int AS minutes FROM crm_activity a
        WHERE a.organization_id = %(org)s AND a.lead_id = j.lead_id AND a.at >= j.at AND a.kind <> 'note'
    ) r ON true"""
_FIRST_TOUCH_ALL = """
    LEFT JOIN (
        SELECT h.lead_id, floor(extract(epoch FROM min(a.at) - h.at) / 60)::int AS minutes
        FROM handoffs h JOIN crm_activity a ON a.lead_id = h.lead_id
        WHERE a.organization_id = %(org)s AND a.at >= h.at AND a.kind <> 'note'
        GROUP BY h.lead_id, h.at
    ) r ON r.lead_id = j.lead_id"""

_DEALS = f"""
deals AS (
    SELECT {MONTH.format("d.closed_at")} AS month, COALESCE(l.channel_id, 0) AS ch,
           COALESCE(l.campaign_id, 0) AS cp, COALESCE(d.owner_id, l.owner_id, 0) AS ow,
           count(*) FILTER (WHERE d.status = 'won') AS won_deals,
           count(*) FILTER (WHERE d.status = 'lost') AS lost_deals,
           COALESCE(sum(d.amount) FILTER (WHERE d.status = 'won'), 0) AS won_revenue,
           count(DISTINCT COALESCE('c' || d.company_id, 'l' || d.lead_id, 'd' || d.id))
               FILTER (WHERE d.status = 'won') AS customers,
           count(*) FILTER (WHERE d.status = 'won' AND d.kind = 'new') AS new_customers,
           COALESCE(sum(d.amount) FILTER (WHERE d.status = 'won' AND d.kind = 'new'), 0) AS new_revenue,
           count(*) FILTER (WHERE d.status = 'won' AND d.kind = 'repeat') AS repeat_deals,
           COALESCE(sum(d.amount) FILTER (WHERE d.status = 'won' AND d.kind = 'repeat'), 0) AS repeat_revenue,
           count(*) FILTER (WHERE d.status = 'won' AND d.kind = 'reactivation') AS reactivated_customers,
           COALESCE(sum(d.amount) FILTER (WHERE d.status = 'won' AND d.kind = 'reactivation'), 0)
               AS reactivation_revenue,
           round(COALESCE(sum(GREATEST(extract(epoch FROM d.closed_at - l.created_at) / 86400, 0))
               FILTER (WHERE d.status = 'won' AND l.id IS NOT NULL), 0), 2) AS cycle_days,
           count(*) FILTER (WHERE d.status = 'won' AND l.id IS NOT NULL) AS cycle_deals
    FROM crm_deal d LEFT JOIN crm_lead l ON l.id = d.lead_id AND l.organization_id = %(org)s
    WHERE d.organization_id = %(org)s AND d.status IN ('won', 'lost')
      AND d.closed_at >= %(start)s AND d.closed_at < %(end)s AND {in_channels("l.channel_id")}
    GROUP BY 1, 2, 3, 4
)"""

# A campaign's actual cost, spread over the days it ran (a campaign without an end ran
# one day), rounded to the cent per month. It has no owner: whoever runs a campaign does not
# own the leads it brings, and its cost is not split among theirs. Only the months of the
# window are generated: a campaign running for a century made every month's recompute
# generate its 1,332 months (76 of them: 130 ms a month, where the rest of the statement took 5).
_COSTS = f"""
costs AS (
    SELECT m.month, COALESCE(c.channel_id, 0) AS ch, c.id AS cp, 0 AS ow,
           round(c.actual_cost
                 * (LEAST(COALESCE(c.end_date, c.start_date), (m.month + interval '1 month - 1 day')::date)
                    - GREATEST(c.start_date, m.month) + 1)
                 / (COALESCE(c.end_date, c.start_date) - c.start_date + 1), 2) AS cost
    FROM crm_campaign c
    CROSS JOIN LATERAL (
        SELECT g::date AS month FROM generate_series(
            GREATEST(date_trunc('month', c.start_date)::date, {MONTH.format("%(start)s")}),
            LEAST(COALESCE(c.end_date, c.start_date), {MONTH.format("%(end)s")} - 1),
            interval '1 month') g
    ) m
    WHERE c.organization_id = %(org)s AND c.actual_cost IS NOT NULL
      AND {in_channels("c.channel_id")}
)"""

# What each fact column is made of, by the CTE that has it.
_EXPRESSIONS = {
    "organization_id": "%(org)s::bigint",
    "month": "month",
    "channel_id": "NULLIF(ch, 0)",
    "campaign_id": "NULLIF(cp, 0)",
    "owner_id": "NULLIF(ow, 0)",
    "reached": "COALESCE(stage_cells.reached, '{}')",
    "converted": "COALESCE(stage_cells.converted, '{}')",
    "leads": "COALESCE(leads.leads, 0)",
    "cost": "COALESCE(costs.cost, 0)",
    "handed_over": "COALESCE(response.handed_over, 0)",
    # sorted here, cell by cell: an ordered aggregate groups by sorting all its rows
    "response_minutes": "ARRAY(SELECT m FROM unnest(response.response_minutes) AS m ORDER BY m)",
}
_SELECT_LIST = ",\n       ".join(
    f"{_EXPRESSIONS.get(column, f'COALESCE(deals.{column}, 0)')} AS {column}"
    for column in FACT_COLUMNS
)

_FACTS_WITH = f"WITH {_LEADS}, {_JOURNEYS}, {_RESPONSE}, {_DEALS}, {_COSTS}"
_FACTS_BODY = f"""
SELECT {_SELECT_LIST}
FROM leads
FULL JOIN stage_cells USING (month, ch, cp, ow)
FULL JOIN response USING (month, ch, cp, ow)
FULL JOIN deals USING (month, ch, cp, ow)
FULL JOIN costs USING (month, ch, cp, ow)
"""


# Some cells (incremental) or every cell (full), whose journeys start from every lead.
# The movers' stage changes are theirs, so the incremental statement looks them up by lead
# alone: given the organisation as well, a planner whose statistics predate an import of a
# million leads (estimating one row) scanned all of the organisation's stage changes once
# per mover, for hours.
def _some(text: str) -> str:
    return (
        text.replace("{leads}", "movers l")
        .replace("{scope}", "")
        .replace("{first_touches}", _FIRST_TOUCH_EACH)
    )


def _every(text: str) -> str:
    return (
        text.replace(
            "{leads}",
            "(SELECT id AS lead_id, channel_id, campaign_id, owner_id FROM crm_lead"
            " WHERE organization_id = %(org)s) l",
        )
        .replace("{scope}", "AND c.organization_id = %(org)s")
        .replace("{first_touches}", _FIRST_TOUCH_ALL)
    )


FACTS_SELECT_ALL = _every(_FACTS_WITH + _FACTS_BODY)
_INSERT = f"INSERT INTO funnel_kpifact ({', '.join(FACT_COLUMNS)}) "


def with_facts_ctes(ctes: str, then: str, *, every: bool) -> str:
    """`then`, a statement that may read the facts' CTEs (the journeys) and its own `ctes`,
    for some cells (or, with `every`, all)."""
    text = f"{_FACTS_WITH}, {ctes} {then}"
    return _every(text) if every else _some(text)


# The conversions waiting for the cells a statement recomputes (crm.ChangedConversion): in
# its snapshot, their moves are counted by the statement itself.
_CONVERSIONS_COUNTED = drop_conversions_sql(
    f"month >= {MONTH.format('%(start)s')} AND month < {MONTH.format('%(end)s')}"
    f" AND {in_channels('channel_id')}"
)


def insert_facts_and(ctes: str, then: str, *, every: bool) -> str:
    """One statement that inserts the facts of some cells (or, with `every`, of all) and
    then runs `then` (see with_facts_ctes): what is derived from the same journeys is
    derived once. It drops the conversions waiting for those cells, in the same snapshot."""
    return with_facts_ctes(
        f"{ctes}, facts_inserted AS ({_INSERT}{_FACTS_BODY}),"
        f" conversions_counted AS ({_CONVERSIONS_COUNTED})",
        then,
        every=every,
    )


# The conversions waiting in some months added to their cells: each one more lead that went
# on from a stage (or none, see crm.ChangedConversion), into a cell whose `reached` has that
# stage. Returns each cell (month, channel) taken and whether some of its conversions found
# no such cell (to be recomputed). The waiting rows are estimated at one: hash joins (see
# kpis.recompute._add_conversions), where nested loops made 4,000 cells take 20 s.
ADD_CONVERSIONS = f"""
WITH taken AS ({take_conversions_sql()}),
counted AS (
    SELECT month, COALESCE(channel_id, 0) AS ch, COALESCE(campaign_id, 0) AS cp,
           COALESCE(owner_id, 0) AS ow, stage, sum(converted) AS n
    FROM taken GROUP BY 1, 2, 3, 4, 5
), added AS (
    SELECT month, ch, cp, ow, jsonb_object_agg(stage, n) FILTER (WHERE n > 0) AS more
    FROM counted GROUP BY 1, 2, 3, 4
), updated AS (
    UPDATE funnel_kpifact f SET converted = (
        SELECT jsonb_object_agg(
            k.code, COALESCE((f.converted ->> k.code)::bigint, 0) + COALESCE((a.more ->> k.code)::bigint, 0))
        FROM jsonb_object_keys(f.converted || a.more) AS k(code))
    FROM added a
    WHERE f.organization_id = %(org)s AND f.month = ANY(%(conversion_months)s::date[])
      AND f.month = a.month AND COALESCE(f.channel_id, 0) = a.ch
      AND COALESCE(f.campaign_id, 0) = a.cp AND COALESCE(f.owner_id, 0) = a.ow
      AND a.more IS NOT NULL AND f.reached ?& ARRAY(SELECT jsonb_object_keys(a.more))
    RETURNING a.month, a.ch, a.cp, a.ow
)
SELECT a.month, NULLIF(a.ch, 0), bool_or(a.more IS NOT NULL AND u.month IS NULL) AS missing
FROM added a LEFT JOIN updated u USING (month, ch, cp, ow)
GROUP BY 1, 2
"""


DELETE_FACTS = f"""
DELETE FROM funnel_kpifact WHERE organization_id = %(org)s
  AND month >= {MONTH.format("%(start)s")} AND month < {MONTH.format("%(end)s")}
  AND {in_channels("channel_id")}
"""

# The open pipeline, for every channel or those listed, per owner (the deal's, else its lead's).
DELETE_PIPELINE = f"DELETE FROM funnel_pipelinefact WHERE organization_id = %(org)s AND {in_channels('channel_id')}"

PIPELINE_COLUMNS = ["organization_id", "channel_id", "owner_id", "stage", "deals", "amount"]

PIPELINE_SELECT = f"""
SELECT %(org)s::bigint AS organization_id, l.channel_id,
       COALESCE(d.owner_id, l.owner_id) AS owner_id, d.pipeline_stage AS stage,
       count(*) AS deals, COALESCE(sum(d.amount), 0) AS amount
FROM crm_deal d LEFT JOIN crm_lead l ON l.id = d.lead_id AND l.organization_id = %(org)s
WHERE d.organization_id = %(org)s AND d.status = 'open' AND {in_channels("l.channel_id")}
GROUP BY 2, 3, 4
"""

INSERT_PIPELINE = (
    f"INSERT INTO funnel_pipelinefact ({', '.join(PIPELINE_COLUMNS)}) " + PIPELINE_SELECT
)
