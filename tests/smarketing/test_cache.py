"""The Redis cache answers 'miss' instead of failing while Redis is unreachable."""

import os
import socket
import uuid

import pytest

from smarketing.lib.cache import ForgivingRedisCache
from smarketing.lib.redis_breaker import breaker
from tests.hung_redis import silent_redis_server


def _cache(url):
    return ForgivingRedisCache(url, {"OPTIONS": {"socket_timeout": 1, "socket_connect_timeout": 1}})


def _dead_url():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"redis://127.0.0.1:{s.getsockname()[1]}/0"


@pytest.fixture
def real():
    """A cache on the real Redis of REDIS_URL, and a key of its own."""
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("REDIS_URL is not set")
    return _cache(url), f"test-{uuid.uuid4()}"


def test_it_caches_in_a_real_redis(real):
    cache, key = real

    cache.set(key, {"n": 1}, 30)

    assert cache.get(key) == {"n": 1}
    assert cache.add(key, "other") is False
    cache.delete(key)
    assert cache.get(key, "gone") == "gone"


def test_with_redis_down_reads_miss_and_writes_are_skipped():
    cache = _cache(_dead_url())

    cache.set("k", 1)
    assert cache.get("k") is None
    assert cache.get("k", "default") == "default"
    assert cache.add("k", 1) is False
    assert cache.get_many(["a", "b"]) == {}
    assert cache.has_key("k") is False


def test_a_counter_counts_in_a_real_redis_and_expires(real):
    cache, key = real

    counts = [cache.count(key, 30) for _ in range(3)]

    assert counts == [1, 2, 3]
    ttl = cache._cache.get_client(write=True).ttl(cache.make_and_validate_key(key))
    assert 0 < ttl <= 30  # set by the first count, not moved by the later ones
    cache.delete(key)


def test_with_redis_down_a_counter_counts_nothing():
    assert _cache(_dead_url()).count("k", 30) == 0


def test_with_redis_hung_only_the_first_call_waits():
    with silent_redis_server() as server:
        cache = _cache(server.url)

        assert cache.count("k", 30) == 0
        assert cache.get("k", "default") == "default"
        cache.set("k", 1)
        assert cache.add("k", 1) is False

        assert server.connections == 1  # the count waited; the breaker skipped the rest


def test_a_cache_skips_redis_while_the_broker_on_it_just_failed(settings):
    with silent_redis_server() as server:
        breaker.trip(server.url.replace("/0", "/1"), TimeoutError("the broker timed out"))

        assert _cache(server.url).get("k") is None

        assert server.connections == 0
