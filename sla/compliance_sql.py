"""The compliance statements: every hand-off an agreement covers, judged in one set-based
INSERT; the scorecards aggregated from them in one grouped SELECT.

Business time in SQL: the calendar's working windows come as three arrays of numbers
(sla.calendar.Windows: each window's opening and closing in epoch seconds, and the working
seconds before it), so an instant's cumulative working time is one binary search
(width_bucket over the openings) and two subscripts, and a deadline is the inverse (a
binary search over the cumulated seconds). The time zone, summer time, working days and
holidays are all in the arrays, built in Python by the same code that walks the calendar
for one lead (sla.calendar), and the property tests hold the two together.

Each step is a MATERIALIZED CTE: its columns are computed once a row, not once a reference.
The joins to one lead's history (its next hand-off, its touches, the change that took it
out of the stage) are LATERAL look-ups by the lead's own index entries, so the plan does
not depend on the tables' statistics; the rest are hash joins.
"""

# An instant's cumulative working seconds, given `i` = width_bucket(epoch, opens).
CUMULATIVE = """CASE WHEN {i} = 0 THEN 0::float8 ELSE
    (%(before)s::float8[])[{i}] + LEAST(GREATEST({e} - (%(opens)s::float8[])[{i}], 0),
        (%(closes)s::float8[])[{i}] - (%(opens)s::float8[])[{i}]) END"""

# The window holding cumulated seconds `t`: the last one opened before them, so that a
# deadline falling on a closing is that closing.
WINDOW_OF = """CASE WHEN width_bucket({t}, %(before)s::float8[]) > 1
        AND (%(before)s::float8[])[width_bucket({t}, %(before)s::float8[])] = {t}
    THEN width_bucket({t}, %(before)s::float8[]) - 1
    ELSE GREATEST(width_bucket({t}, %(before)s::float8[]), 1) END"""

# The instant at cumulated seconds `t`, given `j` = WINDOW_OF(t).
INSTANT = "to_timestamp((%(opens)s::float8[])[{j}] + ({t} - (%(before)s::float8[])[{j}]))"

TOUCH_KINDS = "('call', 'email', 'meeting')"

HANDOFF_COLUMNS = (
    "organization_id, lead_id, handoff_at, month, agreement_id, version_id, channel_id,"
    " owner_id, fits, first_touch_at, response_seconds, touch_due, attempts, attempts_due,"
    " decision, decision_at, reason, decision_due, won, late_touch, few_attempts,"
    " late_decision, computed_at"
)

DELETE_HANDOFFS = """
    DELETE FROM sla_handoff
    WHERE organization_id = %(org)s AND handoff_at >= %(start)s AND handoff_at < %(end)s
"""

