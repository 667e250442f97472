"""Reading and preparing an import's chunks one step ahead of the writer.

The writer spends most of an import waiting for PostgreSQL; the reading and checking of
the rows is Python. A thread of its own reads and prepares the next chunk meanwhile (pandas
and psycopg both let go of the interpreter lock while they work or wait), so the two
overlap: a third of a million-row import's time.

The thread never touches the database. Channels are its one need of it: it sees the codes
known when it starts a chunk, and a chunk that names a code it does not know is prepared
again by the writer's thread, which may create the channel (see prepared_ahead).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from functools import partial
from typing import TypeVar

import pandas as pd
from django.utils import translation

from crm.imports.transform import Context

T = TypeVar("T")

_END = object()


def _known_only(seen: dict[str, int], unknown: set[str], codes: set[str]) -> dict[str, int]:
    """The ids of the codes seen; the others are noted as unknown."""
    unknown.update(codes - seen.keys())
    return {code: seen[code] for code in codes if code in seen}


def prepared_ahead(
    chunks: Iterator[pd.DataFrame],
    prepare: Callable[[pd.DataFrame, Context], T],
    context: Context,
    known: dict[str, int],
) -> Iterator[tuple[T, bool]]:
    """prepare(chunk, context) of each chunk, made a chunk ahead in a thread, and whether
    the chunk named channels the thread did not know (then the writer's thread prepares it
    again). `known` is the organisation's channels as the writer's thread knows them."""
    ready: queue.Queue[object] = queue.Queue(maxsize=1)
    stop = threading.Event()
    language = translation.get_language()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        translation.activate(language)  # rejection reasons in the importer's language
        try:
            for chunk in chunks:
                unknown: set[str] = set()
                seen = dict(known)  # the writer's thread may add to it meanwhile
                lookup = partial(_known_only, seen, unknown)
                done = prepare(chunk, replace(context, channel_ids=lookup))
                if not put((done, bool(unknown))):
                    return
            put(_END)
        except BaseException as error:  # handed to the writer's thread, raised there
            put(error)
        finally:
            translation.deactivate()

    thread = threading.Thread(target=work, name="import-ahead", daemon=True)
    thread.start()
    try:
        while (item := ready.get()) is not _END:
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        thread.join()
