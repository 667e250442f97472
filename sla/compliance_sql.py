"""The compliance statements: every hand-off an agreement covers judged by one set-based
statement (judge_handoffs), which keeps in a temporary table only those judged otherwise
than their stored row (or new, or gone); a second (WRITE_HANDOFFS) writes those and records
and resolves the breaches of the rows it wrote; the scorecards are aggregated from the
rows in one grouped SELECT.

Business time in SQL: the calendar's working windows come as three arrays of numbers
(sla.calendar.Windows: each window's opening and closing in epoch seconds, and the working
seconds before it), so an instant's cumulative working time is one binary search
(width_bucket over the openings) and two subscripts, and a deadline is the inverse (a
binary search over the cumulated seconds). The time zone, summer time, working days and
holidays are all in the arrays, built in Python by the same code that walks the calendar
for one lead (sla.calendar), and the property tests hold the two together.

The judgement is cut into branches, each the hand-offs of one range of lead ids
(judge_handoffs: SLA_JUDGE_BRANCHES of them, holding as many hand-offs each), joined by
UNION ALL: PostgreSQL runs them side by side under one Parallel Append, each whole in one
process (a parallel worker, or the session itself), so that a judgement takes the time of
its largest branch. A branch holds nothing a worker cannot run: no LATERAL subquery, no
LIMIT or OFFSET, no window function (PostgreSQL 15 runs none of them in a worker).

A branch's steps are subqueries fenced by their ORDER BY (their columns are computed once
a row, not once a reference) and none is materialised: the hand-offs flow through them in
the lead's order (sorted once), so that the branch's touches are merged with them in one
pass of their index, the look-ups by the lead's own index entries (its later changes, the
lead and its fit) are nested loops finding their pages where the previous lead left them,
and the queue's decisions, the won deals and the stored rows are merged with them as they
come (each step's ORDER BY tells the planner the order it already has: nothing big is
sorted again). A look-up's condition is a range of one key (same_lead), which no merge or
hash join can take: a nested loop driven by the hand-offs is the only plan for it.
Materialising every step, as this did first, wrote and read each hand-off six times over.
The fences, the look-ups' conditions and the settings (sla.services.compliance) fix the
plan's shape: no join order or method is left to the tables' statistics, and none is worse
than linear in the organisation's history (a hand-off reads its own lead's later changes:
a lead handed over k times reads its history k times). The writes are a separate statement
because they are better hashed than merged (what changed, against the stored rows and the
breaches by key) and one statement has one set of planner settings.
Epoch seconds come from date_part (a float), not extract (a numeric, which turns into a
float through its text: a tenth of the time).
"""

import functools

# An instant's cumulative working seconds, given `i` = width_bucket(epoch, opens).
CUMULATIVE = """CASE WHEN {i} = 0 THEN 0::float8 ELSE
    (%(before)s::float8[])[{i}] + LEAST(GREATEST({e} - (%(opens)s::float8[])[{i}], 0),
        (%(closes)s::float8[])[{i}] - (%(opens)s::float8[])[{i}]) END"""

# The window holding cumulated seconds `t`, given `b` = width_bucket(t, before): the last
# one opened before them, so that a deadline falling on a closing is that closing.
WINDOW_OF = """(CASE WHEN {b} > 1 AND (%(before)s::float8[])[{b}] = {t} THEN {b} - 1
    ELSE GREATEST({b}, 1) END)"""

# The instant at cumulated seconds `t`, given `j` = WINDOW_OF(t): `t` plus the window's
# shift (its opening less the working seconds before it), so that WINDOW_OF, a CASE and a
# subscript, is evaluated once a deadline, not twice (0.06 s of a 1.7 s judgement).
INSTANT = "to_timestamp({t} + (%(shifts)s::float8[])[{j}])"

TOUCH_KINDS = "('call', 'email', 'meeting')"

# When sales decided: in the queue, or when the lead left the stage.
DECIDED = "COALESCE(sd.at, t.moved_at)"


# A look-up by the lead's own index entries: a range of one key, which no merge or hash
# join can take, so it is always a nested loop driven by the hand-offs (a LEFT JOIN keeps
# them on the outer side) probing the index. A LATERAL subquery would say the same, but it
# runs only in the process that planned it, and each branch of the judgement runs in a
# parallel worker.
def same_lead(column: str, lead: str = "d.lead_id") -> str:
    return f"{column} >= {lead} AND {column} <= {lead}"


