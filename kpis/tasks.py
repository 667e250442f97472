import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from crm.journal import organisations_marked_before
from kpis.scheduling import kpis_schedule
from kpis.turns import kpis_recompute_slice, kpis_recompute_whole, organisations_busy
from orgs.models import Organization

logger = logging.getLogger(__name__)


@shared_task
def kpis_recompute_task(organization_id: int) -> None:
    kpis_recompute_slice(organization_id=organization_id)


@shared_task
def kpis_sweep_task() -> None:
    """Schedule every organisation whose marks have waited past the coalescing delay, but
    not one whose recompute is running: it queues its own rest when its slice ends."""
    waited = timezone.now() - timedelta(seconds=2 * settings.KPI_COALESCE_SECONDS)
    stale = organisations_marked_before(waited)
    for organization_id in sorted(stale - organisations_busy()):
        kpis_schedule(organization_id=organization_id)


@shared_task
def kpis_nightly_check_task() -> None:
    """Start the nightly full check: one organisation at a time (see kpis_check_task)."""
    first = Organization.objects.order_by("pk").values_list("pk", flat=True).first()
    if first is not None:
        kpis_check_task.delay(first)


@shared_task(soft_time_limit=3000, time_limit=3600)
def kpis_check_task(organization_id: int) -> None:
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
        if following is not None:
            kpis_check_task.delay(following)
