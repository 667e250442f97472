"""A circuit breaker per Redis server, shared by the cache, the API throttle and task sends.

A Redis that accepts connections but never answers costs every call REDIS_SOCKET_TIMEOUT,
and one request may touch Redis several times (the throttle counter, a cached read, its
write-back, a task sent after commit). After one timeout or connection error, every
caller in this process skips that server for REDIS_BREAKER_SECONDS and takes its own
fallback (a cache miss, nothing counted, the task left to the periodic sweeps), so a
request pays at most one timeout. When the time is up the next call tries Redis again:
if Redis still fails, that call pays the one timeout and opens the breaker anew.

The state lives in the process (each gunicorn or Celery process learns on its own), and
the servers are told apart by host and port, so a cache and a broker on one Redis share
one breaker even when they use different database numbers.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from kombu.exceptions import OperationalError as BrokerUnreachable
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# What an unreachable or hung Redis raises: through redis-py (the cache) or kombu (the
# broker, which wraps redis-py's errors), or straight from the socket.
REDIS_UNREACHABLE = (RedisConnectionError, RedisTimeoutError, BrokerUnreachable, OSError)


def server_of(url: str) -> str:
    """The Redis server a URL points at: host and port, or a Unix socket's path."""
    parts = urlsplit(url)
    if parts.scheme == "unix" or not parts.hostname:
        return parts.path
    return f"{parts.hostname}:{parts.port or 6379}"


class RedisBreaker:
    """Remembers, per server, until when Redis is to be skipped."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._skip_until: dict[str, float] = {}
        self._lock = threading.Lock()

    def is_open(self, url: str) -> bool:
        """True while the server failed less than REDIS_BREAKER_SECONDS ago: skip it."""
        until = self._skip_until.get(server_of(url))
        return until is not None and self._clock() < until

    def trip(self, url: str, error: BaseException) -> None:
        """The server just failed: skip it for REDIS_BREAKER_SECONDS."""
        seconds = settings.REDIS_BREAKER_SECONDS
        server = server_of(url)
        with self._lock:
            self._skip_until[server] = self._clock() + seconds
        logger.warning("Redis at %s unreachable (%s): skipped for %s s", server, error, seconds)

    def reset(self) -> None:
        """Forget every failure (tests, and a process that knows Redis is back)."""
        with self._lock:
            self._skip_until.clear()


breaker = RedisBreaker()
