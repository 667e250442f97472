"""The Celery app (its settings live in settings.py under the CELERY_ prefix). The apps
enqueue work through smarketing.lib.enqueue."""

from __future__ import annotations

import logging
import os
from typing import Any

from celery import Celery
from celery.signals import worker_init

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

    from smarketing.lib.statement_timeout import limit_statements_of_this_process

    limit_statements_of_this_process(settings.DB_TASK_STATEMENT_TIMEOUT_MS)
