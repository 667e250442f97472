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

A wave waits for the one before in PostgreSQL, on a lock that wave holds until it has
committed: a writer outside the import (another import, a bulk upsert) that waits for one
wave while another waits for it then makes a deadlock PostgreSQL sees and breaks, where a
wait in Python would have hung.
"""

from __future__ import annotations

import contextlib
import contextvars
import secrets
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any, TypeVar

from django.db import DatabaseError, connection

LANES = 2
T = TypeVar("T")


class Abandoned(Exception):
    """The wave before failed (or the import stopped): this one is rolled back."""


class Turn:
    """A wave's place in the order of its import's waves: its number, the turn of the wave
    before, and the key of the lock it holds while it is written (none: one by one)."""

    def __init__(
        self,
        key: int | None = None,
        before: Turn | None = None,
        stop: threading.Event | None = None,
    ) -> None:
        self.key, self.before, self.stop = key, before, stop
        self.taken = threading.Event()  # its lock is held (or it ended without it)
        self.done: Future[Any] | None = None  # the wave, done once committed
        self.waited = False

    def take(self) -> None:
        """The wave's first step: hold its lock until it has committed (`leave`)."""
        try:
            if self.key is not None:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_lock(%s)", [self.key])
        finally:
            self.taken.set()

    def leave(self) -> None:
        if self.key is not None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [self.key])

    def ready(self) -> None:
        """Wait until the wave before has committed; Abandoned if it failed."""
        before = self.before
        if before is not None and not self.waited:
            before.taken.wait()
            if before.key is not None:  # where PostgreSQL sees the wait
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_lock_shared(%s)", [before.key])
                    cursor.execute("SELECT pg_advisory_unlock_shared(%s)", [before.key])
            assert before.done is not None
            try:
                before.done.result()
            except BaseException:
                raise Abandoned from None
            self.waited = True
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
        self.turns: list[Turn] = []
        self.stop = threading.Event()
        # The waves' locks: keys of PostgreSQL's one-number form, which the organisation
        # locks (two numbers) never share, from a point no other import picks.
        self.key = secrets.randbelow(2**62)

    def send(self, wave: Callable[[Turn], T]) -> Future[T]:
        """Send the wave once a lane is free (raising the failure of a wave before)."""
        self.raise_failure(wait_all=False)
        self.free.acquire()
        turn = Turn(self.key + len(self.sent), self.turns[-1] if self.turns else None, self.stop)
        lane = self.lanes[len(self.sent) % LANES]
        # In the import's context: the marks it holds (crm.journal), the language it speaks.
        job = lane.submit(contextvars.copy_context().run, _run, wave, turn)
        turn.done = job
        job.add_done_callback(lambda _job: self.free.release())
        self.sent.append(job)
        self.turns.append(turn)
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


def _run(wave: Callable[[Turn], T], turn: Turn) -> T:
    turn.take()
    try:
        return wave(turn)
    finally:
        # Committed or rolled back: the wave after may go on. (A connection that broke
        # released the lock with itself, and its error is the one to raise.)
        with contextlib.suppress(DatabaseError):
            turn.leave()


def _close_connection() -> None:
    connection.close()  # the lane's own: `connection` is per thread
