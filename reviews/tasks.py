"""The reviews app's tasks: each takes ids and calls one service."""

from datetime import datetime
from zoneinfo import ZoneInfo

from celery import Task, shared_task
from django.core.cache import cache
from django.utils import timezone

from reviews.services.digests import digests_due, digests_send
from reviews.services.dispatch import events_dispatch, reviews_sweep
from reviews.services.drift import (
    drift_key,
    drift_recompute,
    drift_schedule,
    organisations_with_active_plans,
)
from reviews.services.events import dispatch_key
from reviews.services.pulse import pulses_open_due
from reviews.services.retention import reviews_purge
from reviews.services.webhooks import (
    retry_countdown,
    webhook_deliveries_purge,
    webhook_delivery_attempt,
    webhooks_sweep,
)
from sla.selectors import time_zone_of


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


@shared_task
def pulses_open_due_task(now: str | None = None) -> int:
    """The beat's hourly run (`now`, an ISO date-time, stands for the clock: a rerun of a
    missed hour, a test)."""
    return pulses_open_due(now=datetime.fromisoformat(now) if now else timezone.now())


@shared_task(bind=True, max_retries=None)
def webhook_deliver_task(self: Task, delivery_id: int) -> str:
    """One try of a delivery; a failed one is retried by Celery after a short wait (a long
    one is the beat's sweep's: see retry_countdown; so is every one run in-process, where a
    retry would run at once)."""
    now = timezone.now()
    tried = webhook_delivery_attempt(delivery_id=delivery_id, now=now)
    countdown = retry_countdown(tried, now)
    if countdown is not None and not self.request.is_eager:
        raise self.retry(countdown=countdown)
    return "not due" if not tried.tried else "delivered" if tried.succeeded else "failed"


@shared_task
def webhooks_sweep_task() -> int:
    return webhooks_sweep(now=timezone.now())


@shared_task
def webhook_deliveries_purge_task() -> int:
    return webhook_deliveries_purge(now=timezone.now())


@shared_task
def drift_recompute_task(organization_id: int) -> int:
    cache.delete(drift_key(organization_id))  # a change from now on schedules one more
    # The day as the organisation counts it (its business calendar's time zone).
    zone = ZoneInfo(time_zone_of(organization_id))
    return drift_recompute(organization_id=organization_id, today=timezone.localdate(None, zone))


@shared_task
def drift_nightly_task() -> int:
    """The window moves on each day, changes or not: one recompute per organisation with
    an active plan, each its own task; how many were sent."""
    return sum(
        drift_schedule(organization_id=organization_id)
        for organization_id in organisations_with_active_plans()
    )
