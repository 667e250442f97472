"""Compliance, kept fresh: the hand-offs an agreement covers are judged by one set-based
statement (sla.compliance_sql), their scorecards aggregated from them, and the commitments
broken recorded as breaches, once each, whose owners are then told (sla.services.breaches).

Runs in the background: after the KPI facts of some months are rewritten (a lead handed
over, touched, decided on, deleted), after an agreement is signed or amended or the
calendar changes (everything), and every few minutes for the clocks still running (a
deadline passing is a change nobody writes). Each run holds the organisation's SLA lock,
so two workers take turns and the second finds the first's result.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Min

from crm.selectors import StageRole, funnel_stage_codes, stage_with_role
from orgs.models import Organization
from personas.selectors import approved_persona_names
from sla.calendar import after_business_hours, windows_between
from sla.clock import Terms, business_day_hours, longest_clock
from sla.compliance_sql import (
    BRANCH_CUTS,
    DELETE_HANDOFFS,
    SCORECARDS,
    WRITE_HANDOFFS,
    judge_handoffs,
)
from sla.models import AgreementVersion, BusinessCalendar, ComplianceMark, Scorecard
from sla.selectors import calendar_of, signed_versions, version_at
from sla.services.breaches import breaches_notify_later, month_breaches_record
from smarketing.lib.enqueue import send_once
from smarketing.lib.months import add_months, month_start, months_spanned

logger = logging.getLogger(__name__)

LOCK = -7  # the advisory lock's second key (smarketing/lib/advisory.py lists the others)
RECOMPUTE_TASK = "sla.tasks.sla_recompute_task"
BEGINNING = datetime(1, 1, 1, tzinfo=UTC)
END_OF_TIME = datetime(9999, 12, 1, tzinfo=UTC)
# Working windows past the last agreement's end: touches and deadlines after it still count.
HORIZON_DAYS = 400


@dataclass(frozen=True)
class Recomputed:
    handoffs: int  # hand-offs judged
    breaches: int  # new breaches recorded


def _version_arrays(
    versions: list[AgreementVersion], zone: ZoneInfo, day_hours: float
) -> dict[str, Any]:
    """The versions as pieces of time for the statement: from v_from[k] on, a hand-off is
    judged by version v_id[k] (None between agreements) and counted in month v_month[k].
    Which version judges a hand-off changes only where an agreement starts or ends (in the
    organisation's zone) or a version comes into force, so version_at itself, asked at
    each of those instants, gives every piece; each month's first instant cuts them too,
    so that the one binary search finding a hand-off's version finds its month."""
    cuts = {v.in_force_at for v in versions if v.in_force_at}  # signed: all of them
    first = min(v.agreement.first_month for v in versions)
    last = max(v.agreement.last_month for v in versions)
    cuts |= {
        datetime.combine(add_months(first, n), time.min, tzinfo=zone)
        for n in range(months_spanned(first, last) + 1)
    }
    pieces: list[tuple[datetime, AgreementVersion | None, date]] = []
    for cut in sorted(cuts):
        version, month = version_at(versions, cut, zone), month_start(cut.astimezone(zone).date())
        if not pieces or pieces[-1][1:] != (version, month):
            pieces.append((cut, version, month))
    day = day_hours * 3600

    def each(value: Any) -> list[Any]:
        return [value(v) if v is not None else None for _cut, v, _month in pieces]

    return {
        "v_from": [cut for cut, _v, _month in pieces],
        "v_month": [month for _cut, _v, month in pieces],
        "v_id": each(lambda v: v.pk),
        "v_agreement": each(lambda v: v.agreement_id),
        "v_touch": each(lambda v: float(v.first_touch_hours) * 3600),
        "v_attempts": each(lambda v: v.attempts),
        "v_attempts_s": each(lambda v: day * v.attempts_days),
        "v_decision_s": each(lambda v: day * v.decision_days),
    }


def _float_array(values: list[float]) -> str:
    """The working windows' numbers as one array literal, written once: the statement names
    each array several times, and the driver would write a list out again at each (a
    thousand numbers each time: a tenth of a second in all)."""
    return "{" + ",".join(map(repr, values)) + "}"


def _span(versions: list[AgreementVersion], now: datetime) -> tuple[date, date]:
    """The local days the working windows must cover: from the day before the first
    agreement starts to well past the last one's end (or now), with room for its longest
    deadline."""
    first = min(v.agreement.first_month for v in versions) - timedelta(days=1)
    last = max(add_months(max(v.agreement.last_month for v in versions), 1), now.date())
    return first, last + timedelta(days=HORIZON_DAYS)


def compliance_recompute(
    *, organization_id: int, start: datetime | None = None, end: datetime | None = None,
    now: datetime,
) -> Recomputed:  # fmt: skip
    """Judge the hand-offs from `start` to `end` (all of them by default) by the agreements
    covering them, rewrite the scorecards of those agreements, and record the breaches
    found; their owners are told after commit."""
    organization = Organization.objects.get(pk=organization_id)
    versions = signed_versions(organization)
    start, end = start or BEGINNING, end or END_OF_TIME
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [organization_id, LOCK])
        params: dict[str, Any] = {"org": organization_id, "start": start, "end": end, "now": now}
        handoff = stage_with_role(organization, StageRole.HANDOFF)
        if not versions or handoff is None:
            cursor.execute(DELETE_HANDOFFS, params)
            Scorecard.objects.filter(organization_id=organization_id).delete()
            return Recomputed(0, 0)
        calendar = calendar_of(organization)
        first, last = _span(versions, now)
        working = calendar.working_time(first.year, last.year)
        last = max(last, _longest_deadline(versions, working, last))
        windows = windows_between(working, first, last)
        codes = funnel_stage_codes(organization)
        params |= {
            "handoff": handoff,
            "onwards": codes[codes.index(handoff) + 1 :] if handoff in codes else [],
            "opens": _float_array(windows.opens),
            "closes": _float_array(windows.closes),
            "before": _float_array(windows.before),
            "shifts": _float_array(windows.shifts),
            **_version_arrays(versions, working.zone, float(business_day_hours(working))),
        }
        # Without an approved persona no lead fits one: no look-up a hand-off.
        fits = bool(approved_persona_names(organization))
        judged, written, new, stored = _handoffs_write(cursor, params, fits=fits)
        agreements = sorted({v.agreement_id for v in versions})
        cards = Scorecard.objects.filter(organization_id=organization_id)
        kept = list(cards.filter(month__isnull=True, by_channel=False, agreement_id__in=agreements))
        # A lead deleted takes its hand-offs with it in the database, unseen by the diff:
        # the stored hand-offs must still be the ones counted.
        same = len(kept) == len(agreements) and stored == sum(c.handoffs for c in kept)
        if written or not same:
            _scorecards_write(cursor, organization_id, agreements, now)
        else:  # nothing judged otherwise: the same figures, as of now
            cards.update(computed_at=now)
        new += month_breaches_record(organization, versions, working, now=now)
        breaches_notify_later(organization_id, new)
    return Recomputed(judged, len(new))


