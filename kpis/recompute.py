"""Every write to the KPI facts: recompute the changed cells, recompute everything, check.

The months marked are recomputed a span at a time (see SPAN), each span in its own
transaction under advisory locks on (organisation, month) for every month it rewrites, so
two workers on the same cells take turns and the second finds the first's result; the
whole organisation is locked for a full recompute. The KPI facts and the persona facts are
written by one statement (kpis.persona_sql). The CRM's marks are read and
cleared through its journal (crm.journal); a recompute clears only the marks it read (by
token), so a change committed meanwhile stays marked for the next run.
An incremental recompute may be given a budget of cells and seconds (a slice, see
kpis/turns.py): it takes the oldest marks first and leaves the rest marked.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from crm.journal import (
    Mark,
    clear_marks,
    conversion_cells,
    conversion_months,
    every_mark,
    mark_cells,
    oldest_mark_at,
    oldest_marks,
    waiting_count,
)
from crm.selectors import StageRole, funnel_stage_codes, stage_with_role
from kpis.models import KpiFact, KpiState
from kpis.persona_sql import (
    DELETE_PERSONA_FACTS,
    INSERT_ALL_FACTS_AND_PERSONA_FACTS,
    INSERT_FACTS_AND_PERSONA_FACTS,
    PERSONA_FACT_COLUMNS,
    PERSONA_SELECT_ALL,
)
from kpis.sql import (
    ADD_CONVERSIONS,
    DELETE_FACTS,
    DELETE_PIPELINE,
    FACT_COLUMNS,
    FACTS_SELECT_ALL,
    INSERT_PIPELINE,
    PIPELINE_COLUMNS,
    PIPELINE_SELECT,
)
from smarketing.lib.months import add_months, months_spanned

logger = logging.getLogger(__name__)

BEGINNING = datetime(1, 1, 1, tzinfo=UTC)
END_OF_TIME = datetime(9999, 12, 1, tzinfo=UTC)
WHOLE_ORGANISATION = 0  # the advisory lock's month for a full recompute


@dataclass(frozen=True)
class Recomputed:
    cells: int  # month x channel cells recomputed
    months: list[date]
    left: int = 0  # cells still marked when the budget ran out


def _channels(marks: list[Mark] | None = None) -> dict[str, Any]:
    """The channel filter of the SQL: the channels marked, or every channel."""
    if marks is None:
        return {"all_channels": True, "channels": [], "no_channel": False}
    channels = [channel for _, channel, _ in marks]
    return {
        "all_channels": False,
        "channels": [c for c in channels if c is not None],
        "no_channel": None in channels,
    }


def _params(
    organization_id: int, start: datetime, end: datetime, channels: dict[str, Any]
) -> dict[str, Any]:
    codes = funnel_stage_codes(organization_id)
    handoff = stage_with_role(organization_id, StageRole.HANDOFF)
    return {
        "org": organization_id,
        "start": start,
        "end": end,
        "codes": codes,
        "handoff": handoff,
        **channels,
        "positions": list(range(1, len(codes) + 1)),
    }


def _lock(cursor: Any, organization_id: int, months: list[date] | None) -> None:
    """The whole organisation (`months` None), or every month from the first of `months`
    to the last, taken in ascending order (as every run takes them: two runs over
    overlapping months cannot deadlock)."""
    # Not a lock, but the start of every recompute's transaction: the statement's estimates
    # are large enough to turn JIT on, which then spent 4 s compiling a 1 s incremental query.
    cursor.execute("SET LOCAL jit = off")
    if months is None:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, %s)", [organization_id, WHOLE_ORGANISATION]
        )
    else:
        cursor.execute(
            "SELECT pg_advisory_xact_lock_shared(%s, %s)", [organization_id, WHOLE_ORGANISATION]
        )
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, m) FROM unnest(%s::int[]) AS m ORDER BY m",
            [organization_id, [m.year * 100 + m.month for m in _calendar(months)]],
        )


def _calendar(months: list[date]) -> list[date]:
    """Every month from the first of `months` to the last."""
    first, last = min(months), max(months)
    return [add_months(first, i) for i in range(months_spanned(first, last))]


def _plan_for_every_row(cursor: Any) -> None:
    """A statement over all of an organisation's history joins whole tables: hash joins
    whatever the estimates. Statistics that predate a bulk write estimate one row, and the
    planner then looped over the stage changes once per lead (20,000 leads: past a 5 s
    timeout, for hours at a million); with nested loops off the same run takes 0.5 s,
    and with fresh statistics the plan and its time are the same either way.
    (The incremental statement keeps them: it looks a few movers up by lead.)"""
    cursor.execute("SET LOCAL enable_nestloop = off")


def _hash_every_group(cursor: Any) -> None:
    """The full recompute's statement groups a million leads' rows into a few thousand
    cells, through CTEs that have no statistics: estimated at tens of thousands of groups,
    they were sorted on disk (about a second of a 5 s recompute) where hashing them takes a
    few hundred kilobytes. Sorts the statement needs (the runs' window) stay."""
    cursor.execute("SET LOCAL enable_sort = off")


def kpis_recompute_changed(
    *, organization_id: int, max_cells: int | None = None, max_seconds: float | None = None
) -> Recomputed:
    """Recompute the cells marked as changed, oldest marks first: the open pipeline of the
    channels marked for it, then the months marked, a span of them at a time (see SPAN),
    as long as the next span, taking what those done took on average, ends within
    `max_seconds` (one span at least, so that every run makes progress). With `max_cells`, only that many of
    the oldest marks are read. What is not done stays marked for a later run."""
    started, clock = timezone.now(), time.monotonic()
    converted = _add_conversions(organization_id)
    marks = oldest_marks(organization_id, max_cells)
    by_month: dict[date, list[Mark]] = defaultdict(list)
    pipeline: list[Mark] = []
    for mark in marks:
        (pipeline if mark[0] is None else by_month[mark[0]]).append(mark)
    if pipeline:
        _recompute_pipeline(organization_id, pipeline)
    cells = len(pipeline)
    months: list[date] = []
    for done, span in enumerate(_spans(by_month)):
        # A span costs mostly its statement's fixed part, whatever its months: the next is
        # expected to take what the spans done took on average.
        spent = time.monotonic() - clock
        if done and max_seconds is not None and spent * (1 + 1 / done) > max_seconds:
            break  # the next span would end past the budget: it stays marked
        span_marks = [mark for month in span for mark in by_month[month]]
        _recompute_months(organization_id, span, span_marks)
        cells += len(span_marks)
        months.extend(span)
    _record_freshness(organization_id, started)
    left = waiting_count(organization_id)
    return Recomputed(cells=cells, months=sorted({*months, *converted}), left=left)


# A run that waits for nothing else (no broker: tasks run in-process) recomputes everything
# once the marks span at least this share of the organisation's months: a month costs about
# a fifth of a full recompute (an import of a million leads marked 23 months: 36 s one by
# one, 8 s whole; 3.7 s whole since the runs of kpis.sql).
WHOLE_FROM_SHARE = 0.25


def kpis_recompute_waiting(*, organization_id: int) -> Recomputed:
    """Recompute every waiting cell at once: month by month, or in full when they span many
    of the organisation's months. For runs in-process; with a broker, slices keep each
    organisation's turn short (kpis.turns)."""
    months = {month for month, _, _ in oldest_marks(organization_id) if month is not None}
    known = KpiFact.objects.filter(organization_id=organization_id).values("month").distinct()
    if months and len(months) >= WHOLE_FROM_SHARE * known.count():
        # The months of the conversions waiting are rewritten too (their counts dropped):
        # announced with the months marked.
        months.update(conversion_months(organization_id))
        kpis_recompute_full(organization_id=organization_id)
        return Recomputed(cells=0, months=sorted(months))
    return kpis_recompute_changed(organization_id=organization_id)


# The months marked are recomputed a span at a time: one statement over all the months of
# a span, for every channel marked in any of them, where each month took its own statement.
# A statement's cost is mostly its fixed part (planning, the movers' look-ups, the writes):
# 34 months of 100,000 leads took 3.5 s one by one and 1.4 s in spans of 12 (1.2 s in one).
# A stream of deal wins marks most months (each win its own month and where its lead went
# on from), so a recompute that keeps up with it runs in a third of the time. A month in a
# span that was not marked is rewritten as it was; a span stays short enough for a slice.
SPAN = 12


def _spans(by_month: dict[date, list[Mark]]) -> list[list[date]]:
    """The months marked (`by_month` in the order their marks were made) in spans of at
    most SPAN calendar months, the span with the longest-waiting mark first."""
    spans: list[list[date]] = []
    for month in sorted(by_month):
        if spans and month < add_months(spans[-1][0], SPAN):
            spans[-1].append(month)
        else:
            spans.append([month])
    waited = {month: rank for rank, month in enumerate(by_month)}
    return sorted(spans, key=lambda span: min(waited[month] for month in span))


def _recompute_months(organization_id: int, months: list[date], marks: list[Mark]) -> None:
    """The cells of `months` (ascending) in the channels `marks` name, in one statement."""
    start = datetime(months[0].year, months[0].month, 1, tzinfo=UTC)
    end_month = add_months(months[-1], 1)
    end = datetime(end_month.year, end_month.month, 1, tzinfo=UTC)
    params = _params(organization_id, start, end, _channels(marks))
    with transaction.atomic(), connection.cursor() as cursor:
        _lock(cursor, organization_id, months)
        cursor.execute(DELETE_FACTS, params)
        cursor.execute(DELETE_PERSONA_FACTS, params)
        cursor.execute(INSERT_FACTS_AND_PERSONA_FACTS, params)
        clear_marks(organization_id, marks)


def _add_conversions(organization_id: int) -> list[date]:
    """Add the conversions waiting (crm.ChangedConversion) to their cells, a span of months
    at a time (see SPAN) under the locks of its months: a recompute of one of those months
    either ran before (its facts lack the move, whose conversion is added now) or runs
    after (its snapshot has the move: none of its conversions is left). One that finds no
    cell to add to has its cell marked. A handful of rows, where the months they are in
    took a recompute each. Returns the months whose conversions were taken, to announce."""
    taken: list[date] = []
    for span in _spans({month: [] for month in conversion_months(organization_id)}):
        with transaction.atomic(), connection.cursor() as cursor:
            _lock(cursor, organization_id, span)
            _plan_for_every_row(cursor)
            cursor.execute(ADD_CONVERSIONS, {"org": organization_id, "conversion_months": span})
            cells = cursor.fetchall()
            mark_cells(organization_id, [(month, ch) for month, ch, missing in cells if missing])
        taken.extend(month for month, _ch, _missing in cells)
    return taken


def _recompute_pipeline(
    organization_id: int, marks: list[Mark] | None = None, check: bool = False
) -> int:
    """The open pipeline of the channels marked, or of every channel; with `check`, first
    the rows that differ from what is stored (channels marked meanwhile aside)."""
    params = {"org": organization_id, **_channels(marks)}
    differences = 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")  # as in _lock: it cost 0.4 s a run
        if marks is None:
            _plan_for_every_row(cursor)
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [organization_id, -1])
        if check:
            differences = _compare(cursor, params, _PIPELINE)
        cursor.execute(DELETE_PIPELINE, params)
        cursor.execute(INSERT_PIPELINE, params)
        if marks:
            clear_marks(organization_id, marks)
    return differences