# The lead's fit to an approved persona (none without one approved; one row a lead at most).
FIT = f"""LEFT JOIN personas_leadfit f ON {same_lead("f.lead_id")}
        AND f.organization_id = %(org)s"""
NO_FIT = "CROSS JOIN (SELECT NULL::boolean AS fits) f"

# What a judgement sets: every column but the keys and computed_at.
JUDGED = [
    "month", "agreement_id", "version_id", "channel_id", "owner_id", "fits", "first_touch_at",
    "response_seconds", "touch_due", "attempts", "attempts_due", "decision", "decision_at",
    "reason", "decision_due", "won", "late_touch", "few_attempts", "late_decision",
]  # fmt: skip
HANDOFF_COLUMNS = ", ".join(
    ["organization_id", "lead_id", "handoff_at", *JUDGED, "computed_at", "next_due"]
)


# What step d of the judgement gives a hand-off, its key first.
D = [
    "lead_id", "handoff_at", "month", "next_handoff_at", "moved_at", "moved_on", "version_id",
    "agreement_id", "attempts_needed", "cum_h", "touch_due", "attempts_due", "decision_due",
]  # fmt: skip
D_COLUMNS = ", ".join(f"d.{column}" for column in D)


def _judged(alias: str) -> str:
    return ", ".join(f"{alias}.{column}" for column in JUDGED)


def _due(clock: str) -> str:
    """A deadline's instant, from step w's cumulated seconds and window of `clock`."""
    window = WINDOW_OF.format(b=f"w.b_{clock}", t=f"w.t_{clock}")
    return INSTANT.format(j=window, t=f"w.t_{clock}")


def _in_branch(column: str) -> str:
    """The branch's leads: ids from %(lo_N)s to %(hi_N)s, N filled in by judge_handoffs."""
    return f"{column} >= %(lo_{{n}})s AND {column} <= %(hi_{{n}})s"


DELETE_HANDOFFS = """
    DELETE FROM sla_handoff
    WHERE organization_id = %(org)s AND handoff_at >= %(start)s AND handoff_at < %(end)s
"""

