from celery import shared_task
from django.utils import timezone

from orgs import services


@shared_task
def invitations_purge_expired_task() -> int:
    return services.invitations_purge_expired(now=timezone.now())
