"""What an import writes, and its rows COPYed into a temporary staging table, a wave at a
time so that no key repeats within a wave."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

import pandas as pd

from crm.imports.kinds import KINDS, SQL_TYPES, Kind, column_of
from crm.imports.mapping import Mapping
from crm.imports.reading import LINE

STAGING = "import_staging"
TOUCHED = "import_touched"  # ids of the rows a wave inserted or changed
CHANGING = "import_changing"  # ids of the existing rows a wave is about to change
CREATED_LEADS = "import_created_leads"  # the creation and channel of a wave's new leads


@dataclass(frozen=True)
class Target:
    """Where an import writes and what its SQL needs to know of the organisation."""

    organization_id: int
    mapping: Mapping
    now: datetime
    first_stage: str
    currency: str
    funnel: list[str]  # the funnel's stage codes in order, exits left out
    customer_stage: str | None  # where a won deal takes its lead

    @property
    def kind(self) -> Kind:
        return KINDS[self.mapping.kind]

    def params(self) -> dict[str, Any]:
        return {
            "org": self.organization_id,
            "now": self.now,
            "first_stage": self.first_stage,
            "currency": self.currency,
            "funnel": self.funnel,
        }

    @cached_property
    def staging_columns(self) -> dict[str, str]:
        """Staging column -> SQL type."""
        columns = {"line": "integer", "id": "bigint", "old_stage": "text"}
        for name in self.mapping.mapped:
            spec = self.mapping.fields[name]
            if name in self.kind.references:
                columns[f"{name}_ref"] = "text"
                columns[f"{name}_id"] = "bigint"
            elif name in self.kind.deferred:
                columns[f"{name}_ref"] = "text"
            else:
                columns[column_of(name, spec.type)] = SQL_TYPES[spec.type]
        return columns


def stage_wave(cursor: Any, target: Target, frame: pd.DataFrame) -> None:
    """Create the wave's staging table and COPY its rows in; create TOUCHED, empty."""
    columns = target.staging_columns
    cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")
    cursor.execute(
        f"CREATE TEMP TABLE {STAGING} ({', '.join(f'{c} {t}' for c, t in columns.items())}) ON COMMIT DROP"
    )
    names, data = _frame_for_copy(target, frame)
    buffer = io.StringIO()
    data.to_csv(buffer, index=False, header=False, quoting=csv.QUOTE_NONNUMERIC)
    # csv writes None as a quoted "": FORCE_NULL reads it back as NULL where that is meant.
    nullable = [n for n in names if columns[n] != "text" or n in ("stage", "status")]
    force_null = f", FORCE_NULL ({', '.join(nullable)})" if nullable else ""
    statement = f"COPY {STAGING} ({', '.join(names)}) FROM STDIN (FORMAT csv{force_null})"
    with cursor.cursor.copy(statement) as copy:
        copy.write(buffer.getvalue())
    # Temporary tables are never analysed on their own: without statistics the planner
    # scans the whole target table for every chunk instead of looking rows up by key.
    cursor.execute(f"ANALYZE {STAGING}")
    cursor.execute(f"DROP TABLE IF EXISTS {TOUCHED}, {CREATED_LEADS}")
    cursor.execute(f"CREATE TEMP TABLE {TOUCHED} (id bigint) ON COMMIT DROP")
    cursor.execute(
        f"CREATE TEMP TABLE {CREATED_LEADS} (created_at timestamptz, channel_id bigint) ON COMMIT DROP"
    )


def _frame_for_copy(target: Target, frame: pd.DataFrame) -> tuple[list[str], pd.DataFrame]:
    renamed = {LINE: "line"}
    for name in target.mapping.mapped:
        spec = target.mapping.fields[name]
        if name in target.kind.references or name in target.kind.deferred:
            renamed[name] = f"{name}_ref"
        else:
            renamed[name] = column_of(name, spec.type)
    out = frame.rename(columns=renamed)[list(renamed.values())]
    return list(renamed.values()), out


def waves(frame: pd.DataFrame, mapping: Mapping) -> list[pd.DataFrame]:
    """Split rows so that no key repeats within a wave (the file's later row comes later)."""
    keys = [k for k in KINDS[mapping.kind].keys if k in frame]
    if frame.empty or not keys:
        return [frame] if not frame.empty else []
    key = pd.Series("", index=frame.index)
    for name in reversed(keys):
        values = frame[name].fillna("")
        key = values.where(values != "", key)
    order = key.groupby(key).cumcount().where(key != "", 0)
    return [frame[order == wave] for wave in range(int(order.max()) + 1)]
