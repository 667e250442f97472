"""The change journal: which month x channel cells of the KPI facts a write has made stale.

An outbox: the CRM writes a mark in the same transaction as the change, and whoever keeps
the facts (the kpis app) reads and clears marks only through the functions below, never
the table (`crm_changedcell`, the model ChangedCell) itself.

Marking: every write to leads, their stage history, deals, activities and campaigns calls
one of the mark_* functions in its own transaction, before the change (the cells the
record leaves) and after it (the cells it enters). Marks are set-based SQL so that an
import of a million rows marks a few hundred cells, not a million. Once the transaction
commits, `cells_changed` tells the kpis app to recompute them.

Holding: a long job (an import of a file) writes many waves, each committing its marks.
Announced wave by wave, its cells were recomputed over and over while it ran (in-process
without a broker: most of a million-row import's time). Within `marks_held`, the job's
marks are written as ever but announced once, when it ends, and the beat sweep leaves the
organisation alone meanwhile: its cells are recomputed once.

Reading and clearing: a recompute reads marks as (month, channel, token) and, once their
cells are written, clears those it read by token: a cell marked again meanwhile has a new
token and stays marked for the next run. A mark's time is when its cell went stale: marked
again, a cell keeps it (marking again stamped it anew, so that under a stream of changes
the month every change marks, the current one, always looked the newest and waited behind
every other, and the facts' "as of" showed the last change instead of the oldest still
waiting); cleared while marked again, it becomes the clearing transaction's start, before
which anything the recompute did not read cannot have committed.

Conversions: a move dated after all of its lead's history that takes it past the furthest
stage it had entered changes one count in the month it first entered that stage (its
conversion from there), in the lead's cell. The move records that count
(`crm_changedconversion`, ChangedConversion) instead of marking the month, and whoever keeps
the facts adds it to the stored cell (`take_conversions_sql`), or drops it when it
recomputes the cell from the CRM's rows anyway (`drop_conversions_sql`). Each is recorded
once per move (its stage change's id), by the transaction that records the move, with the
lead locked.

Leads' profiles: the same writes also mark, in the same statement, the leads whose profile
they changed (crm_changedlead: a lead's fields, its company's, its deals' products), and a
company's change marks its leads; an import, a company's delete or a channel's rename marks
"every lead". Once committed, `leads_changed` tells whoever derives values per lead (the
personas' fit), which takes the marks with `take_changed_leads` in its own transaction.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.db.models import F, Min, Window
from django.dispatch import Signal

from crm.models import ChangedCell, ChangedConversion, ChangedLead
from smarketing.lib.advisory import organisation_lock, organisations_holding

logger = logging.getLogger(__name__)

# Sent after commit with `organization_id`: some of its cells were marked.
cells_changed = Signal()
# Sent after commit with `organization_id`: some of its leads' profiles were marked.
leads_changed = Signal()

HOLD = -3  # the advisory lock's second key while a job holds its marks (see marks_held)
# The organisations whose announcements this thread (or task) holds.
_held: ContextVar[frozenset[int]] = ContextVar("crm_journal_held", default=frozenset())

MONTH = "date_trunc('month', {} AT TIME ZONE 'UTC')::date"

# Every month a lead's numbers live in: its creation, its stage changes, its closed deals.
# Activities count in the month the lead reached the hand-off stage, one of its changes.
# An open deal has no month (no close date): its mark, month NULL, is the channel's open
# pipeline. The ids come as an array and each lead's history is looked up laterally, by
# its own index entries: as three semi-joins on an import's 50,000 ids the planner merged
# or hashed whole tables (1.1 s a wave against 0.2 s).
_LEAD_MONTHS = f"""
    SELECT m.month, l.channel_id FROM crm_lead l CROSS JOIN LATERAL (
        SELECT {MONTH.format("l.created_at")} AS month
        UNION ALL SELECT {MONTH.format("c.at")} FROM crm_leadstagechange c WHERE c.lead_id = l.id
        UNION ALL SELECT {MONTH.format("d.closed_at")} FROM crm_deal d WHERE d.lead_id = l.id
    ) m WHERE l.id = ANY(ARRAY({{ids}}))
