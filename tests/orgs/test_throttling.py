"""The per-user API limit: a counter per fixed window, the same in Redis and in memory."""

import pytest
from django.core.cache import caches
from rest_framework.throttling import SimpleRateThrottle

from smarketing.lib.throttling import UserWindowThrottle, count_request
from tests.conftest import token_client

pytestmark = pytest.mark.django_db


def test_in_memory_a_counter_starts_at_one_and_counts_on():
    cache = caches["default"]

    counts = [count_request(cache, "test-throttle-window", 60) for _ in range(3)]

    assert counts == [1, 2, 3]


def test_a_new_window_starts_counting_again(member, monkeypatch):
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"user": "2/minute", "anon": "2/minute"}
    )
    clock = [60 * 16_667 + 20.0]  # 20 s into a minute
    monkeypatch.setattr(UserWindowThrottle, "timer", lambda self: clock[0])
    api = token_client(member())

    first = [api.get("/api/v1/me/").status_code for _ in range(3)]
    refused = api.get("/api/v1/me/")
    clock[0] += 40  # the next minute
    second = [api.get("/api/v1/me/").status_code for _ in range(3)]

    assert first == [200, 200, 429]
    assert refused["Retry-After"] == "40"
    assert second == [200, 200, 429]


def test_each_user_has_a_limit_of_their_own(member, monkeypatch):
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"user": "1/minute", "anon": "1/minute"}
    )
    first, second = token_client(member()), token_client(member())

    assert first.get("/api/v1/me/").status_code == 200
    assert first.get("/api/v1/me/").status_code == 429
    assert second.get("/api/v1/me/").status_code == 200
