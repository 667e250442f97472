"""The reviews app's tasks: each takes ids and calls one service."""

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from reviews.services.dispatch import events_dispatch, reviews_sweep
from reviews.services.drift import (
    drift_key,
    drift_recompute,
    drift_schedule,
    organisations_with_active_plans,
)
from reviews.services.events import dispatch_key


@shared_task
def events_dispatch_task(organization_id: int) -> int:
    cache.delete(dispatch_key(organization_id))  # a change from now on schedules one more
    return events_dispatch(organization_id=organization_id, now=timezone.now())


@shared_task
def reviews_sweep_task() -> int:
    return reviews_sweep(now=timezone.now())


@shared_task
def drift_recompute_task(organization_id: int) -> int:
    cache.delete(drift_key(organization_id))  # a change from now on schedules one more
    return drift_recompute(organization_id=organization_id, today=timezone.localdate())


@shared_task
def drift_nightly_task() -> int:
    """The window moves on each day, changes or not: one recompute per organisation with
    an active plan, each its own task; how many were sent."""
    return sum(
        drift_schedule(organization_id=organization_id)
        for organization_id in organisations_with_active_plans()
    )
