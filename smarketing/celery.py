"""The Celery app. Its settings live in settings.py under the CELERY_ prefix."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smarketing.settings")

# DjangoTask adds delay_on_commit(): enqueue only once the transaction that made the
# change has committed, so a worker never reads rows that are not there yet.
app = Celery("smarketing", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
