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
    """ANALYZE the table once an import has written a tenth of it: autovacuum comes later,
    and until then the planner believes the organisation has the rows it had before the
    import (none, on a first one) and plans the next waves' joins for that."""

    written_since_analyze: int = 0

    def keep(self, cursor: Any, target: Target, written: int) -> None:
        table = target.kind.table
        self.written_since_analyze += written
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
        rows = max(cursor.fetchone()[0], 0)
        if self.written_since_analyze > max(10_000, rows // 10):
            for analysed in [table, *ALSO_WRITTEN.get(target.mapping.kind, [])]:
                cursor.execute(f"ANALYZE {analysed}")
            self.written_since_analyze = 0