"""
# A lead's move, given the ids of the stage changes that record it (just written), read
# beside the rest of its lead's history: whether some of that history is dated at or after
# the move (`backdated`), the furthest funnel stage the lead had entered before (its rank,
# code and first entry), and the rank of the stage moved to (NULL: an exit).
_MOVES = """
    SELECT n.id AS change_id, n.at, l.id AS lead_id, l.channel_id, l.campaign_id, l.owner_id, h.backdated,
           h.furthest_at, h.furthest_rank, h.furthest_code,
           (SELECT rank FROM ranks WHERE ranks.code = n.to_stage) AS to_rank
    FROM crm_leadstagechange n JOIN crm_lead l ON l.id = n.lead_id
    CROSS JOIN LATERAL (
        SELECT bool_or(c.at >= n.at) AS backdated, max(s.rank) AS furthest_rank,
            (array_agg(c.at ORDER BY s.rank DESC, c.at) FILTER (WHERE s.rank IS NOT NULL))[1]
                AS furthest_at,
            (array_agg(c.to_stage ORDER BY s.rank DESC, c.at)
                FILTER (WHERE s.rank IS NOT NULL))[1] AS furthest_code
        FROM crm_leadstagechange c LEFT JOIN ranks s ON s.code = c.to_stage
        WHERE c.lead_id = n.lead_id AND c.id <> n.id
    ) h
    WHERE n.id = ANY(ARRAY({ids})) AND n.organization_id = %(org)s
"""
# The funnel's stages (exits aside) by rank, as kpis.sql's positions in the stage codes.
_RANKS = """
    ranks AS (
        SELECT code, row_number() OVER (ORDER BY position, id) AS rank
        FROM crm_lifecyclestage WHERE organization_id = %(org)s AND NOT is_exit
    )
"""
# The months a move changed. By the journeys of kpis.sql, a move dated after all of its
# lead's history changes its own month (a stage reached for the first time, the hand-off
# among them) and, if it goes past the furthest stage the lead had entered, that stage's
# conversion in the month the lead first entered it: that one count, recorded as a
# conversion (see _MOVE_CONVERSIONS) and not as a mark, is all that changes there (a move
# back or out of the funnel records one of none: that month is still announced). A move
# dated at or before some of its history may change when the lead first reached any stage:
# every month of the lead is marked.
# A stream of wins over leads of every age marked nearly every month of an organisation,
# each win all of its lead's; then each marked this month and one other, and the worker
# recomputed them all, round after round; now each marks this month only.
_MOVE_MONTHS = f"""
    SELECT m.month, v.channel_id FROM moves v
    CROSS JOIN LATERAL (
        SELECT {MONTH.format("v.at")} AS month
        UNION ALL SELECT {MONTH.format("l.created_at")} FROM crm_lead l
            WHERE v.backdated AND l.id = v.lead_id
        UNION ALL SELECT {MONTH.format("c.at")} FROM crm_leadstagechange c
            WHERE v.backdated AND c.lead_id = v.lead_id
        UNION ALL SELECT {MONTH.format("d.closed_at")} FROM crm_deal d
            WHERE v.backdated AND d.lead_id = v.lead_id
    ) m
"""
_MOVE_CONVERSIONS = f"""
    INSERT INTO crm_changedconversion (organization_id, change_id, month, channel_id,
                                       campaign_id, owner_id, stage, converted, marked_at)
    SELECT %(org)s, v.change_id, {MONTH.format("v.furthest_at")}, v.channel_id, v.campaign_id,
           v.owner_id, v.furthest_code, COALESCE(v.to_rank > v.furthest_rank, false)::int,
           clock_timestamp()
    FROM moves v
    WHERE NOT v.backdated AND v.furthest_rank IS NOT NULL
    ON CONFLICT (organization_id, change_id) DO NOTHING
"""
_DEAL_MONTHS = f"""
    SELECT {MONTH.format("d.closed_at")} AS month, l.channel_id FROM crm_deal d
    LEFT JOIN crm_lead l ON l.id = d.lead_id WHERE d.id = ANY(ARRAY({{ids}}))
