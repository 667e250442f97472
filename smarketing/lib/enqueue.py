"""The one way the apps enqueue work: after commit, by the task's name or the task itself.

By name, a service never imports the tasks module that calls it back (a task takes ids and
calls one service), so services and tasks import in one direction only.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Task, current_app
from django.db import transaction

from smarketing.lib.redis_breaker import REDIS_UNREACHABLE, breaker

logger = logging.getLogger(__name__)


def task_named(task: Task | str) -> Task:
    """The registered task of that name (its module imported if nothing imported it yet)."""
    if not isinstance(task, str):
        return task
    if task not in current_app.tasks:
        current_app.loader.import_default_modules()  # the apps' tasks modules, autodiscovered
    return current_app.tasks[task]


def enqueue_on_commit(task: Task | str, *args: Any, **kwargs: Any) -> None:
    """Send `task` once the current transaction commits (at once outside one).

    A worker thus never looks for rows that are not committed yet. A broker that is down
    or hung costs the request at most one socket timeout and never its answer: the
    change is already saved, and the periodic sweeps pick up what this send missed.
    With no broker configured, the task runs here, in-process.
    """
    transaction.on_commit(lambda: send_now(task, *args, **kwargs))


def send_now(task: Task | str, *args: Any, countdown: float | None = None, **kwargs: Any) -> bool:
    """Send `task` to the broker now; False if the broker is down, hung or skipped.

    After one timeout or connection error the Redis breaker skips the broker for a while
    (REDIS_BREAKER_SECONDS), so a request that would send several tasks, or touch the
    cache on the same Redis, pays for the hung server once.
    """
    task = task_named(task)
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


def send_once(key: str, task: Task | str, *args: Any, delay: float) -> bool:
    """Send `task` to run after `delay` seconds unless one under `key` is already waiting:
    a burst of changes shares one run. The key (SET NX in the cache) outlives the delay by a
    margin, so a lost task frees it; the task deletes it as it starts, so a change during a
    run schedules exactly one more. False if one was waiting or the broker is down."""
    from django.core.cache import cache

    if not cache.add(key, 1, timeout=delay + 60):
        return False
    if not send_now(task, *args, countdown=delay):
        cache.delete(key)  # the sweeps schedule what this send missed
        return False
    return True
