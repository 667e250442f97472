"""Celery: its settings, on-commit enqueueing without a broker, and a real worker over Redis."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from orgs.models import Invitation, Role
from orgs.tasks import invitations_purge_expired_task
from smarketing.celery import app
from smarketing.lib.enqueue import enqueue_on_commit, send_now
from smarketing.lib.redis_breaker import breaker
from tests.hung_redis import celery_broker_at, silent_redis_server
from tests.workers import database_url_for_workers, real_worker

ROOT = Path(__file__).resolve().parents[2]


def _stale_invitation(org):
    """An invitation that expired long enough ago to be purged."""
    return Invitation.objects.create(
        organization=org,
        email="x@example.test",
        role=Role.SALES_REP,
        token_hash="t",
        expires_at=timezone.now() - timedelta(days=45),
    )


def test_it_is_configured_for_safe_delivery():
    conf = app.conf

    assert conf.task_serializer == "json"
    assert conf.accept_content == ["json"]
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_time_limit > conf.task_soft_time_limit > 0
    assert conf.broker_transport_options["socket_timeout"] <= 5
    assert conf.broker_transport_options["socket_connect_timeout"] <= 5


def test_every_scheduled_task_exists():
    app.loader.import_default_modules()

    for entry in app.conf.beat_schedule.values():
        assert entry["task"] in app.tasks, entry["task"]


@pytest.mark.django_db
def test_without_a_broker_a_task_runs_in_process_after_commit(
    org, django_capture_on_commit_callbacks
):
    old = _stale_invitation(org)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enqueue_on_commit(invitations_purge_expired_task)
        assert Invitation.objects.filter(pk=old.pk).exists()  # nothing runs before the commit
    for callback in callbacks:
        callback()

    assert not Invitation.objects.filter(pk=old.pk).exists()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_a_task_sent_through_redis(org):
    old = _stale_invitation(org)

    with real_worker() as worker:
        invitations_purge_expired_task.delay()
        purged = worker.wait_until(lambda: not Invitation.objects.filter(pk=old.pk).exists())

    assert purged, worker.output
    assert "invitations_purge_expired_task" in worker.output[0]
    assert "succeeded" in worker.output[0]


SEND_WITH_A_SILENT_BROKER = """
import time, django
django.setup()
from orgs.tasks import invitations_purge_expired_task
from smarketing.lib.enqueue import enqueue_on_commit
started = time.monotonic()
enqueue_on_commit(invitations_purge_expired_task)
print(f"returned after {time.monotonic() - started:.1f}s")
"""


@pytest.mark.django_db
def test_a_hung_broker_does_not_hang_or_fail_the_caller():
    with silent_redis_server() as server:
        result = subprocess.run(
            [sys.executable, "-c", SEND_WITH_A_SILENT_BROKER],
            cwd=ROOT,
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "smarketing.settings",
                "DJANGO_DEBUG": "1",
                "DATABASE_URL": database_url_for_workers(),
                "CELERY_BROKER_URL": server.url,
                "REDIS_SOCKET_TIMEOUT": "1",
            },
            capture_output=True,
            text=True,
            timeout=60,
        )

    assert result.returncode == 0, result.stderr
    assert "returned after" in result.stdout
    assert "broker unavailable, orgs.tasks.invitations_purge_expired_task not sent" in result.stderr


def test_a_send_to_a_hung_broker_waits_once_then_skips_it_a_while():
    with silent_redis_server() as server, celery_broker_at(server.url):
        sent = [send_now(invitations_purge_expired_task) for _ in range(3)]

        assert sent == [False, False, False]
        assert server.connections == 1


def test_a_send_skips_a_broker_whose_redis_the_cache_just_found_hung():
    with silent_redis_server() as server, celery_broker_at(server.url):
        breaker.trip(server.url, TimeoutError("the cache timed out"))

        assert send_now(invitations_purge_expired_task) is False

        assert server.connections == 0