INSERT_HANDOFFS = f"""
INSERT INTO sla_handoff ({HANDOFF_COLUMNS})
WITH v AS MATERIALIZED (
    SELECT * FROM unnest(
        %(v_id)s::bigint[], %(v_agreement)s::bigint[], %(v_first)s::date[], %(v_last)s::date[],
        %(v_in_force)s::timestamptz[], %(v_number)s::int[], %(v_touch)s::float8[],
        %(v_attempts)s::int[], %(v_attempts_s)s::float8[], %(v_decision_s)s::float8[]
    ) AS v(id, agreement_id, first_month, last_month, in_force_at, number, touch_s, attempts,
           attempts_s, decision_s)
),
-- Every hand-off from the start on (the next one bounds a hand-off's touches), with its
-- month in the organisation's time zone.
h AS MATERIALIZED (
    SELECT c.lead_id, c.at AS handoff_at,
        date_trunc('month', c.at AT TIME ZONE %(zone)s)::date AS month,
        lead(c.at) OVER (PARTITION BY c.lead_id ORDER BY c.at, c.id) AS next_handoff_at,
        extract(epoch FROM c.at)::float8 AS e,
        width_bucket(extract(epoch FROM c.at)::float8, %(opens)s::float8[]) AS i
    FROM crm_leadstagechange c
    WHERE c.organization_id = %(org)s AND c.to_stage = %(handoff)s AND c.at >= %(start)s
),
-- The version each is judged by (sla.selectors.version_at): of the agreement whose period
-- holds its month, the last version in force at the hand-off, else the first.
j AS MATERIALIZED (
    SELECT h.*, v.id AS version_id, v.agreement_id, v.attempts AS attempts_needed,
        {CUMULATIVE.format(i="h.i", e="h.e")} + v.touch_s AS t_touch,
        {CUMULATIVE.format(i="h.i", e="h.e")} + v.attempts_s AS t_attempts,
        {CUMULATIVE.format(i="h.i", e="h.e")} + v.decision_s AS t_decision,
        {CUMULATIVE.format(i="h.i", e="h.e")} AS cum_h
    FROM h CROSS JOIN LATERAL (
        SELECT * FROM v WHERE v.first_month <= h.month AND h.month <= v.last_month
        ORDER BY v.in_force_at <= h.handoff_at DESC,
            CASE WHEN v.in_force_at <= h.handoff_at THEN -v.number ELSE v.number END
        LIMIT 1
    ) v
    WHERE h.handoff_at < %(end)s
),
w AS MATERIALIZED (
    SELECT j.*,
        {WINDOW_OF.format(t="j.t_touch")} AS j_touch,
        {WINDOW_OF.format(t="j.t_attempts")} AS j_attempts,
        {WINDOW_OF.format(t="j.t_decision")} AS j_decision
    FROM j
),
d AS MATERIALIZED (
    SELECT w.lead_id, w.handoff_at, w.month, w.next_handoff_at, w.version_id, w.agreement_id,
        w.attempts_needed, w.cum_h,
        {INSTANT.format(j="w.j_touch", t="w.t_touch")} AS touch_due,
        {INSTANT.format(j="w.j_attempts", t="w.t_attempts")} AS attempts_due,
        {INSTANT.format(j="w.j_decision", t="w.t_decision")} AS decision_due
    FROM w
),
-- Its touches (calls, e-mails, meetings) before the lead's next hand-off, and sales'
-- decision: recorded in the queue, or read from the change that took the lead out of the
-- stage (on to the funnel: accepted; anywhere else: rejected).
t AS MATERIALIZED (
    SELECT d.*, touch.first_at, touch.attempts,
        width_bucket(extract(epoch FROM touch.first_at)::float8, %(opens)s::float8[]) AS i_touch,
        COALESCE(sd.outcome, CASE WHEN moved.to_stage = ANY(%(onwards)s::text[]) THEN 'accepted'
            WHEN moved.at IS NOT NULL THEN 'rejected' ELSE '' END) AS decision,
        COALESCE(sd.at, moved.at) AS decision_at,
        COALESCE(sd.reason, '') AS reason
    FROM d
    CROSS JOIN LATERAL (
        SELECT min(a.at) AS first_at, count(*) FILTER (WHERE a.at <= d.attempts_due) AS attempts
        FROM crm_activity a
        WHERE a.organization_id = %(org)s AND a.lead_id = d.lead_id AND a.at >= d.handoff_at
            AND (d.next_handoff_at IS NULL OR a.at < d.next_handoff_at)
            AND a.kind IN {TOUCH_KINDS}
    ) touch
    LEFT JOIN LATERAL (
        SELECT n.at, n.to_stage FROM crm_leadstagechange n
        WHERE n.lead_id = d.lead_id AND n.at > d.handoff_at AND n.to_stage <> %(handoff)s
            AND (d.next_handoff_at IS NULL OR n.at <= d.next_handoff_at)
        ORDER BY n.at LIMIT 1
    ) moved ON true
    LEFT JOIN sla_decision sd ON sd.organization_id = %(org)s AND sd.lead_id = d.lead_id
        AND sd.handoff_at = d.handoff_at
)
SELECT %(org)s, t.lead_id, t.handoff_at, t.month, t.agreement_id, t.version_id, l.channel_id,
    l.owner_id, f.fits, t.first_at,
    CASE WHEN t.first_at IS NOT NULL THEN
        round({CUMULATIVE.format(i="t.i_touch", e="extract(epoch FROM t.first_at)::float8")}
              - t.cum_h)::int END,
    t.touch_due, COALESCE(t.attempts, 0), t.attempts_due,
    t.decision, t.decision_at, t.reason, t.decision_due,
    EXISTS (SELECT 1 FROM crm_deal won WHERE won.lead_id = t.lead_id AND won.status = 'won'
            AND won.closed_at >= t.handoff_at),
    CASE WHEN t.first_at IS NULL THEN %(now)s > t.touch_due ELSE t.first_at > t.touch_due END,
    %(now)s > t.attempts_due AND COALESCE(t.attempts, 0) < t.attempts_needed
        AND NOT COALESCE(t.decision_at <= t.attempts_due, false),
    CASE WHEN t.decision_at IS NULL THEN %(now)s > t.decision_due
        ELSE t.decision_at > t.decision_due END,
    %(now)s
FROM t
JOIN crm_lead l ON l.id = t.lead_id
LEFT JOIN personas_leadfit f ON f.lead_id = t.lead_id AND f.organization_id = %(org)s
"""  # noqa: S608 - the pieces are this module's constants; values are parameters