def _record_freshness(organization_id: int, started: datetime, **fields: Any) -> None:
    """As of: when this run started, or the oldest change still waiting if there is one."""
    waiting = oldest_mark_at(organization_id)
    as_of = min(started, waiting) if waiting else started
    state, _ = KpiState.objects.get_or_create(organization_id=organization_id)
    if state.as_of is None or as_of > state.as_of or waiting:
        state.as_of = as_of
    for name, value in fields.items():
        setattr(state, name, value)
    state.version = F("version") + 1
    state.save()


def kpis_recompute_full(*, organization_id: int, check: bool = False) -> int:
    """Recompute every cell of the organisation and its open pipeline. With `check`, first
    compare the stored facts and pipeline with the recomputed ones (cells still marked as
    changed aside) and log any difference: the incremental path should never drift.
    Returns the differences found."""
    started = timezone.now()
    differences = 0
    params = _params(organization_id, BEGINNING, END_OF_TIME, _channels())
    with transaction.atomic(), connection.cursor() as cursor:
        _lock(cursor, organization_id, None)
        _plan_for_every_row(cursor)
        _hash_every_group(cursor)
        marks = every_mark(organization_id)
        if check:
            differences = _compare(cursor, params, _FACTS) + _compare(cursor, params, _PERSONA)
        cursor.execute(DELETE_FACTS, params)
        cursor.execute(DELETE_PERSONA_FACTS, params)
        cursor.execute(INSERT_ALL_FACTS_AND_PERSONA_FACTS, params)
        clear_marks(organization_id, marks)
    differences += _recompute_pipeline(organization_id, check=check)
    now = timezone.now()
    extra: dict[str, Any] = {"last_full_at": now}
    if check:
        extra |= {"last_check_at": now, "last_check_differences": differences}
    _record_freshness(organization_id, started, **extra)
    return differences


