"""The reviews app's tasks: each takes ids and calls one service."""

from datetime import datetime

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from reviews.services.digests import digests_due, digests_send
from reviews.services.dispatch import events_dispatch, reviews_sweep
from reviews.services.events import dispatch_key
from reviews.services.pulse import pulses_open_due
from reviews.services.retention import reviews_purge


@shared_task
def events_dispatch_task(organization_id: int) -> int:
    cache.delete(dispatch_key(organization_id))  # a change from now on schedules one more
    return events_dispatch(organization_id=organization_id, now=timezone.now())


@shared_task
def reviews_sweep_task() -> int:
    return reviews_sweep(now=timezone.now())


@shared_task
def digests_due_task() -> int:
    return digests_due(now=timezone.now())


@shared_task
def digests_send_task(organization_id: int) -> int:
    return digests_send(organization_id=organization_id, now=timezone.now())


@shared_task
def reviews_purge_task() -> int:
    return reviews_purge(now=timezone.now())


def pulses_open_due_task(now: str | None = None) -> int:
    """The beat's hourly run (`now`, an ISO date-time, stands for the clock: a rerun of a
    missed hour, a test)."""
    return pulses_open_due(now=datetime.fromisoformat(now) if now else timezone.now())