# One branch of the judgement: the hand-offs of the leads in one range of ids, judged and
# compared with their stored rows. The branches (judge_handoffs) cover every id between
# them, so that a stored row whose hand-off is gone is found too.
_BRANCH = f"""
WITH
-- Every hand-off from the start to the end, with what came after it in its lead's history (one
-- look-up of the lead's later changes): the next hand-off, which bounds its touches and
-- its decision; the first change to another stage; the first on to the funnel. Two changes
-- to the stage at one instant are one hand-off (grouped by the instant). The version it is
-- judged by and its month (sla.selectors.version_at) are one binary search: the versions
-- come as pieces of time, cut at each month's first instant too (from v_from[k] on, the
-- version v_id[k], none between agreements, and the month v_month[k]).
h AS (
    SELECT c.lead_id, c.at AS handoff_at,
        min(n.at) FILTER (WHERE n.to_stage = %(handoff)s) AS next_handoff_at,
        min(n.at) FILTER (WHERE n.to_stage <> %(handoff)s) AS left_at,
        min(n.at) FILTER (WHERE n.to_stage = ANY(%(onwards)s::text[])) AS onward_at,
        date_part('epoch', c.at) AS e,
        width_bucket(date_part('epoch', c.at), %(opens)s::float8[]) AS i,
        width_bucket(c.at, %(v_from)s::timestamptz[]) AS k
    FROM (
        -- Read in the order of the stage's index (the lead's own index, in the lead's order,
        -- would read every change of every lead of the branch), then sorted: the look-ups
        -- of the later changes go through their index in its order.
        SELECT c.lead_id, c.at FROM (
            SELECT c.lead_id, c.at FROM crm_leadstagechange c
            WHERE c.organization_id = %(org)s AND c.to_stage = %(handoff)s
                AND c.at >= %(start)s AND c.at < %(end)s AND {_in_branch("c.lead_id")}
            ORDER BY c.at
        ) c
        ORDER BY c.lead_id, c.at
    ) c
    LEFT JOIN crm_leadstagechange n ON {same_lead("n.lead_id", "c.lead_id")} AND n.at > c.at
    GROUP BY c.lead_id, c.at
    ORDER BY c.lead_id, c.at
),
-- Its version's terms, its month in the organisation's time zone, when it left the stage
-- (the first change to another stage, unless the lead was handed off again first) and
-- whether on to the funnel.
j AS (
    SELECT h.lead_id, h.handoff_at, (%(v_month)s::date[])[h.k] AS month, h.next_handoff_at,
        CASE WHEN h.next_handoff_at IS NULL OR h.left_at <= h.next_handoff_at
            THEN h.left_at END AS moved_at,
        COALESCE(h.onward_at = h.left_at, false) AS onward,
        (%(v_id)s::bigint[])[h.k] AS version_id,
        (%(v_agreement)s::bigint[])[h.k] AS agreement_id,
        (%(v_attempts)s::int[])[h.k] AS attempts_needed,
        (%(v_touch)s::float8[])[h.k] AS s_touch,
        (%(v_attempts_s)s::float8[])[h.k] AS s_attempts,
        (%(v_decision_s)s::float8[])[h.k] AS s_decision,
        {CUMULATIVE.format(i="h.i", e="h.e")} AS cum_h
    FROM h
    WHERE (%(v_id)s::bigint[])[h.k] IS NOT NULL
    ORDER BY h.lead_id, h.handoff_at
),
-- Each deadline as cumulated seconds, and the window it falls in.
w AS (
    SELECT j.*, j.moved_at IS NOT NULL AND j.onward AS moved_on,
        j.cum_h + j.s_touch AS t_touch, j.cum_h + j.s_attempts AS t_attempts,
        j.cum_h + j.s_decision AS t_decision,
        width_bucket(j.cum_h + j.s_touch, %(before)s::float8[]) AS b_touch,
        width_bucket(j.cum_h + j.s_attempts, %(before)s::float8[]) AS b_attempts,
        width_bucket(j.cum_h + j.s_decision, %(before)s::float8[]) AS b_decision
    FROM j
    ORDER BY j.lead_id, j.handoff_at
),
d AS (
    SELECT w.lead_id, w.handoff_at, w.month, w.next_handoff_at, w.moved_at, w.moved_on,
        w.version_id, w.agreement_id, w.attempts_needed, w.cum_h,
        {_due("touch")} AS touch_due, {_due("attempts")} AS attempts_due,
        {_due("decision")} AS decision_due
    FROM w
    -- In the order its touches are grouped by (all its columns, the key first): sorted
    -- here, one row to a key, rather than the touches, two or three to a key.
    ORDER BY {", ".join(D)}
),
-- Its touches (calls, e-mails, meetings) before the lead's next hand-off: the branch's
-- touches merged with the hand-offs in the lead's order (one pass of their index), rather
-- than looked up a hand-off (an index descent and an aggregate each: a fifth of the
-- judgement). Grouped by every column of d: (lead, instant) is its key, and the rows come
-- in its order.
touched AS (
    SELECT {D_COLUMNS}, min(a.at) AS first_at,
        count(a.at) FILTER (WHERE a.at <= d.attempts_due) AS attempts
    FROM d
    LEFT JOIN (
        SELECT a.lead_id, a.at FROM crm_activity a
        WHERE a.organization_id = %(org)s AND {_in_branch("a.lead_id")}
            AND a.kind IN {TOUCH_KINDS}
        ORDER BY a.lead_id, a.at
    ) a ON a.lead_id = d.lead_id AND a.at >= d.handoff_at
        AND (d.next_handoff_at IS NULL OR a.at < d.next_handoff_at)
    GROUP BY {D_COLUMNS}
    ORDER BY d.lead_id, d.handoff_at
),
-- The lead's channel, owner and fit, looked up by the lead's own index entries.
t AS (
    SELECT d.*, width_bucket(date_part('epoch', d.first_at), %(opens)s::float8[]) AS i_touch,
        l.channel_id, l.owner_id, f.fits
    FROM touched d
    LEFT JOIN crm_lead l ON {same_lead("l.id")}
    {{fit}}
    ORDER BY d.lead_id, d.handoff_at
),
-- Sales' decision: recorded in the queue, or read from the change that took the lead out of
-- the stage (on to the funnel: accepted; anywhere else: rejected); whether a deal of the lead
-- was won since; and what the clock says of it. The queue's decisions and the won deals
-- merged with the hand-offs in the lead's order.
computed AS (
    SELECT t.lead_id, t.handoff_at, t.month, t.agreement_id, t.version_id, t.channel_id,
        t.owner_id, t.fits, t.first_at AS first_touch_at,
        CASE WHEN t.first_at IS NOT NULL THEN
            round({CUMULATIVE.format(i="t.i_touch", e="date_part('epoch', t.first_at)")}
                  - t.cum_h)::int END AS response_seconds,
        t.touch_due, COALESCE(t.attempts, 0) AS attempts, t.attempts_due,
        COALESCE(sd.outcome, CASE WHEN t.moved_on THEN 'accepted'
            WHEN t.moved_at IS NOT NULL THEN 'rejected' ELSE '' END) AS decision,
        {DECIDED} AS decision_at, COALESCE(sd.reason, '') AS reason, t.decision_due,
        COALESCE(won.last_won >= t.handoff_at, false) AS won,
        CASE WHEN t.first_at IS NULL THEN %(now)s > t.touch_due
                AND NOT COALESCE({DECIDED} <= t.touch_due, false)
            ELSE t.first_at > t.touch_due END AS late_touch,
        %(now)s > t.attempts_due AND COALESCE(t.attempts, 0) < t.attempts_needed
            AND NOT COALESCE({DECIDED} <= t.attempts_due, false) AS few_attempts,
        CASE WHEN {DECIDED} IS NULL THEN %(now)s > t.decision_due
            ELSE {DECIDED} > t.decision_due END AS late_decision,
        -- The next deadline still to pass that could change the judgement: the sweep's.
        LEAST(CASE WHEN t.first_at IS NULL AND {DECIDED} IS NULL
                   AND t.touch_due > %(now)s THEN t.touch_due END,
              CASE WHEN t.attempts_due > %(now)s THEN t.attempts_due END,
              CASE WHEN {DECIDED} IS NULL AND t.decision_due > %(now)s
                   THEN t.decision_due END) AS next_due
    FROM t
    LEFT JOIN (
        SELECT sd.lead_id, sd.handoff_at, sd.outcome, sd.at, sd.reason FROM sla_decision sd
        WHERE sd.organization_id = %(org)s AND {_in_branch("sd.lead_id")}
    ) sd ON sd.lead_id = t.lead_id AND sd.handoff_at = t.handoff_at
    LEFT JOIN (
        SELECT w.lead_id, max(w.closed_at) AS last_won FROM crm_deal w
        WHERE w.organization_id = %(org)s AND w.status = 'won' AND {_in_branch("w.lead_id")}
        GROUP BY w.lead_id
    ) won ON won.lead_id = t.lead_id
)
-- The stored rows against the judgement: a row no longer judged goes, a new one comes, and
-- a row is rewritten if judged otherwise or if one of its deadlines passed since it was
-- (its computed_at moves on, so the sweep lets it be); the rest stay as they are.
SELECT s.id AS stored_id, s.lead_id AS stored_lead, s.handoff_at AS stored_at,
    -- What the stored row said: only what is new can break, or remedy, anything.
    s.late_touch AS was_late_touch, s.few_attempts AS was_few_attempts,
    s.late_decision AS was_late_decision, s.first_touch_at IS NOT NULL AS was_touched,
    s.decision <> '' AS was_decided, c.*
FROM computed c
FULL JOIN (SELECT * FROM sla_handoff WHERE organization_id = %(org)s
           AND {_in_branch("lead_id")}
           AND handoff_at >= %(start)s AND handoff_at < %(end)s) s
    ON s.lead_id = c.lead_id AND s.handoff_at = c.handoff_at
WHERE s.id IS NULL OR c.lead_id IS NULL
    OR ({_judged("s")}) IS DISTINCT FROM ({_judged("c")})
    OR (s.touch_due > s.computed_at AND s.touch_due <= %(now)s)
    OR (s.attempts_due > s.computed_at AND s.attempts_due <= %(now)s)
    OR (s.decision_due > s.computed_at AND s.decision_due <= %(now)s)
"""  # noqa: S608 - the pieces are this module's constants; values are parameters


