"""The SLA's tasks: each takes ids and calls one service."""

from celery import shared_task
from django.utils import timezone

from sla.services import (
    breaches_escalate,
    breaches_notify,
    breaches_sweep,
    compliance_run,
    compliance_sweep,
)
from sla.services.reminders import agreements_remind


@shared_task
def sla_remind_renewals_task() -> int:
    return agreements_remind(today=timezone.localdate())


@shared_task
def sla_recompute_task(organization_id: int) -> int:
    done = compliance_run(organization_id=organization_id, now=timezone.now())
    return done.handoffs if done else 0


@shared_task
def sla_sweep_task() -> int:
    return compliance_sweep(now=timezone.now())


@shared_task
def sla_notify_task(organization_id: int, breach_ids: list[int]) -> int:
    return breaches_notify(
        organization_id=organization_id, breach_ids=breach_ids, now=timezone.now()
    )


@shared_task
def sla_escalate_task() -> int:
    """Notices never sent go now; those still open long enough go to the managers."""
    now = timezone.now()
    return breaches_sweep(now=now) + breaches_escalate(now=now)