"""
# A campaign's cost is spread over the months it runs, in its own channel.
_CAMPAIGN_MONTHS = """
    SELECT m::date AS month, c.channel_id FROM crm_campaign c,
        generate_series(date_trunc('month', c.start_date), COALESCE(c.end_date, c.start_date), interval '1 month') m
    WHERE c.id = ANY(ARRAY({ids}))
"""
_EVERY_MONTH = " UNION ".join(
    [
        _LEAD_MONTHS.replace("l.id = ANY(ARRAY({ids}))", "l.organization_id = %(org)s"),
        _DEAL_MONTHS.replace("d.id = ANY(ARRAY({ids}))", "d.organization_id = %(org)s"),
        _CAMPAIGN_MONTHS.replace("c.id = ANY(ARRAY({ids}))", "c.organization_id = %(org)s"),
    ]
)


# The leads whose profile a write changed, as SQL selecting `lead_id` (NULL: every lead).
EVERY_LEAD = "SELECT NULL::bigint AS lead_id"
_LEAD_IDS = "SELECT unnest(%(ids)s::bigint[]) AS lead_id"
_LEADS_OF_DEALS = "SELECT lead_id FROM crm_deal WHERE id = ANY(%(ids)s::bigint[])"
# Marked in the cells' own statement, as a data-modifying WITH: no round trip of its own.
_MARK_LEADS = """
    INSERT INTO crm_changedlead (organization_id, lead_id, marked_at)
    SELECT DISTINCT %(org)s::bigint, lead_id, clock_timestamp() FROM ({leads_sql}) l
    WHERE lead_id IS NOT NULL OR {every}
    ON CONFLICT (organization_id, lead_id) DO NOTHING
"""


def _mark(
    cells_sql: str,
    organization_id: int,
    params: dict[str, Any] | None = None,
    *,
    leads_sql: str = "",
    ctes: Sequence[str] = (),
) -> None:
    """Mark the cells `cells_sql` selects and, with `leads_sql`, the leads it selects;
    `ctes` come first in the statement (what `cells_sql` reads, or writes of their own)."""
    if leads_sql:
        every = str(leads_sql == EVERY_LEAD).lower()
        ctes = [*ctes, f"changed_leads AS ({_MARK_LEADS.format(leads_sql=leads_sql, every=every)})"]
    with connection.cursor() as cursor:
        cursor.execute(
            (f"WITH {', '.join(ctes)} " if ctes else "")
            + "INSERT INTO crm_changedcell (organization_id, month, channel_id, token, marked_at) "
            "SELECT %(org)s, month, channel_id, gen_random_uuid(), clock_timestamp() "
            f"FROM (SELECT DISTINCT month, channel_id FROM ({cells_sql}) c) cells "
            "ON CONFLICT (organization_id, month, channel_id) "
            "DO UPDATE SET token = EXCLUDED.token",  # stale since its first mark: see Reading
            {"org": organization_id, **(params or {})},
        )
        if cursor.rowcount:
            _announce(organization_id)
    if leads_sql:
        _announce(organization_id, leads_changed)


def _announce(organization_id: int, signal: Signal = cells_changed) -> None:
    # Many marks in one transaction may announce several times: the receiver coalesces.
    if organization_id in _held.get():
        return  # marks_held announces once, as the job ends
    transaction.on_commit(lambda: signal.send(sender=ChangedCells, organization_id=organization_id))


def mark_lead_profiles(organization_id: int, leads_sql: str, params: dict[str, Any]) -> None:
    """Mark the leads `leads_sql` selects (a column `lead_id`; EVERY_LEAD for all) as
    changed in profile only: no KPI cell changes (a company's industry, a channel's name)."""
    with connection.cursor() as cursor:
        cursor.execute(
            _MARK_LEADS.format(leads_sql=leads_sql, every=str(leads_sql == EVERY_LEAD).lower()),
            {"org": organization_id, **params},
        )
    _announce(organization_id, leads_changed)


def mark_companies(organization_id: int, company_ids: Iterable[int | None]) -> None:
    """A change to these companies changes the profile of each of their leads."""
    if ids := _ids(company_ids):
        mark_lead_profiles(
            organization_id,
            "SELECT id AS lead_id FROM crm_lead WHERE organization_id = %(org)s"
            " AND company_id = ANY(%(ids)s::bigint[])",
            {"ids": ids},
        )


def mark_every_lead(organization_id: int) -> None:
    """Every lead's profile may have changed (a channel renamed; personas approved)."""
    mark_lead_profiles(organization_id, EVERY_LEAD, {})


