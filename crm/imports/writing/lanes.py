"""Two connections writing an import's waves side by side: on two cores, one wave's rows
are inserted while the wave before inserts its own or commits (where PostgreSQL checks the
foreign keys of every row it wrote: a third of a big import's time).

The waves keep the order they would have on one connection:
- a wave commits only after the wave before it has committed, and is rolled back if that
  one failed: an import that fails keeps the waves before the failure, and none after it;
- whatever a wave writes that another wave may write too (the journal's marks), it writes
  once the wave before has committed (`Turn.ready`), and so does a wave that reads what the
  wave before wrote (matching keys) before it starts: only the insert of new rows whose keys
  no earlier wave has (`Wave.new_keys`) runs beside the wave before. Such an insert waits
  for no other wave (no key of theirs is one of its own), and no other wave waits for it.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any, TypeVar

from django.db import connection

LANES = 2
T = TypeVar("T")


class Abandoned(Exception):
    """The wave before failed (or the import stopped): this one is rolled back."""


class Turn:
    """A wave's place in the order of its import's waves."""

    def __init__(
        self, before: Future[Any] | None = None, stop: threading.Event | None = None
    ) -> None:
        self.before = before  # the wave before, done once committed
        self.stop = stop

    def ready(self) -> None:
        """Wait until the wave before has committed; Abandoned if it failed."""
        if self.before is not None:
            try:
                self.before.result()
            except BaseException:
                raise Abandoned from None
        if self.stop is not None and self.stop.is_set():
            raise Abandoned


class Lanes:
    """Writes waves (functions of a Turn, each committing a transaction of its own) on two
    connections, each a thread of its own, at most one wave a lane."""

    def __init__(self) -> None:
        self.lanes = [
            ThreadPoolExecutor(1, thread_name_prefix=f"import-lane-{i}") for i in range(LANES)
        ]
        self.free = threading.Semaphore(LANES)
        self.sent: list[Future[Any]] = []  # each wave, in order, done once committed
        self.stop = threading.Event()

    def send(self, wave: Callable[[Turn], T]) -> Future[T]:
        """Send the wave once a lane is free (raising the failure of a wave before)."""
        self.raise_failure(wait_all=False)
        self.free.acquire()
        turn = Turn(self.sent[-1] if self.sent else None, self.stop)
        lane = self.lanes[len(self.sent) % LANES]
        # In the import's context: the marks it holds (crm.journal), the language it speaks.
        job = lane.submit(contextvars.copy_context().run, wave, turn)
        job.add_done_callback(lambda _job: self.free.release())
        self.sent.append(job)
        return job

    def raise_failure(self, *, wait_all: bool) -> None:
        """Raise the failure of the first wave that failed (not of one abandoned after it),
        among those done (or, `wait_all`, once every wave sent is)."""
        if wait_all:
            wait(self.sent)
        for job in self.sent:
            if not job.done():
                break
            error = job.exception()
            if error is not None and not isinstance(error, Abandoned):
                raise error

    def close(self) -> None:
        """Stop: the waves not yet committed are rolled back; each lane's connection closed."""
        self.stop.set()
        wait(self.sent)
        for lane in self.lanes:
            lane.submit(_close_connection).result()
            lane.shutdown()


def _close_connection() -> None:
    connection.close()  # the lane's own: `connection` is per thread
