"""After one Redis timeout, the cache, the throttle and task sends skip that Redis a while,
so a request on a hung Redis pays one timeout, not one per call.

A hung Redis is a server that accepts connections and never answers; each connection it
accepts is one call that waited out its socket timeout (tests/hung_redis.py). No test
here measures time."""

import pytest

from crm.models import ChangedCell, Lead
from smarketing.lib.redis_breaker import RedisBreaker, server_of
from tests.hung_redis import celery_broker_at, silent_redis_server


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_it_skips_a_server_that_failed_until_its_time_is_up(settings):
    settings.REDIS_BREAKER_SECONDS = 30
    clock = Clock()
    breaker = RedisBreaker(clock=clock)

    breaker.trip("redis://cache.internal:6379/0", TimeoutError("hung"))

    assert breaker.is_open("redis://cache.internal:6379/0")
    assert breaker.is_open("redis://cache.internal:6379/1")  # the same server, another db
    assert not breaker.is_open("redis://other.internal:6379/0")
    clock.now += 29.9
    assert breaker.is_open("redis://cache.internal:6379/0")
    clock.now += 0.1
    assert not breaker.is_open("redis://cache.internal:6379/0")  # tried again


def test_with_zero_seconds_it_never_skips(settings):
    settings.REDIS_BREAKER_SECONDS = 0
    breaker = RedisBreaker(clock=Clock())

    breaker.trip("redis://cache.internal:6379/0", TimeoutError("hung"))

    assert not breaker.is_open("redis://cache.internal:6379/0")


def test_servers_are_told_apart_by_host_and_port():
    assert server_of("redis://127.0.0.1/0") == "127.0.0.1:6379"
    assert server_of("rediss://:secret@redis.example:6380/2") == "redis.example:6380"
    assert server_of("unix:///run/redis.sock?db=0") == "/run/redis.sock"


@pytest.fixture
def hung_redis(settings):
    """The cache and the broker on one Redis that never answers, as in production where
    both default to REDIS_URL."""
    with silent_redis_server() as server:
        settings.CACHES = {
            "default": {
                "BACKEND": "smarketing.lib.cache.ForgivingRedisCache",
                "LOCATION": server.url,
                "OPTIONS": {"socket_timeout": 1, "socket_connect_timeout": 1},
            }
        }
        with celery_broker_at(server.url):
            yield server


@pytest.mark.django_db
def test_an_api_write_pays_one_timeout_on_a_hung_redis(
    api_as, hung_redis, django_capture_on_commit_callbacks
):
    api = api_as()

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/leads/", {"name": "Ann", "stage": "sql"}, format="json")

    assert response.status_code == 201
    assert Lead.objects.filter(name="Ann").exists()
    assert ChangedCell.objects.exists()  # the sweep recomputes it once Redis is back
    assert hung_redis.connections == 1  # the throttle's count; the schedule and send skipped


@pytest.mark.django_db
def test_kpis_pay_one_timeout_on_a_hung_redis(api_as, hung_redis):
    api = api_as()

    response = api.get("/api/v1/kpis/")

    assert response.status_code == 200
    assert response.json()["results"] == []
    assert (
        hung_redis.connections == 1
    )  # the throttle's count; the cached rows' read and write skipped
