"""Fairness: organisations take turns on the shared workers.

An organisation's recompute runs in its *turn*, a PostgreSQL session advisory lock on
(organisation, TURN) held for the whole run, so one organisation never holds more than one
worker slot: a second task for it finds the turn taken and returns at once (it does not
wait, which would hold a slot too), and the beat sweep leaves a busy organisation alone.
The lock lives with the connection, so a worker killed mid-run frees the turn.

The incremental recompute runs in slices of at most KPI_SLICE_CELLS cells or
KPI_SLICE_SECONDS seconds. What is left is sent as a new task, at the back of the queue,
behind the work other organisations sent meanwhile: a hundred thousand waiting cells cost
everyone else at most a slice's wait.

Nothing is stranded: a task unschedules (frees the coalescing key) before it tries the
turn, and whoever held the turn looks for marks still waiting after letting it go, so
either the holder or the next change schedules them.

Each task of kpis/tasks.py calls one function here; they send tasks by name, so this
module and the tasks module do not import each other.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from crm.journal import has_marks, organisations_marked_before
from kpis.recompute import (
    Recomputed,
    kpis_recompute_changed,
    kpis_recompute_full,
    kpis_recompute_waiting,
)
from kpis.scheduling import RECOMPUTE_TASK, kpis_schedule, kpis_unschedule
from kpis.signals import announce_facts_changed
from orgs.models import Organization
from smarketing.lib.advisory import organisation_lock, organisations_holding
from smarketing.lib.enqueue import send_now, task_named

logger = logging.getLogger(__name__)

TURN = -2  # the advisory lock's second key; recompute.py uses 0, -1 and the months
CHECK_TASK = "kpis.tasks.kpis_check_task"  # by name, as RECOMPUTE_TASK


@contextmanager
def organisation_turn(organization_id: int, *, wait: bool) -> Iterator[bool]:
    """Hold the organisation's turn; yields False, without waiting, if it is taken and
    `wait` is off."""
    with organisation_lock(organization_id, TURN, wait=wait) as taken:
        yield taken


def organisations_busy() -> set[int]:
    """The organisations whose turn a connection holds now, on any worker."""
    return organisations_holding(TURN)


def kpis_recompute_slice(*, organization_id: int) -> Recomputed | None:
    """Recompute one slice of the organisation's waiting cells, queue the rest and announce
    the months rewritten (facts_changed); None if another worker has its turn. Without a
    broker (tasks run in-process) there is no queue to share, and a slice that scheduled the
    next would recurse: it takes everything, in full if that is quicker
    (kpis_recompute_waiting)."""
    kpis_unschedule(organization_id=organization_id)  # first: see the module's note
    with organisation_turn(organization_id, wait=False) as ours:
        if not ours:
            return None
        if _tasks_run_in_process():
            done = kpis_recompute_waiting(organization_id=organization_id)
        else:
            done = kpis_recompute_changed(
                organization_id=organization_id,
                max_cells=settings.KPI_SLICE_CELLS,
                max_seconds=settings.KPI_SLICE_SECONDS,
            )
    _schedule_what_waits(organization_id)
    if done.months:
        announce_facts_changed(organization_id=organization_id, months=done.months)
    return done


def kpis_recompute_whole(*, organization_id: int, check: bool = False) -> int:
    """A full recompute (see kpis_recompute_full) in the organisation's turn: it waits for a
    slice running on another worker to end, and keeps the organisation's slices off the
    other workers while it runs. Returns the differences found."""
    with organisation_turn(organization_id, wait=True):
        differences = kpis_recompute_full(organization_id=organization_id, check=check)
    _schedule_what_waits(organization_id)
    return differences


def _schedule_what_waits(organization_id: int) -> None:
    # No countdown: the rest goes to the back of the queue now, behind the others' work.
    if has_marks(organization_id):
        kpis_schedule(organization_id=organization_id, countdown=0)


def _tasks_run_in_process() -> bool:
    return bool(task_named(RECOMPUTE_TASK).app.conf.task_always_eager)


def kpis_sweep() -> None:
    """Schedule every organisation whose marks have waited past the coalescing delay, but
    not one whose recompute is running: it queues its own rest when its slice ends."""
    waited = timezone.now() - timedelta(seconds=2 * settings.KPI_COALESCE_SECONDS)
    for organization_id in sorted(organisations_marked_before(waited) - organisations_busy()):
        kpis_schedule(organization_id=organization_id)


def kpis_check_every_organisation() -> None:
    """Start the nightly full check: one organisation at a time (see kpis_check)."""
    first = Organization.objects.order_by("pk").values_list("pk", flat=True).first()
    if first is not None:
        send_now(CHECK_TASK, first)


def kpis_check(*, organization_id: int) -> None:
    """Recompute one organisation in full, logging any cell the incremental path got wrong,
    then queue the next organisation's check. A full recompute is one consistent comparison
    and cannot be sliced, so the checks run one after another, each a task of its own at the
    back of the queue: the nightly work holds one worker slot at a time, and a big
    organisation's hour delays only itself (its slices find its turn taken meanwhile)."""
    try:
        if Organization.objects.filter(pk=organization_id).exists():
            differences = kpis_recompute_whole(organization_id=organization_id, check=True)
            if differences:
                logger.error(
                    "kpi check: %d cells of organisation %s differed", differences, organization_id
                )
    finally:
        # Whatever became of this one (a timeout, an error), the others are still checked.
        following = (
            Organization.objects.filter(pk__gt=organization_id)
            .order_by("pk")
            .values_list("pk", flat=True)
            .first()
        )
        if following is not None and not send_now(CHECK_TASK, following):
            # The chain stops here until tomorrow's start: say so where operators look.
            logger.error("kpi check: could not queue organisation %s's check", following)
