"""/healthz reports the database and the broker separately, and never hangs on Redis."""

import os
import shutil
import socket
import subprocess
import threading
import time

import pytest
from django.db import OperationalError, connection
from django.test import override_settings

from smarketing import health
from tests.hung_redis import silent_redis_server


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def silent_redis():
    with silent_redis_server() as server:
        yield server.url


@pytest.fixture
def own_redis():
    """A private redis-server that the test can stop (skips where Redis is not installed)."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    port = _free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    for _ in range(50):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.1)
    yield process, f"redis://127.0.0.1:{port}/0"
    process.kill()
    process.wait()


@pytest.mark.django_db
def test_it_is_ok_when_database_and_broker_answer(client, own_redis):
    _process, url = own_redis
    with override_settings(CELERY_BROKER_URL=url):
        body = client.get("/healthz").json()

    assert body["status"] == "ok"
    assert body["database"]["status"] == "ok"
    assert body["broker"]["status"] == "ok"


@pytest.mark.django_db
def test_it_says_degraded_when_redis_is_stopped(client, own_redis):
    process, url = own_redis
    process.terminate()
    process.wait()

    with override_settings(CELERY_BROKER_URL=url):
        response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["database"]["status"] == "ok"
    assert body["broker"]["status"] == "down"
    assert "ConnectionError" in body["broker"]["error"]


@pytest.mark.django_db
def test_it_says_degraded_when_nothing_listens_on_the_broker_port(client):
    with override_settings(CELERY_BROKER_URL=f"redis://127.0.0.1:{_free_port()}/0"):
        body = client.get("/healthz").json()

    assert (body["status"], body["broker"]["status"]) == ("degraded", "down")


@pytest.mark.django_db
def test_a_redis_that_never_answers_does_not_hang_it(client, silent_redis):
    result = {}

    def call():
        with override_settings(CELERY_BROKER_URL=silent_redis, REDIS_SOCKET_TIMEOUT=1):
            result["body"] = client.get("/healthz").json()
        connection.close()  # this thread's own connection

    thread = threading.Thread(target=call)
    thread.start()
    thread.join(timeout=30)

    assert not thread.is_alive(), "/healthz hung on a silent Redis"
    assert result["body"]["status"] == "degraded"
    assert "Timeout" in result["body"]["broker"]["error"]


@pytest.mark.django_db
def test_without_a_broker_tasks_run_in_process_and_it_says_so(client):
    with override_settings(CELERY_BROKER_URL=None):
        body = client.get("/healthz").json()

    assert body["status"] == "ok"
    assert "in-process" in body["broker"]["detail"]


@pytest.mark.django_db
def test_it_answers_503_when_the_database_is_down(client, monkeypatch):
    def refuse():
        raise OperationalError("connection refused")

    monkeypatch.setattr(health, "_check_database", refuse)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["status"] == "down"
    assert "connection refused" in response.json()["database"]["error"]


def test_redis_url_of_the_environment_is_reachable_when_given():
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("REDIS_URL is not set")
    import redis

    assert redis.Redis.from_url(url, socket_timeout=2).ping()
