import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from crm.models import ChangedCell
from funnel.kpis.recompute import kpis_recompute_changed, kpis_recompute_full
from funnel.kpis.scheduling import kpis_schedule, kpis_unschedule
from funnel.services import plans_refresh_learned
from orgs.models import Organization

logger = logging.getLogger(__name__)


@shared_task
def kpis_recompute_task(organization_id: int) -> None:
    kpis_unschedule(organization_id=organization_id)
    done = kpis_recompute_changed(organization_id=organization_id)
    if done.months:
        plans_refresh_learned(organization_id=organization_id, months=done.months)


@shared_task
def kpis_sweep_task() -> None:
    """Schedule every organisation whose marks have waited past the coalescing delay."""
    waited = timezone.now() - timedelta(seconds=2 * settings.KPI_COALESCE_SECONDS)
    stale = ChangedCell.objects.filter(marked_at__lt=waited).values_list(
        "organization_id", flat=True
    )
    for organization_id in sorted(set(stale)):
        kpis_schedule(organization_id=organization_id)


@shared_task(soft_time_limit=3000, time_limit=3600)
def kpis_nightly_check_task() -> None:
    """Recompute every organisation in full, logging any cell the incremental path got wrong."""
    for organization_id in Organization.objects.order_by("pk").values_list("pk", flat=True):
        differences = kpis_recompute_full(organization_id=organization_id, check=True)
        if differences:
            logger.error(
                "kpi check: %d cells of organisation %s differed", differences, organization_id
            )
