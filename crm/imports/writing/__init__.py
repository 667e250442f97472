"""Writing validated rows: COPY into a staging table, then upserts in SQL.

Each chunk is one transaction. Rows are matched to existing records by their keys
(external id first), references are resolved against the organisation's rows, and rows
that would break a rule are refused with a reason. Then only rows whose mapped values
differ are updated, new rows are inserted, and every stage change is recorded.

One job a module: `staging` (what is written, the wave's table), `matching` (keys,
references, refusals), `upserts`, `planner` (the transaction's settings, statistics),
`marks` (the KPI cells made stale), `parents` (company parents), `deals` (won deals'
leads, deal kinds). `writer_for` is the entry point.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd
from django.db import connection, transaction
from django.utils import timezone

from crm.imports.mapping import Mapping
from crm.imports.writing.deals import after_deal_wave, derive_kinds
from crm.imports.writing.marks import mark_created_leads, mark_rows
from crm.imports.writing.matching import Rejection, resolve
from crm.imports.writing.parents import Parent, link_parents, staged_parents
from crm.imports.writing.planner import Statistics, tune_wave
from crm.imports.writing.staging import CHANGING, TOUCHED, Target, stage_wave, waves
from crm.imports.writing.upserts import Counts, find_changing, upsert
from crm.selectors import StageRole, funnel_stage_codes, stage_with_role
from orgs.models import Organization


@dataclass
class Writer:
    """Writes an import's chunks, then what waits for every row (`finish`)."""

    target: Target
    statistics: Statistics = field(default_factory=Statistics)
    touched_companies: set[int] = field(default_factory=set)  # whose deal kinds to derive
    parents: list[Parent] = field(default_factory=list)

    def write(self, frame: pd.DataFrame) -> tuple[Counts, list[Rejection]]:
        """Upsert the chunk, in waves so that a key repeated in the file updates in file order."""
        counts, rejected = Counts(), []
        for wave in waves(frame, self.target.mapping):
            with transaction.atomic(), connection.cursor() as cursor:
                wave_counts, wave_rejected = self._write_wave(cursor, wave)
            counts.add(wave_counts)
            rejected.extend(wave_rejected)
        return counts, rejected

    def _write_wave(self, cursor: Any, frame: pd.DataFrame) -> tuple[Counts, list[Rejection]]:
        target = self.target
        tune_wave(cursor)
        stage_wave(cursor, target, frame)
        rejected = resolve(cursor, target)
        # The cells rows leave: only those the file changes (a file imported again marks
        # nothing, where marking every matched row cost more than the import's own compare).
        find_changing(cursor, target)
        mark_rows(target, CHANGING)
        counts = upsert(cursor, target)
        self.touched_companies |= after_deal_wave(cursor, target)
        self.parents += staged_parents(cursor, target)
        mark_rows(target, TOUCHED)
        mark_created_leads(target)
        self.statistics.keep(cursor, target, counts.created + counts.updated)
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


__all__ = ["Counts", "Rejection", "Writer", "writer_for"]
