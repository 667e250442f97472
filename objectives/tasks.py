"""The objectives' tasks: each takes ids and calls one service."""

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from objectives.models import Objective
from objectives.services import objectives_refresh, scheduled_key


@shared_task
def objectives_refresh_task(organization_id: int) -> int:
    cache.delete(scheduled_key(organization_id))  # first: a change from now on schedules again
    return objectives_refresh(organization_id=organization_id, today=timezone.now().date())


@shared_task
def objectives_refresh_all_task() -> int:
    """Once a day, every organisation with objectives: what is expected by now moves with the
    calendar even when no fact changes."""
    organizations = Objective.objects.values_list("organization_id", flat=True).distinct()
    for organization_id in sorted(set(organizations)):
        objectives_refresh_task.delay(organization_id)
    return len(set(organizations))