class ChangedCells:
    """The sender of `cells_changed`."""


@contextmanager
def marks_held(organization_id: int) -> Iterator[None]:
    """Hold the announcements of the marks this job writes for the organisation until it
    ends (however it ends), then announce them once. Other writers' marks are announced
    as ever; the sweep skips the organisation while any job holds it (a shared session
    lock, freed by a job that dies with its connection)."""
    try:
        with organisation_lock(organization_id, HOLD, wait=True, shared=True):
            token = _held.set(_held.get() | {organization_id})
            try:
                yield
            finally:
                _held.reset(token)
    finally:
        try:
            if has_marks(organization_id):
                _announce(organization_id)
            if has_changed_leads(organization_id):
                _announce(organization_id, leads_changed)
        except DatabaseError:  # the job's own failure, likely: let it be the one raised
            logger.warning(
                "marks of organisation %s not announced; the sweep schedules them",
                organization_id,
                exc_info=True,
            )


def organisations_holding_marks() -> set[int]:
    """The organisations whose marks a running job holds (see marks_held)."""
    return organisations_holding(HOLD)


def _ids(ids: Iterable[int | None]) -> list[int]:
    return sorted({i for i in ids if i is not None})


def _mark_ids(
    template: str, organization_id: int, ids: Iterable[int | None], leads_sql: str = ""
) -> None:
    if wanted := _ids(ids):
        ids_sql = "SELECT unnest(%(ids)s::bigint[])"
        _mark(template.format(ids=ids_sql), organization_id, {"ids": wanted}, leads_sql=leads_sql)


def mark_leads(
    organization_id: int, lead_ids: Iterable[int | None], *, profiles: bool = True
) -> None:
    """Mark the cells of these leads and, unless `profiles` is off (a change that leaves
    what the leads are unchanged: their fit to a persona), the leads themselves."""
    _mark_ids(_LEAD_MONTHS, organization_id, lead_ids, _LEAD_IDS if profiles else "")


_LEADS_OF_MOVES = "SELECT lead_id FROM crm_leadstagechange WHERE id = ANY(%(ids)s::bigint[])"


def _move_ctes(ids_sql: str) -> list[str]:
    """What a statement marking moves (_MOVE_MONTHS) reads first, and the conversions of
    those moves it records: each move and its history read once (planned once, too: the
    plan of the statement that marks a win is most of its time)."""
    return [
        _RANKS,
        f"moves AS MATERIALIZED ({_MOVES.format(ids=ids_sql)})",
        f"changed_conversions AS ({_MOVE_CONVERSIONS})",
    ]


def mark_moves(organization_id: int, change_ids: Iterable[int | None]) -> None:
    """Mark the cells that leads' moves changed and the leads, given the ids of the stage
    changes just recorded (in the same transaction; each lead locked since before its move
    was recorded, so that its history as read here is whole): a lead whose only change is a
    move (lead_change_stage) need not have all of its months recomputed, see _MOVE_MONTHS."""
    if wanted := _ids(change_ids):
        ids_sql = "SELECT unnest(%(ids)s::bigint[])"
        _mark(
            _MOVE_MONTHS,
            organization_id,
            {"ids": wanted},
            leads_sql=_LEADS_OF_MOVES,
            ctes=_move_ctes(ids_sql),
        )


def mark_deals(organization_id: int, deal_ids: Iterable[int | None]) -> None:
    # A deal's product is part of its lead's profile.
    _mark_ids(_DEAL_MONTHS, organization_id, deal_ids, _LEADS_OF_DEALS)