# The statements' planner settings (each back to its default after them). Every join is
# keyed by the lead, merged or hashed (see compliance_sql): nested loops only where a look-up
# by the lead's own index entries asks for one. The breaches too: the hand-offs just
# written have no statistics yet, and a nested loop over them probed the breaches once a
# hand-off (200,000 against 150,000 open breaches: over 15 minutes).
JUDGING = {
    "enable_nestloop": "off",
    # The judgement flows in the lead's order: merged with the queue's decisions, the won
    # deals and the stored rows as it comes, rather than hashed.
    "enable_hashjoin": "off",
    # Each look-up is of one hand-off's own lead: none is asked twice, nothing to cache.
    "enable_memoize": "off",
    # The touches are counted a hand-off as they come, in its order: not hashed, then sorted.
    "enable_hashagg": "off",
    # The stored rows sorted in memory (about 200 bytes a hand-off), in each worker.
    "work_mem": "64MB",
    # The branches side by side, each whole in one process (a worker or the leader): no
    # scan is split among workers, and nothing but the branches' count decides the plan.
    "parallel_setup_cost": "0",
    "parallel_tuple_cost": "0",
    "min_parallel_table_scan_size": "1000GB",
    "min_parallel_index_scan_size": "1000GB",
}
WRITING = {
    "enable_nestloop": "off",
    # What changed hashed by its key against the stored rows and breaches, not sorted.
    "enable_mergejoin": "off",
    "work_mem": "64MB",
}
# Bounds of a bigint: the first branch starts at the one, the last ends at the other.
LOWEST, HIGHEST = -(2**63), 2**63 - 1