# The scorecards of some agreements: per month and to date, in all channels and per channel.
SCORECARDS = """
SELECT agreement_id, month, GROUPING(channel_id) = 0 AS by_channel, channel_id,
    count(*) AS handoffs,
    count(*) FILTER (WHERE decision = 'accepted') AS accepted,
    count(*) FILTER (WHERE decision = 'rejected') AS rejected,
    count(*) FILTER (WHERE decision <> '' AND NOT late_decision) AS decided_in_time,
    count(*) FILTER (WHERE decision <> '' OR late_decision) AS decision_due,
    count(fits) AS measured_fit,
    count(*) FILTER (WHERE fits) AS fits,
    count(first_touch_at) AS touched,
    count(*) FILTER (WHERE first_touch_at IS NOT NULL AND NOT late_touch) AS within_window,
    count(*) FILTER (WHERE first_touch_at IS NOT NULL OR late_touch) AS touch_due,
    percentile_disc(0.5) WITHIN GROUP (ORDER BY response_seconds) AS response_p50,
    percentile_disc(0.9) WITHIN GROUP (ORDER BY response_seconds) AS response_p90,
    count(*) FILTER (WHERE attempts_due <= %(now)s AND NOT few_attempts) AS attempts_met,
    count(*) FILTER (WHERE attempts_due <= %(now)s
                     OR (decision_at IS NOT NULL AND decision_at <= attempts_due)) AS attempts_due,
    count(*) FILTER (WHERE won AND first_touch_at IS NOT NULL AND NOT late_touch) AS won_within,
    count(*) FILTER (WHERE won AND late_touch) AS won_late
FROM sla_handoff
WHERE organization_id = %(org)s AND agreement_id = ANY(%(agreements)s::bigint[])
GROUP BY GROUPING SETS ((agreement_id, month), (agreement_id, month, channel_id),
                        (agreement_id), (agreement_id, channel_id))
"""

# Breaches of sales' commitments, recorded once each (the key): new ones are returned.
INSERT_LEAD_BREACHES = """
INSERT INTO sla_breach (organization_id, key, side, kind, agreement_id, lead_id, handoff_at,
                        month, owner_id, due, found_at)
SELECT %(org)s, b.kind || ':' || h.lead_id || ':' || extract(epoch FROM h.handoff_at)::text,
    'sales', b.kind, h.agreement_id, h.lead_id, h.handoff_at, h.month,
    (SELECT u.id FROM orgs_user u WHERE u.id = h.owner_id), b.due, %(now)s
FROM sla_handoff h CROSS JOIN LATERAL (VALUES
        ('first_touch', h.late_touch, h.touch_due),
        ('attempts', h.few_attempts, h.attempts_due),
        ('decision', h.late_decision, h.decision_due)) AS b(kind, broken, due)
WHERE h.organization_id = %(org)s AND h.handoff_at >= %(start)s AND h.handoff_at < %(end)s
    AND b.broken
ON CONFLICT (organization_id, key) DO NOTHING
RETURNING id
"""

# A breach still open is resolved once the lead is touched, or decided on, after all.
RESOLVE_LEAD_BREACHES = """
UPDATE sla_breach b SET resolved_at = %(now)s
FROM sla_handoff h
WHERE b.organization_id = %(org)s AND b.resolved_at IS NULL AND b.lead_id IS NOT NULL
    AND h.lead_id = b.lead_id AND h.organization_id = %(org)s AND h.handoff_at = b.handoff_at
    AND h.handoff_at >= %(start)s AND h.handoff_at < %(end)s
    AND CASE b.kind WHEN 'first_touch' THEN h.first_touch_at IS NOT NULL
                    ELSE h.decision <> '' END
"""
