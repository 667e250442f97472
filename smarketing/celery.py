"""The Celery app (its settings live in settings.py under the CELERY_ prefix), and the one
way the apps enqueue work."""

from __future__ import annotations

import logging
import os
from typing import Any

from celery import Celery, Task
from celery.signals import worker_init
from django.db import transaction

from smarketing.redis_breaker import REDIS_UNREACHABLE, breaker

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smarketing.settings")

logger = logging.getLogger(__name__)

app = Celery("smarketing")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def limit_task_statements(**kwargs: Any) -> None:
    """Tasks may run longer statements than a web request (a full recompute, an import
    wave), but not for ever. Set before the pool starts, so its processes inherit it."""
    from django.conf import settings

    from smarketing.statement_timeout import limit_statements_of_this_process

    limit_statements_of_this_process(settings.DB_TASK_STATEMENT_TIMEOUT_MS)


def enqueue_on_commit(task: Task, *args: Any, **kwargs: Any) -> None:
    """Send `task` once the current transaction commits (at once outside one).

    A worker thus never looks for rows that are not committed yet. A broker that is down
    or hung costs the request at most one socket timeout and never its answer: the
    change is already saved, and the periodic sweeps pick up what this send missed.
    With no broker configured, the task runs here, in-process.
    """
    transaction.on_commit(lambda: send_now(task, *args, **kwargs))


def send_now(task: Task, *args: Any, countdown: float | None = None, **kwargs: Any) -> bool:
    """Send `task` to the broker now; False if the broker is down, hung or skipped.

    After one timeout or connection error the Redis breaker skips the broker for a while
    (REDIS_BREAKER_SECONDS), so a request that would send several tasks, or touch the
    cache on the same Redis, pays for the hung server once.
    """
    broker_url = task.app.conf.broker_url
    eager = task.app.conf.task_always_eager
    if not eager and broker_url and breaker.is_open(broker_url):
        logger.warning("broker skipped after a failure, %s not sent", task.name)
        return False
    try:
        if countdown is None:
            task.apply_async(args=args, kwargs=kwargs, retry=False)
        else:
            task.apply_async(args=args, kwargs=kwargs, countdown=countdown, retry=False)
    except Exception as exc:
        if eager:
            raise  # in-process: a failure is the task's own, not the broker's
        if broker_url and isinstance(exc, REDIS_UNREACHABLE):
            breaker.trip(broker_url, exc)
        logger.warning("broker unavailable, %s not sent: %s", task.name, exc)
        return False
    return True
