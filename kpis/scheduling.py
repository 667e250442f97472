"""Coalescing: a burst of changes to one organisation schedules one recompute, not one per change.

The first change after a run sets a Redis key with SET NX (cache.add) and sends the task
with a short countdown; later changes find the key and do nothing. The task deletes the
key before it reads the marks, so a change during the run schedules exactly one more.
Redis or the broker being down loses nothing: the marks stay in PostgreSQL and the beat
sweep schedules whatever is still marked.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache

from smarketing.lib.enqueue import send_now

# By name: the task calls back into this app's services, which never import tasks.py.
RECOMPUTE_TASK = "kpis.tasks.kpis_recompute_task"


def scheduled_key(organization_id: int) -> str:
    return f"kpis:scheduled:{organization_id}"


def kpis_schedule(*, organization_id: int, countdown: int | None = None) -> bool:
    """Send one recompute for the organisation unless one is already waiting; True if sent.
    It runs after the coalescing delay, or after `countdown` seconds."""
    delay = settings.KPI_COALESCE_SECONDS if countdown is None else countdown
    key = scheduled_key(organization_id)
    # The key outlives the countdown by a margin: a lost task frees it for the sweep.
    if not cache.add(key, 1, timeout=delay + 60):
        return False
    if not send_now(RECOMPUTE_TASK, organization_id, countdown=delay):
        cache.delete(key)  # the sweep may schedule it (on a hung Redis the key just expires)
        return False
    return True


def kpis_unschedule(*, organization_id: int) -> None:
    """Called as a run starts: changes from now on schedule the next run."""
    cache.delete(scheduled_key(organization_id))