# A deal as read before its change, the two columns its cells come from: its close date
# (None: open) and its lead's channel (None: no lead, or a lead without one).
DealAsRead = tuple[datetime | None, int | None]
_DEALS_AS_READ = f"""
    SELECT {MONTH.format("d.closed_at")} AS month, d.channel_id
    FROM unnest(%(closes)s::timestamptz[], %(channels)s::bigint[]) AS d(closed_at, channel_id)
"""


def mark_deals_and_moves(
    organization_id: int,
    deal_ids: Iterable[int | None],
    change_ids: Iterable[int | None] = (),
    *,
    deals_before: Sequence[DealAsRead] = (),
) -> None:
    """mark_deals and mark_moves in one statement, the same cells marked (a won deal and the
    move that made its lead a customer); with `deals_before`, also the cells deals leave,
    given as read (under their lock) before the change: what mark_deals marks before it, in
    the same round trip. A lead's change of channel marks its deals' cells itself
    (mark_leads)."""
    deals, moves = _ids(deal_ids), _ids(change_ids)
    parts = []
    if deals:
        parts.append(_DEAL_MONTHS.format(ids="SELECT unnest(%(deals)s::bigint[])"))
    if moves:
        parts.append(_MOVE_MONTHS)
    if deals_before:
        parts.append(_DEALS_AS_READ)
    params = {
        "deals": deals,
        "moves": moves,
        "closes": [closed for closed, _channel in deals_before],
        "channels": [channel for _closed, channel in deals_before],
    }
    profiles = (
        "SELECT lead_id FROM crm_leadstagechange WHERE id = ANY(%(moves)s::bigint[]) UNION "
        "SELECT lead_id FROM crm_deal WHERE id = ANY(%(deals)s::bigint[])"
    )
    ctes = _move_ctes("SELECT unnest(%(moves)s::bigint[])") if moves else []
    if parts:
        _mark(" UNION ALL ".join(parts), organization_id, params, leads_sql=profiles, ctes=ctes)


def mark_campaigns(organization_id: int, campaign_ids: Iterable[int | None]) -> None:
    _mark_ids(_CAMPAIGN_MONTHS, organization_id, campaign_ids)


def mark_selected(organization_id: int, kind: str, ids_sql: str) -> None:
    """Mark the cells of the leads, deals or campaigns that `ids_sql` selects (imports)."""
    template = {"leads": _LEAD_MONTHS, "deals": _DEAL_MONTHS, "campaigns": _CAMPAIGN_MONTHS}[kind]
    # An import's leads are many: their profiles are read again all at once.
    leads = "" if kind == "campaigns" else EVERY_LEAD
    _mark(template.format(ids=ids_sql), organization_id, leads_sql=leads)


def mark_new_leads(organization_id: int, leads_sql: str) -> None:
    """Mark the cells of leads just created, whose one month is their creation's: their
    entry into the funnel is a stage change at that moment, and nothing refers to them yet.
    `leads_sql` selects their created_at and channel_id; nothing is looked up (an import's
    million new leads were looked up one by one, 6 s, to find what it had just written)."""
    _mark(
        f"SELECT {MONTH.format('created_at')} AS month, channel_id FROM ({leads_sql}) n",
        organization_id,
        leads_sql=EVERY_LEAD,
    )


def mark_everything(organization_id: int, *, profiles: bool = True) -> None:
    """Every cell with data: for changes that touch every number (the stages were reordered);
    and, unless `profiles` is off, every lead."""
    _mark(_EVERY_MONTH, organization_id, leads_sql=EVERY_LEAD if profiles else "")


# A mark as read: its month (None: the channel's open pipeline), its channel (None: leads
# without one) and its token.
Mark = tuple[date | None, int | None, uuid.UUID]


