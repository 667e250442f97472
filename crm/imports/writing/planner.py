"""Tuning PostgreSQL for an import's waves: how it commits, what it believes a random read
costs, and statistics kept up to date while an import grows a table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crm.imports.writing.staging import Target

# Tables an import of a kind writes beside its own: a lead's stage history.
ALSO_WRITTEN = {"leads": ["crm_leadstagechange"]}


def tune_wave(cursor: Any) -> None:
    """Settings of the wave's transaction."""
    # A crash can lose only the last moments of an import, which is safe to run again;
    # not waiting for each commit's WAL flush makes bulk writes several times faster.
    cursor.execute("SET LOCAL synchronous_commit TO OFF")
    # Each wave joins its rows to the table by key: tens of thousands of index lookups,
    # which the default cost of a random page (4, for spinning disks) made the planner
    # trade for hashing every row of the organisation, several times a wave.
    cursor.execute("SET LOCAL random_page_cost = 1.1")


@dataclass
class Statistics:
    """ANALYZE the table as an import grows it: autovacuum comes later, and until then the
    planner believes the organisation has the rows it had before the import (none, on a
    first one) and plans the next waves' joins for that. Once a wave has doubled what the
    last statistics counted, and once more as the import ends if a tenth is new since, so
    that what reads the rows next (the KPI recompute) plans for them. (Every tenth, as
    before, analysed a million-row import fifteen times: 5 s.) Waves that read nothing of
    the table only count their rows, for the first wave that does."""

    written_since_analyze: int = 0

    def keep(self, cursor: Any, target: Target, written: int, *, analyze: bool = True) -> None:
        """Count what a wave wrote; `analyze` if it has doubled the table since its last
        statistics (a wave that reads nothing of the table counts only)."""
        self.written_since_analyze += written
        if analyze and self.written_since_analyze > max(10_000, _rows(cursor, target)):
            self._analyze(cursor, target)

    def settle(self, cursor: Any, target: Target) -> None:
        if self.written_since_analyze > max(1_000, _rows(cursor, target) // 10):
            self._analyze(cursor, target)

    def _analyze(self, cursor: Any, target: Target) -> None:
        for analysed in [target.kind.table, *ALSO_WRITTEN.get(target.mapping.kind, [])]:
            cursor.execute(f"ANALYZE {analysed}")
        self.written_since_analyze = 0


def _rows(cursor: Any, target: Target) -> int:
    """The rows the table's statistics count."""
    cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [target.kind.table])
    return max(int(cursor.fetchone()[0]), 0)
