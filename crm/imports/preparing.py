"""Preparing a file's chunks for the writer: each chunk read, checked and transformed, and
its valid rows rendered wave by wave as the CSV that COPY reads.

A file of more than one chunk is prepared in a process of its own, a chunk ahead of the
writer: PostgreSQL writes one chunk while the next is prepared, on another core. (In a
thread of the importing process the two took turns: pandas holds the interpreter lock,
and every statement's answer waited for it.) The process is forked, so it starts with the
import's mapping and context as they are; it never touches the database (the channels a
chunk names are asked of the importing process, which creates them as it may) and stops
with the import, however it ends.

Before that, while the importing process reads the whole file once (its rows and date
formats), a process of the same kind counts the fields of every line (`widths_aside`):
the two passes over a large file run side by side, and both end before anything is
written.
"""

from __future__ import annotations

import contextlib
import os
import signal
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing import Pipe
from multiprocessing.connection import Connection
from typing import NoReturn

import pandas as pd
from django.utils.translation import gettext as _

from crm.imports.mapping import DATE_TYPES, Mapping
from crm.imports.reading import LINE, Table
from crm.imports.transform import UNASSIGNED, Context, prepare
from crm.imports.writing import Keys, Rejection, Wave, copy_waves
from crm.imports.writing.staging import Target


@dataclass
class Prepared:
    """One chunk, ready for the writer."""

    rows: int  # of the file, valid or not
    waves: list[Wave]  # the valid rows, wave by wave, as COPY reads them
    rejected: list[Rejection]  # rows refused before writing: their shape or values
    kept: pd.DataFrame  # of each valid row: its line, owner left unassigned, and dates


@dataclass(frozen=True)
class Chunks:
    """What preparing a file's chunks takes: the file, the import's mapping and context,
    the lines of another width than the header's (`Table.lines_of_another_width`)."""

    table: Table
    mapping: Mapping
    context: Context
    target: Target
    other_widths: dict[int, int]
    rows: int  # per chunk

    def each(self) -> Iterator[Prepared]:
        columns = list(dict.fromkeys(self.mapping.columns.values()))
        kept = [LINE, UNASSIGNED] + [
            name for name in self.mapping.mapped if self.mapping.fields[name].type in DATE_TYPES
        ]
        keys = Keys(self.mapping)
        for chunk in self.table.chunks(columns, self.rows):
            whole, misshapen = _refuse_other_widths(
                chunk, self.other_widths, len(self.table.header)
            )
            valid, refused = prepare(whole, self.mapping, self.context)
            yield Prepared(
                rows=len(chunk),
                waves=copy_waves(self.target, valid, keys),
                rejected=misshapen + list(refused.itertuples(index=False, name=None)),
                kept=valid[[c for c in kept if c in valid]],
            )


# A file smaller than this has its lines' widths counted here: a fork costs more than
# reading it.
WIDTHS_ASIDE_FROM_BYTES = 4 * 2**20


@contextmanager
def widths_aside(table: Table) -> Iterator[Callable[[], dict[int, int]]]:
    """`Table.lines_of_another_width`, counted in a process of its own while the block
    runs: the block calls what it is given for the answer (or the error, FileError among
    them, raised as if counted here). The process ends with the block, however it ends."""
    if table.path.stat().st_size < WIDTHS_ASIDE_FROM_BYTES or not hasattr(os, "fork"):
        yield table.lines_of_another_width
        return
    ours, theirs = Pipe(duplex=False)
    child = os.fork()
    if child == 0:
        _count_widths_in_child(table, theirs, ours)
    theirs.close()

    def answer() -> dict[int, int]:
        try:
            what, value = ours.recv()
        except EOFError:
            raise RuntimeError("The check of the file's lines stopped unexpectedly.") from None
        if what == "error":
            raise value
        return value

    try:
        yield answer
    finally:
        ours.close()
        _stop(child)