def _branches(cursor: Any, params: dict[str, Any]) -> dict[str, int]:
    """The lead ids bounding each branch of the judgement (lo_N to hi_N): SLA_JUDGE_BRANCHES
    ranges holding as many of the organisation's hand-offs each, together every id."""
    count = settings.SLA_JUDGE_BRANCHES
    cuts: list[int] = []
    if count > 1:
        fractions = [n / count for n in range(1, count)]
        # The hand-offs' lead ids sorted in memory (8 bytes each; 4MB spilled them to disk).
        row = _with_settings(
            cursor, {"work_mem": "64MB"}, BRANCH_CUTS, params | {"fractions": fractions}
        )
        cuts = sorted(set(row[0] or [])) if row else []
    lows, highs = [LOWEST, *cuts], [cut - 1 for cut in cuts] + [HIGHEST]
    ranges = {f"lo_{n}": low for n, low in enumerate(lows)}
    return ranges | {f"hi_{n}": high for n, high in enumerate(highs)}


def _handoffs_write(
    cursor: Any, params: dict[str, Any], *, fits: bool
) -> tuple[int, int, list[int], int]:
    """Judge the hand-offs (into the temporary table sla_judged: only those judged otherwise
    than stored) and write what changed: the hand-offs judged, the rows written, the new
    breaches' ids, and the organisation's hand-offs stored now."""
    cursor.execute("DROP TABLE IF EXISTS pg_temp.sla_judged")
    ranges = _branches(cursor, params)
    branches = len(ranges) // 2
    judging = JUDGING | {"max_parallel_workers_per_gather": str(branches if branches > 1 else 0)}
    _with_settings(cursor, judging, judge_handoffs(branches, fits=fits), params | ranges)
    row = _with_settings(cursor, WRITING, WRITE_HANDOFFS, params)
    assert row is not None  # the statement's one row of counts
    judged, written, new, _resolved, stored = row
    cursor.execute("DROP TABLE pg_temp.sla_judged")
    return judged, written, new, stored


def _with_settings(
    cursor: Any, settings: dict[str, str], sql: str, params: dict[str, Any]
) -> tuple[Any, ...] | None:
    """Run `sql` with the planner `settings`; its row, if it returns one."""
    for name, value in settings.items():
        cursor.execute(f"SET LOCAL {name} = '{value}'")
    cursor.execute(sql, params)
    row = cursor.fetchone() if cursor.description else None
    for name in settings:
        cursor.execute(f"SET LOCAL {name} TO DEFAULT")
    return row


def _longest_deadline(versions: list[AgreementVersion], working: Any, last: date) -> date:
    """The day the longest of the agreements' deadlines, started on `last`, runs out."""
    longest = max(longest_clock(Terms.of(v), working) for v in versions)
    start = datetime.combine(last, datetime.min.time(), tzinfo=working.zone)
    try:
        return after_business_hours(start, longest, working).date() + timedelta(days=1)
    except ValueError:  # a calendar without working hours: nothing ever falls due
        return last


def _scorecards_write(
    cursor: Any, organization_id: int, agreements: list[int], now: datetime
) -> None:
    # The hand-offs sorted for the grouping sets in memory (4MB spilled 20MB to disk).
    cursor.execute("SET LOCAL work_mem = '64MB'")
    cursor.execute(SCORECARDS, {"org": organization_id, "agreements": agreements, "now": now})
    names = [c.name for c in cursor.description]
    rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    cursor.execute("SET LOCAL work_mem TO DEFAULT")
    # Every agreement has its to-date row, zeros without hand-offs: when it was last judged
    # is what the sweep reads to judge a month that ended.
    counted = {r["agreement_id"] for r in rows if r["month"] is None and not r["by_channel"]}
    rows += [
        {"agreement_id": a, "month": None, "by_channel": False, "channel_id": None}
        for a in agreements
        if a not in counted
    ]
    Scorecard.objects.filter(organization_id=organization_id).delete()
    Scorecard.objects.bulk_create(
        Scorecard(organization_id=organization_id, computed_at=now, **row) for row in rows
    )


