"""The API's per-user rate limit, as a counter per fixed window.

DRF's UserRateThrottle keeps every request's time of the last window in one cache value,
read and written whole on each call: at 6,000 a minute that is a list of up to 6,000 floats
pickled twice per request. Here each window has a counter, raised and read in one Redis
round trip. A fixed window lets a client spend its allowance at the end of one window and
again at the start of the next: up to twice the rate over a short stretch, which is fine
for a limit that guards the servers, not a quota that bills.
"""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.throttling import UserRateThrottle


def count_request(cache: Any, key: str, seconds: int) -> int:
    """Add one to the window's counter (made, lasting `seconds`, if missing); its new value."""
    counted = getattr(cache, "count", None)
    if counted is not None:  # smarketing.lib.cache.ForgivingRedisCache: one round trip
        return int(counted(key, seconds))
    cache.add(key, 0, timeout=seconds)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between the two calls: a new window
        cache.add(key, 1, timeout=seconds)
        return 1


class UserWindowThrottle(UserRateThrottle):
    num_requests: int  # set from the rate by DRF
    duration: int

    def allow_request(self, request: Request, view: Any) -> bool:
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.window_ends = (window + 1) * self.duration
        return count_request(self.cache, f"{key}:{window}", self.duration) <= self.num_requests

    def wait(self) -> float:
        return max(self.window_ends - self.now, 0.0)