def oldest_marks(organization_id: int, limit: int | None = None) -> list[Mark]:
    """The organisation's marks, the months marked first going first, each with all its
    channels; at most `limit` of them. A month costs the recompute one statement whatever
    its channels, and one write's marks differ in time by microseconds, so by mark alone a
    slice took one channel of each of 200 months."""
    first_marked = Window(Min("marked_at"), partition_by=[F("month")])
    marks = (
        ChangedCell.objects.filter(organization_id=organization_id)
        .annotate(first_marked=first_marked)
        .order_by("first_marked", "month", "channel_id")
    )
    return list(marks.values_list("month", "channel_id", "token")[:limit])


def every_mark(organization_id: int) -> list[Mark]:
    """All of the organisation's marks, in no order (a full recompute clears them all)."""
    return list(
        ChangedCell.objects.filter(organization_id=organization_id).values_list(
            "month", "channel_id", "token"
        )
    )


def clear_marks(organization_id: int, marks: Sequence[Mark]) -> None:
    """Forget the marks read; one re-marked since keeps its new token, and one a writer is
    marking again now is left as it is. Runs in the caller's transaction, so the marks go
    when the cells they stood for are written.
    The marks of some months (or of the open pipeline) are found through their months, in
    the unique index: by token alone, a month's clearing read all of an organisation's
    hundred thousand marks (40 ms a month, eight times the month's recompute)."""
    params: dict[str, Any] = {
        "org": organization_id,
        "months": [month for month, _, _ in marks],
        "channels": [channel for _, channel, _ in marks],
        "tokens": [token for _, _, token in marks],
    }
    within = ""
    months = set(params["months"])
    if months == {None}:
        within = "AND c.month IS NULL"
    elif months and None not in months:
        params["first"], params["last"] = min(months), max(months)
        within = "AND c.month BETWEEN %(first)s AND %(last)s"
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH seen AS (SELECT * FROM unnest(%(months)s::date[], %(channels)s::int[], "
            "    %(tokens)s::uuid[]) AS s(month, channel_id, token)), "
            # The marks read, as they are now: skipped if a writer holds one (marking it
            # again: it stays, stale since before), so that clearing never waits for a
            # writer that may wait for a mark this clearing holds. Joined on keys that hash
            # (month and channel may be NULL): IS NOT DISTINCT FROM looped over every pair.
            "held AS (SELECT c.id, c.token = seen.token AS cleared FROM crm_changedcell c "
            "    JOIN seen ON COALESCE(c.month, '-infinity') = COALESCE(seen.month, '-infinity') "
            "    AND COALESCE(c.channel_id, -1) = COALESCE(seen.channel_id, -1) "
            f"    WHERE c.organization_id = %(org)s {within} FOR UPDATE OF c SKIP LOCKED), "
            "gone AS (DELETE FROM crm_changedcell c USING held WHERE c.id = held.id AND held.cleared) "
            # Marked again since read: stale since this transaction began at the latest.
            "UPDATE crm_changedcell c SET marked_at = GREATEST(c.marked_at, now()) FROM held "
            "WHERE c.id = held.id AND NOT held.cleared",
            params,
        )


def waiting_count(organization_id: int) -> int:
    """How many cells of the organisation wait for a recompute, and conversions to add."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {waiting_count_sql()}", {"org": organization_id})
        return int(cursor.fetchone()[0])


def waiting_count_sql() -> str:
    """`waiting_count` as a scalar subquery of the parameter `%(org)s`, for the one hot
    statement that reads it beside its own columns in a single round trip (the freshness of
    /api/v1/kpis/: a second statement cost 0.2 ms a request). The table is still named here
    only, and the organisation travels as a parameter, never in the text."""
    return (
        "((SELECT count(*) FROM crm_changedcell WHERE organization_id = %(org)s)"
        " + (SELECT count(*) FROM crm_changedconversion WHERE organization_id = %(org)s))"
    )


def has_marks(organization_id: int) -> bool:
    """Whether a cell is marked or a conversion waits to be added."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM crm_changedcell WHERE organization_id = %(org)s)"
            " OR EXISTS (SELECT 1 FROM crm_changedconversion WHERE organization_id = %(org)s)",
            {"org": organization_id},
        )
        return bool(cursor.fetchone()[0])


