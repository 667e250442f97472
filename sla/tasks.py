"""The SLA's tasks: each calls one service."""

from celery import shared_task
from django.utils import timezone

from sla.services.reminders import agreements_remind


@shared_task
def sla_remind_renewals_task() -> int:
    return agreements_remind(today=timezone.localdate())
