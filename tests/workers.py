"""A real Celery worker, in its own process, on the test database and the Redis in REDIS_URL."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.db import connection

from smarketing.celery import app

ROOT = Path(__file__).resolve().parents[1]


def database_url_for_workers() -> str:
    """The test database, as a URL another process can use."""
    params = connection.get_connection_params()
    host = params.get("host") or "127.0.0.1"
    user = params.get("user") or "postgres"
    name = connection.settings_dict["NAME"]
    if host.startswith("/"):
        return f"postgres://{user}@/{name}?host={host}"
    return f"postgres://{user}@{host}:{params.get('port') or 5432}/{name}"


@dataclass
class Worker:
    queue: str
    output: list[str] = field(default_factory=list)

    def wait_until(self, done: Callable[[], bool], seconds: float = 60) -> bool:
        deadline = time.monotonic() + seconds
        while not done() and time.monotonic() < deadline:
            time.sleep(0.2)
        return done()


@contextmanager
def real_worker(cache_prefix: str = "", pool: str = "solo") -> Iterator[Worker]:
    """Start a worker on a queue of its own; tasks sent meanwhile go there, through Redis.
    With `cache_prefix`, the worker's cache is that Redis too (see shared_redis_cache);
    `pool` is its pool (production's is prefork: tasks in daemonic pool processes)."""
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        pytest.skip("REDIS_URL is not set: the real-worker tests need a Redis")
    worker = Worker(queue=f"test-{uuid.uuid4().hex[:8]}")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": database_url_for_workers(),
        "CELERY_BROKER_URL": redis_url,
        "TEST_REDIS_CACHE_PREFIX": cache_prefix,
        "TEST_WORKER_QUEUE": worker.queue,
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "smarketing",
            "worker",
            f"--pool={pool}",
            "-Q",
            worker.queue,
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=INFO",
            "-c",
            "1",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    eager, queue = app.conf.task_always_eager, app.conf.task_default_queue
    try:
        app.conf.task_always_eager = False  # send through Redis, as production does
        app.conf.task_default_queue = worker.queue
        yield worker
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = eager, queue
        process.terminate()
        worker.output.append(process.communicate(timeout=30)[0])
        with app.connection_for_write() as broker:
            broker.default_channel.queue_purge(worker.queue)  # what the test left queued


def shared_redis_cache(settings) -> str:
    """Point this test's cache at Redis, under a prefix of its own; give the prefix to
    real_worker so that both sides see the same keys."""
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        pytest.skip("REDIS_URL is not set: the real-worker tests need a Redis")
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    settings.CACHES = {
        "default": {
            "BACKEND": "smarketing.lib.cache.ForgivingRedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": prefix,
        }
    }
    return prefix