@functools.cache
def judge_handoffs(branches: int, *, fits: bool) -> str:
    """The judgement, into the temporary table sla_judged: only the hand-offs judged
    otherwise than stored (or new, or gone). Its `branches` (ranges of lead ids, from
    %(lo_0)s to %(hi_0)s and so on) are independent, so PostgreSQL runs them side by side
    in parallel workers under one Parallel Append (the settings in
    sla.services.compliance); with the leads' fits looked up, or none (no approved
    persona: no lead fits one)."""
    body = _BRANCH.replace("{fit}", FIT if fits else NO_FIT)
    parts = [f"({body.replace('{n}', str(n))})" for n in range(branches)]
    return (
        "CREATE TEMP TABLE sla_judged ON COMMIT DROP AS\nSELECT * FROM ("
        + ("\nUNION ALL\n".join(parts))
        + ") judged"
    )


# The lead ids that cut the organisation's hand-offs into branches of equal size.
BRANCH_CUTS = """
SELECT percentile_disc(%(fractions)s::float8[]) WITHIN GROUP (ORDER BY c.lead_id)
FROM crm_leadstagechange c
WHERE c.organization_id = %(org)s AND c.to_stage = %(handoff)s AND c.at >= %(start)s
    AND c.at < %(end)s
"""

# The judgement written: what changed, from sla_judged.
WRITE_HANDOFFS = f"""
WITH
gone AS (
    DELETE FROM sla_handoff s USING sla_judged d
    WHERE s.organization_id = %(org)s AND s.id = d.stored_id AND d.lead_id IS NULL
    RETURNING 1
),
changed AS (
    UPDATE sla_handoff s SET ({", ".join(JUDGED)}, computed_at, next_due)
        = ({_judged("d")}, %(now)s, d.next_due)
    FROM sla_judged d
    WHERE s.organization_id = %(org)s AND s.id = d.stored_id AND d.lead_id IS NOT NULL
    RETURNING s.*, d.was_late_touch, d.was_few_attempts, d.was_late_decision, d.was_touched,
        d.was_decided
),
added AS (
    INSERT INTO sla_handoff ({HANDOFF_COLUMNS})
    SELECT %(org)s, d.lead_id, d.handoff_at, {_judged("d")}, %(now)s, d.next_due
    FROM sla_judged d WHERE d.stored_id IS NULL
    RETURNING *, false, false, false, false, false
),
-- Only the hand-offs written now can break, or remedy, anything new: the others are as
-- they were when their breaches were recorded and resolved.
written AS (SELECT * FROM changed UNION ALL SELECT * FROM added),
broken AS (
    SELECT w.*, b.kind, b.due,
        CASE b.kind WHEN 'first_touch' THEN w.first_touch_at IS NOT NULL OR w.decision <> ''
            ELSE w.decision <> '' END AS remedied
    FROM written w CROSS JOIN LATERAL (VALUES
            ('first_touch', w.late_touch, w.was_late_touch, w.touch_due),
            ('attempts', w.few_attempts, w.was_few_attempts, w.attempts_due),
            ('decision', w.late_decision, w.was_late_decision, w.decision_due)
        ) AS b(kind, broken, was, due)
    WHERE b.broken AND NOT b.was
        -- The rows with a flag newly raised first, each flag then (most rows have none).
        AND ((w.late_touch AND NOT w.was_late_touch) OR (w.few_attempts AND NOT w.was_few_attempts)
             OR (w.late_decision AND NOT w.was_late_decision))
),
-- Each breach recorded once: its key, looked up in the unique index for each breach found
-- now (few, but for a first run) rather than the organisation's breaches all hashed to
-- be looked through. One found already remedied (touched or decided late) is resolved at
-- once.
recorded AS (
    INSERT INTO sla_breach (organization_id, key, side, kind, agreement_id, lead_id,
                            handoff_at, month, owner_id, due, found_at, resolved_at)
    SELECT %(org)s, b.kind || ':' || b.lead_id || ':' || extract(epoch FROM b.handoff_at)::text,
        'sales', b.kind, b.agreement_id, b.lead_id, b.handoff_at, b.month,
        (SELECT u.id FROM orgs_user u WHERE u.id = b.owner_id), b.due, %(now)s,
        CASE WHEN b.remedied THEN %(now)s END
    FROM broken b
    -- One closed when its flag was lowered (a calendar corrected) is open again if raised,
    -- and unremedied: found now, to be told (and escalated) as a breach found now is.
    ON CONFLICT (organization_id, key) DO UPDATE
        SET resolved_at = NULL, due = EXCLUDED.due, found_at = EXCLUDED.found_at,
            notified_at = NULL, escalated_at = NULL
        WHERE sla_breach.resolved_at IS NOT NULL AND EXCLUDED.resolved_at IS NULL
    RETURNING id
),
-- A breach still open is resolved once the lead is touched, or decided on, after all; or
-- once the hand-off is judged in time after all (the calendar or the terms corrected).
resolved AS (
    UPDATE sla_breach x SET resolved_at = %(now)s
    FROM (SELECT * FROM (SELECT w.*,
            -- A remedy that came now: one there before resolved its breaches then.
            (w.first_touch_at IS NOT NULL AND NOT w.was_touched AND NOT w.was_decided)
                OR (w.decision <> '' AND NOT w.was_decided) AS remedied,
            (w.was_late_touch AND NOT w.late_touch) OR (w.was_few_attempts AND NOT w.few_attempts)
                OR (w.was_late_decision AND NOT w.late_decision) AS lowered
          FROM written w) r WHERE r.remedied OR r.lowered) w  -- the few rows that close one
    WHERE x.organization_id = %(org)s AND x.resolved_at IS NULL AND x.lead_id = w.lead_id
        AND x.handoff_at = w.handoff_at
        AND ((w.remedied
              AND CASE x.kind WHEN 'first_touch' THEN w.first_touch_at IS NOT NULL
                                                       OR w.decision <> ''
                  ELSE w.decision <> '' END)
             OR CASE x.kind WHEN 'first_touch' THEN NOT w.late_touch
                 WHEN 'attempts' THEN NOT w.few_attempts ELSE NOT w.late_decision END)
    RETURNING 1
),
-- A hand-off no longer there (its time edited, its lead merged) leaves nothing open.
vanished AS (
    UPDATE sla_breach x SET resolved_at = %(now)s
    FROM sla_judged d
    WHERE d.lead_id IS NULL AND x.organization_id = %(org)s AND x.resolved_at IS NULL
        AND x.lead_id = d.stored_lead AND x.handoff_at = d.stored_at
    RETURNING 1
),
-- The organisation's hand-offs stored before, in all and judged now (one pass of an index).
stored AS MATERIALIZED (
    SELECT count(*) AS everywhere,
        count(*) FILTER (WHERE handoff_at >= %(start)s AND handoff_at < %(end)s) AS judged
    FROM sla_handoff WHERE organization_id = %(org)s
),
-- Those gone less, those added more.
net AS MATERIALIZED (SELECT (SELECT count(*) FROM added) - (SELECT count(*) FROM gone) AS n)
SELECT (SELECT judged FROM stored) + (SELECT n FROM net),
    (SELECT count(*) FROM written) + (SELECT count(*) FROM gone),
    (SELECT COALESCE(array_agg(id ORDER BY id), '{{}}') FROM recorded),
    (SELECT count(*) FROM resolved) + (SELECT count(*) FROM vanished),
    (SELECT everywhere FROM stored) + (SELECT n FROM net)
"""  # noqa: S608 - the pieces are this module's constants; values are parameters

# The scorecards of some agreements: per month and to date, in all channels and per channel.
SCORECARDS = """
SELECT agreement_id, month, GROUPING(channel_id) = 0 AS by_channel, channel_id,
    count(*) AS handoffs,
    count(DISTINCT lead_id) AS leads,
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
    count(*) FILTER (WHERE NOT few_attempts AND (attempts_due <= %(now)s
                     OR (decision_at IS NOT NULL AND decision_at <= attempts_due))) AS attempts_met,
    count(*) FILTER (WHERE attempts_due <= %(now)s
                     OR (decision_at IS NOT NULL AND decision_at <= attempts_due)) AS attempts_due,
    count(*) FILTER (WHERE won AND first_touch_at IS NOT NULL AND NOT late_touch) AS won_within,
    count(*) FILTER (WHERE won AND late_touch) AS won_late
FROM sla_handoff
WHERE organization_id = %(org)s AND agreement_id = ANY(%(agreements)s::bigint[])
GROUP BY GROUPING SETS ((agreement_id, month), (agreement_id, month, channel_id),
                        (agreement_id), (agreement_id, channel_id))
"""