def _count_widths_in_child(table: Table, connection: Connection, parents: Connection) -> NoReturn:
    """The counting process: send the widths (or the error), then exit, as the preparing
    process does."""
    parents.close()
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, signal.SIG_DFL)
    try:
        connection.send(("widths", table.lines_of_another_width()))
    except BrokenPipeError:
        pass
    except BaseException as error:
        try:
            connection.send(("error", error))
        except Exception:
            connection.send(("error", RuntimeError(f"{type(error).__name__}: {error}")))
    finally:
        os._exit(0)


@contextmanager
def prepared_chunks(chunks: Chunks, *, file_rows: int) -> Iterator[Iterator[Prepared]]:
    """The file's chunks, prepared: in a process of its own if there are several (see the
    module), else here."""
    if file_rows <= chunks.rows or not hasattr(os, "fork"):
        yield chunks.each()
        return
    ours, theirs = Pipe()
    # Forked by hand: multiprocessing refuses children to a daemonic process, which is
    # what a Celery worker's pool process is to it.
    child = os.fork()
    if child == 0:
        _prepare_in_child(chunks, theirs, ours)
    theirs.close()
    try:
        yield _received(ours, chunks.context)
    finally:
        ours.close()
        _stop(child)


def _stop(child: int) -> None:
    """End the preparing process (it may be halfway through the file) and reap it."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(child, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):  # reaped already, by a SIGCHLD handler
        os.waitpid(child, 0)


def _received(connection: Connection, context: Context) -> Iterator[Prepared]:
    """The chunks the preparing process sends, answering its questions about channels."""
    while True:
        try:
            what, value = connection.recv()
        except EOFError:
            raise RuntimeError("The preparation of the file's rows stopped unexpectedly.") from None
        if what == "channels":
            connection.send(context.channel_ids(value))
        elif what == "chunk":
            yield value
        elif what == "error":
            raise value
        else:
            return


def _prepare_in_child(chunks: Chunks, connection: Connection, parents: Connection) -> NoReturn:
    """The preparing process: send each chunk prepared, then exit (never returning into
    the importing process's code, nor running its exit handlers)."""
    parents.close()
    for number in (signal.SIGINT, signal.SIGTERM):  # whatever the importing process set
        signal.signal(number, signal.SIG_DFL)
    asked: set[str] = set()
    known: dict[str, int] = {}

    def channel_ids(codes: set[str]) -> dict[str, int]:
        """The ids of the codes, asked of the importing process (which creates channels)."""
        if codes - asked:
            connection.send(("channels", codes - asked))
            known.update(connection.recv())
            asked.update(codes)
        return {code: known[code] for code in codes if code in known}

    chunks.context.channel_ids = channel_ids
    try:
        for prepared in chunks.each():
            connection.send(("chunk", prepared))
        connection.send(("done", None))
    except (BrokenPipeError, EOFError):
        pass  # the import stopped: nobody reads any more
    except BaseException as error:  # raised in the importing process, with its traceback
        error.add_note("".join(traceback.format_exception(error)))
        try:
            connection.send(("error", error))
        except Exception:  # an exception that cannot be pickled: its name and text then
            connection.send(("error", RuntimeError(f"{type(error).__name__}: {error}")))
    finally:
        os._exit(0)


def _refuse_other_widths(
    chunk: pd.DataFrame, other_widths: dict[int, int], width: int
) -> tuple[pd.DataFrame, list[Rejection]]:
    """Drop the rows with more or fewer fields than the header: their values would land in
    the wrong columns or be lost."""
    lines = chunk[LINE][chunk[LINE].isin(other_widths)]
    rejected: list[Rejection] = [
        (
            int(line),
            "(row)",
            "",
            _("the row has %(fields)s fields where the header has %(width)s")
            % {"fields": other_widths[line], "width": width},
        )
        for line in lines
    ]
    return chunk[~chunk[LINE].isin(other_widths)], rejected


__all__ = ["Chunks", "Prepared", "prepared_chunks", "widths_aside"]
