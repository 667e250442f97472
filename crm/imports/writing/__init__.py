"""Writing validated rows: COPY into a staging table, then upserts in SQL.

Each wave of a chunk is one transaction. Rows are matched to existing records by their
keys (external id first), references are resolved against the organisation's rows, and
rows that would break a rule are refused with a reason. Then only rows whose mapped values
differ are updated, new rows are inserted, and every stage change is recorded.

Where the database keeps a kind's keys unique (Kind.unique_keys), waves are first written
as new rows, without a look-up: a row that is a record already fails the insert on its
key, and its wave is written again, matching keys, as is every wave after it. On a first
import of a big file nothing matches, and the look-ups cost a tenth of its time.

One job a module: `staging` (what is written, the wave's table), `matching` (keys,
references, refusals), `upserts`, `planner` (the transaction's settings, statistics),
`marks` (the KPI cells made stale), `parents` (company parents), `deals` (won deals'
leads, deal kinds), `lanes` (two connections writing waves side by side). `writer_for`
is the entry point.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

import pandas as pd
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from crm.imports.mapping import Mapping
from crm.imports.writing.deals import after_deal_wave, derive_kinds
from crm.imports.writing.lanes import Lanes, Turn
from crm.imports.writing.marks import mark_created_leads, mark_rows
from crm.imports.writing.matching import Rejection, resolve
from crm.imports.writing.parents import Parent, link_parents, staged_parents
from crm.imports.writing.planner import Statistics, tune_wave
from crm.imports.writing.staging import (
    CHANGING,
    TOUCHED,
    Keys,
    Target,
    Wave,
    copy_waves,
    stage_wave,
)
from crm.imports.writing.upserts import Counts, find_changing, insert_new, is_key_conflict, upsert
from crm.selectors import StageRole, funnel_stage_codes, stage_with_role
from orgs.models import Organization

Result = tuple[Counts, list[Rejection]]
# Kinds whose waves of new rows write nothing but those rows (a wave of deals makes the
# leads of won deals customers): such a wave may insert them beside the wave before.
ALONE = frozenset({"leads", "activities"})
# What is done with a chunk's counts and refused rows once its waves are written.
Written = Callable[[Counts, list[Rejection]], None]


@dataclass
class Writer:
    """Writes an import's chunks, then what waits for every row (`finish`)."""

    target: Target
    statistics: Statistics = field(default_factory=Statistics)
    touched_companies: set[int] = field(default_factory=set)  # whose deal kinds to derive
    parents: list[Parent] = field(default_factory=list)
    # Waves insert their rows without looking their keys up until one conflicts with a
    # record's key: for kinds whose keys are unique where set (Kind.unique_keys).
    inserting: bool = field(init=False, default=False)
    lanes: Lanes | None = field(init=False, default=None)
    # The chunks sent to the lanes whose results are not yet handed on, in file order.
    pending: list[tuple[list[Future[Result]], Written]] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        self.inserting = bool(self.target.kind.unique_keys)

    @contextmanager
    def side_by_side(self, *, waves: int) -> Iterator[None]:
        """Within, write waves on two connections side by side (crm.imports.writing.lanes)
        if there are to be several `waves` of new rows of a kind ALONE; else one after the
        other on this thread's. Not within a transaction: the lanes would not see its rows."""
        if (
            waves < 2
            or not self.inserting
            or self.target.mapping.kind not in ALONE
            or connection.in_atomic_block
        ):
            yield
            return
        self.lanes = Lanes()
        try:
            yield
            self._hand_on(wait=True)
        finally:
            self.lanes.close()
            self.lanes, self.pending = None, []

    def write(self, frame: pd.DataFrame) -> Result:
        """Upsert the rows, in waves so that a key repeated in the file updates in file
        order, one after the other."""
        return self.write_one_by_one(copy_waves(self.target, frame))

    def write_waves(self, waves: list[Wave], written: Written) -> None:
        """Upsert a chunk's waves (`copy_waves`); hand their counts and refused rows to
        `written`, on this thread, chunk after chunk in file order (beside other waves,
        once they are committed: meanwhile the next chunk may be sent)."""
        if self.lanes is None:
            written(*self.write_one_by_one(waves))
            return
        self.pending.append(
            ([self.lanes.send(partial(self._write_wave, wave)) for wave in waves], written)
        )
        self._hand_on(wait=False)

    def write_one_by_one(self, waves: list[Wave]) -> Result:
        """Upsert the waves one after the other, on this thread's connection."""
        counts, rejected = Counts(), []
        for wave in waves:
            wave_counts, wave_rejected = self._write_wave(wave, Turn())
            counts.add(wave_counts)
            rejected.extend(wave_rejected)
        return counts, rejected

    def _hand_on(self, *, wait: bool) -> None:
        """Hand on the results of the chunks whose waves are committed (all of them, once
        they are, if `wait`); raise the first wave's failure."""
        assert self.lanes is not None
        self.lanes.raise_failure(wait_all=wait)
        while self.pending and all(job.done() for job in self.pending[0][0]):
            jobs, written = self.pending.pop(0)
            counts, rejected = Counts(), []
            for job in jobs:
                wave_counts, wave_rejected = job.result()
                counts.add(wave_counts)
                rejected.extend(wave_rejected)
            written(counts, rejected)

    def _write_wave(self, wave: Wave, turn: Turn) -> Result:
        """Write one wave in a transaction of its own: as new rows while no insert has
        conflicted with a record's key, else (and again, once one has) as rows to match."""
        if self.inserting:
            if not (wave.new_keys and self.target.mapping.kind in ALONE):
                turn.ready()  # a key of the wave before may be among its own
            try:
                with transaction.atomic(), connection.cursor() as cursor:
                    return self._write_rows(cursor, wave, turn, new=True)
            except IntegrityError as error:
                if not is_key_conflict(error, self.target):
                    raise
                # A row is a record already (imported again, or earlier in the file):
                # the wave left nothing, and from now on every wave looks its keys up.
                self.inserting = False
        turn.ready()  # what the wave before wrote is to be read
        with transaction.atomic(), connection.cursor() as cursor:
            return self._write_rows(cursor, wave, turn, new=False)

    def _write_rows(self, cursor: Any, wave: Wave, turn: Turn, *, new: bool) -> Result:
        """Stage the wave's rows and write them; `new`: insert them all, without looking
        their keys up (a row that is a record already fails the insert on its key)."""
        target = self.target
        tune_wave(cursor)
        # New rows without references join their staging table to nothing: its one read
        # is the insert's scan, which statistics would not change (1 s a million rows).
        stage_wave(cursor, target, wave, joined=not new or target.references_staged)
        rejected = resolve(cursor, target, keys=not new)
        if new:
            counts = insert_new(cursor, target)
            turn.ready()  # what follows, the wave before may write too (marks)
        else:
            # The cells rows leave: only those the file changes (a file imported again
            # marks nothing, where marking every matched row cost more than the import's
            # own compare).
            find_changing(cursor, target)
            mark_rows(target, CHANGING)
            counts = upsert(cursor, target)
        self.touched_companies |= after_deal_wave(cursor, target)
        self.parents += staged_parents(cursor, target)
        mark_rows(target, TOUCHED)
        mark_created_leads(target)
        # A wave of new leads reads nothing of their tables (their marks come from what it
        # wrote): statistics matter to the waves that look keys up.
        analyze = not new or target.mapping.kind != "leads"
        self.statistics.keep(cursor, target, counts.created + counts.updated, analyze=analyze)
        return counts, rejected

    def finish(self) -> list[Rejection]:
        """What waits for every row: statistics, company parents, and deal kinds."""
        notes: list[Rejection] = []
        with transaction.atomic(), connection.cursor() as cursor:
            self.statistics.settle(cursor, self.target)
            if self.parents:
                notes = link_parents(cursor, self.target, self.parents)
            if self.touched_companies:
                derive_kinds(cursor, self.target, self.touched_companies)
        return notes


def writer_for(
    organization: Organization, mapping: Mapping, *, first_stage: str, now: datetime | None = None
) -> Writer:
    """A writer of `mapping`'s rows into the organisation's records, new leads entering at
    `first_stage`, at `now` (the time of the import)."""
    return Writer(
        Target(
            organization_id=organization.pk,
            mapping=mapping,
            now=now or timezone.now(),
            first_stage=first_stage,
            currency=organization.currency,
            funnel=funnel_stage_codes(organization),
            customer_stage=stage_with_role(organization, StageRole.CUSTOMER),
        )
    )


__all__ = ["Counts", "Keys", "Rejection", "Wave", "Writer", "copy_waves", "writer_for"]