def oldest_mark_at(organization_id: int) -> datetime | None:
    """When the longest-waiting mark (or conversion) of the organisation was made; None if
    none waits."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT LEAST((SELECT min(marked_at) FROM crm_changedcell"
            "              WHERE organization_id = %(org)s),"
            "             (SELECT min(marked_at) FROM crm_changedconversion"
            "              WHERE organization_id = %(org)s))",
            {"org": organization_id},
        )
        first: datetime | None = cursor.fetchone()[0]
    return first


def organisations_marked_before(moment: datetime) -> set[int]:
    """The organisations with a mark made before `moment`, waiting past any coalescing,
    but not those a running job holds: it announces its marks as it ends."""
    marked = {
        organization_id
        for model in (ChangedCell, ChangedConversion)
        for organization_id in model.objects.filter(marked_at__lt=moment)
        .values_list("organization_id", flat=True)
        .distinct()
    }
    return marked - organisations_holding_marks() if marked else marked


# --- conversions (see ChangedConversion) ---


def conversion_months(organization_id: int) -> list[date]:
    """The months with conversions waiting to be added, ascending."""
    return list(
        ChangedConversion.objects.filter(organization_id=organization_id)
        .values_list("month", flat=True)
        .distinct()
        .order_by("month")
    )


def conversion_cells(organization_id: int) -> list[tuple[date, int | None]]:
    """The month x channel cells with conversions waiting to be added."""
    return list(
        ChangedConversion.objects.filter(organization_id=organization_id)
        .values_list("month", "channel_id")
        .distinct()
    )


def take_conversions_sql() -> str:
    """A statement's CTE body taking (deleting) the conversions of the months
    `%(conversion_months)s` of the organisation `%(org)s`, as they are in its snapshot, and
    returning them: `month, channel_id, campaign_id, owner_id, stage, converted`, one row
    for each move (`converted` 1: one more lead converted from the stage, 0: none). The
    caller adds them to its cells in the same statement, under the months' locks, and
    announces their months."""
    return (
        "DELETE FROM crm_changedconversion WHERE organization_id = %(org)s"
        " AND month = ANY(%(conversion_months)s::date[])"
        " RETURNING month, channel_id, campaign_id, owner_id, stage, converted"
    )


def drop_conversions_sql(where: str) -> str:
    """A statement's CTE body dropping the conversions of the organisation `%(org)s` that
    `where` (a condition on `month` and `channel_id`) selects: those of the cells the
    statement recomputes from the CRM's rows, as they are in its snapshot (the moves behind
    them are in it too, and counted). A conversion committed after the snapshot stays."""
    return f"DELETE FROM crm_changedconversion WHERE organization_id = %(org)s AND {where}"


def mark_cells(organization_id: int, cells: Sequence[tuple[date, int | None]]) -> None:
    """Mark these month x channel cells (a conversion found no cell to add to)."""
    if cells:
        _mark(
            "SELECT * FROM unnest(%(months)s::date[], %(channels)s::int[]) AS c(month, channel_id)",
            organization_id,
            {
                "months": [month for month, _ in cells],
                "channels": [channel for _, channel in cells],
            },
        )


# --- leads' profiles ---


def has_changed_leads(organization_id: int) -> bool:
    return ChangedLead.objects.filter(organization_id=organization_id).exists()


def take_changed_leads(organization_id: int) -> list[int] | None:
    """The leads marked as changed in profile, their marks taken (deleted) in the caller's
    transaction, which is to write what it derives from them before it commits; None when
    every lead is to be read again. A lead marked while the caller runs keeps its mark (its
    insert waits for the caller's delete to commit) for the next reader."""
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM crm_changedlead WHERE organization_id = %s RETURNING lead_id",
            [organization_id],
        )
        ids = [row[0] for row in cursor.fetchall()]
    return None if None in ids else ids


def organisations_with_changed_leads_before(moment: datetime) -> set[int]:
    """The organisations with a lead marked before `moment` (the sweep's), not those a
    running job holds."""
    marked = set(
        ChangedLead.objects.filter(marked_at__lt=moment).values_list("organization_id", flat=True)
    )
    return marked - organisations_holding_marks() if marked else marked