# --- Marks and scheduling ----------------------------------------------------------

MARK = """
    INSERT INTO sla_compliancemark (organization_id, since, marked_at)
    VALUES (%(org)s, %(since)s, clock_timestamp())
    ON CONFLICT (organization_id) DO UPDATE
    SET since = LEAST(sla_compliancemark.since, EXCLUDED.since), marked_at = EXCLUDED.marked_at
"""


def compliance_mark(*, organization_id: int, since: datetime | None = None) -> None:
    """Mark the organisation's hand-offs from `since` on (all by default) to be judged
    again, and schedule a run once the transaction commits."""
    with connection.cursor() as cursor:
        cursor.execute(MARK, {"org": organization_id, "since": since or BEGINNING})
    transaction.on_commit(lambda: compliance_schedule(organization_id=organization_id))


def scheduled_key(organization_id: int) -> str:
    return f"sla:scheduled:{organization_id}"


def compliance_schedule(*, organization_id: int) -> bool:
    """Send one run for the organisation unless one is already waiting (marks within
    SLA_COALESCE_SECONDS share it); True if sent. A lost send costs nothing: the mark
    stays, and the beat's sweep schedules it."""
    return send_once(scheduled_key(organization_id), RECOMPUTE_TASK, organization_id,
                     delay=settings.SLA_COALESCE_SECONDS)  # fmt: skip


def compliance_run(*, organization_id: int, now: datetime) -> Recomputed | None:
    """Judge again what the organisation's mark asks for; None if nothing is marked. The
    mark is cleared with the result, unless a change marked it again meanwhile."""
    cache.delete(scheduled_key(organization_id))  # first: a mark from now on schedules again
    mark = ComplianceMark.objects.filter(organization_id=organization_id).first()
    if mark is None:
        return None
    with transaction.atomic():
        done = compliance_recompute(organization_id=organization_id, start=mark.since, now=now)
        ComplianceMark.objects.filter(pk=mark.pk, marked_at=mark.marked_at).delete()
    return done


# The beat's sweep: the clocks whose next deadline has come since they were judged (nobody
# writes anything when a deadline passes; a partial index holds only the clocks still
# running), agreement months that ended since (their MQLs are then judged), and marks whose
# run was lost.
DEADLINES_PASSED = """
    SELECT organization_id, min(handoff_at) FROM sla_handoff
    WHERE next_due IS NOT NULL AND next_due <= %(now)s
    GROUP BY organization_id
"""


def organisations_with_agreements() -> list[int]:
    """The organisations with a version of an agreement that came into force."""
    signed = AgreementVersion.objects.filter(in_force_at__isnull=False)
    return sorted(set(signed.values_list("organization_id", flat=True)))


def compliance_sweep(*, now: datetime) -> int:
    """Mark and schedule what time alone changed; how many organisations."""
    with connection.cursor() as cursor:
        cursor.execute(DEADLINES_PASSED, {"now": now})
        due = dict(cursor.fetchall())
    # A month that ended, in each organisation's own time zone, since its last run.
    last_run = dict(
        Scorecard.objects.filter(month__isnull=True, by_channel=False)
        .values_list("organization_id")
        .annotate(at=Min("computed_at"))
    )
    zones = dict(BusinessCalendar.objects.values_list("organization_id", "time_zone"))
    for organization_id in organisations_with_agreements():
        zone = ZoneInfo(zones.get(organization_id, "UTC"))
        local = now.astimezone(zone)
        month_start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        ran = last_run.get(organization_id)
        if ran is None or ran < month_start:
            due.setdefault(organization_id, month_start - timedelta(days=40))
    with transaction.atomic():
        for organization_id, since in sorted(due.items()):
            compliance_mark(organization_id=organization_id, since=since)
    lost = ComplianceMark.objects.filter(marked_at__lt=now - timedelta(minutes=1))
    for organization_id in lost.values_list("organization_id", flat=True):
        compliance_schedule(organization_id=organization_id)
    return len(due)
