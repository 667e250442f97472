"""When a failed webhook delivery is tried again, and when it is given up: pure, over times.

The waits grow (30 s, 2 min, 10 min, 1 h, 3 h, 6 h by default, the last repeating), so a
receiver that was down for a moment gets its deliveries within a minute and one down for
hours is not hammered; the last try falls exactly `give_up_after` (a day) after the first,
so an endpoint that failed all that day is found failing for a day at that try.

Each try is placed after the one before it by the number of tries made: a try that ran late
(a busy worker, the beat's sweep) does not bring the next one closer.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta


def next_try_at(
    *,
    started_at: datetime,
    tries: int,
    now: datetime,
    waits: Sequence[int],
    give_up_after: timedelta,
) -> datetime | None:
    """After the `tries`-th try (1 for the first) failed at `now`, when to try again; None
    once the try at `started_at + give_up_after` (or any later) failed."""
    if not waits:
        raise ValueError("at least one wait is needed")
    last = started_at + give_up_after
    if now >= last:
        return None
    wait = waits[min(max(tries, 1), len(waits)) - 1]
    return min(now + timedelta(seconds=wait), last)


def schedule(
    *, started_at: datetime, waits: Sequence[int], give_up_after: timedelta
) -> list[datetime]:
    """Every try of a delivery that keeps failing, each on time: the first at `started_at`
    (for the page's explanation and the tests)."""
    tries = [started_at]
    while True:
        following = next_try_at(
            started_at=started_at, tries=len(tries), now=tries[-1], waits=waits,
            give_up_after=give_up_after,
        )  # fmt: skip
        if following is None:
            return tries
        tries.append(following)
