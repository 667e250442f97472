"""The KPI tasks: each takes ids and calls one service of kpis/turns.py."""

from celery import shared_task

from kpis.turns import kpis_check, kpis_check_every_organisation, kpis_recompute_slice, kpis_sweep


@shared_task
def kpis_recompute_task(organization_id: int) -> None:
    kpis_recompute_slice(organization_id=organization_id)


@shared_task
def kpis_sweep_task() -> None:
    """Whatever a lost message or a Redis outage left marked (the beat runs it each minute)."""
    kpis_sweep()


@shared_task
def kpis_nightly_check_task() -> None:
    kpis_check_every_organisation()


@shared_task(soft_time_limit=3000, time_limit=3600)
def kpis_check_task(organization_id: int) -> None:
    kpis_check(organization_id=organization_id)