@dataclass(frozen=True)
class _Compared:
    """A stored table, the statement that recomputes it whole, and how a row is named."""

    what: str
    table: str
    select: str
    columns: list[str]
    key: list[str]  # the columns that name a row, the channel among them
    pending: str  # a waiting mark (alias m) that excuses a row (alias x)


_FACTS = _Compared(
    "cell",
    "funnel_kpifact",
    FACTS_SELECT_ALL,
    FACT_COLUMNS,
    ["month", "channel_id", "campaign_id", "owner_id", "leads"],
    "m.month = x.month",
)
_PERSONA = _Compared(
    "persona cell",
    "kpis_personafact",
    PERSONA_SELECT_ALL,
    PERSONA_FACT_COLUMNS,
    ["month", "channel_id", "campaign_id", "persona_id", "leads"],
    "m.month = x.month",
)
_PIPELINE = _Compared(
    "pipeline row",
    "funnel_pipelinefact",
    PIPELINE_SELECT,
    PIPELINE_COLUMNS,
    ["channel_id", "owner_id", "stage", "deals", "amount"],
    "m.month IS NULL",
)


def _compare(cursor: Any, params: dict[str, Any], compared: _Compared) -> int:
    """Log and count the rows of `compared` stored but not recomputed, and the other way."""
    organization_id = params["org"]
    columns = ", ".join(c for c in compared.columns if c != "organization_id")
    stored = f"SELECT {columns} FROM {compared.table} WHERE organization_id = %(org)s"
    cursor.execute("DROP TABLE IF EXISTS kpi_full")
    cursor.execute(f"CREATE TEMP TABLE kpi_full ON COMMIT DROP AS {compared.select}", params)
    # The cells still marked are excused: read from the journal after the recompute above,
    # so that a change committed while it ran is among them.
    waiting = [(month, channel) for month, channel, _ in every_mark(organization_id)]
    waiting += conversion_cells(organization_id)  # their cells lack them until added
    cursor.execute(
        f"""
        SELECT x.side, {", ".join(f"x.{c}" for c in compared.key)} FROM (
            (SELECT 'stored' AS side, * FROM ({stored}) s
             EXCEPT SELECT 'stored', {columns} FROM kpi_full)
            UNION ALL
            (SELECT 'recomputed', {columns} FROM kpi_full
             EXCEPT SELECT 'recomputed', * FROM ({stored}) s)
        ) x
        WHERE NOT EXISTS (
            SELECT 1 FROM unnest(%(months)s::date[], %(channels)s::int[]) AS m(month, channel_id)
            WHERE {compared.pending} AND m.channel_id IS NOT DISTINCT FROM x.channel_id)
        ORDER BY {", ".join(f"x.{c}" for c in compared.key)}, x.side
        """,
        {
            "org": organization_id,
            "months": [month for month, _ in waiting],
            "channels": [channel for _, channel in waiting],
        },
    )
    rows = cursor.fetchall()
    for row in rows[:20]:
        logger.error(
            "kpi check, organisation %s: %s %s differs: %s",
            organization_id,
            row[0],
            compared.what,
            row[1:],
        )
    if rows:
        logger.error(
            "kpi check, organisation %s: %d %ss differ", organization_id, len(rows), compared.what
        )
    cursor.execute("DROP TABLE kpi_full")
    return len(rows)
